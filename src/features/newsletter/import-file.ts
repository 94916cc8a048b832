// Owns reading a subscriber CSV into addresses: finding the address column, and what each line is (an address, a repeat, one the file marks unsubscribed, invalid). Pure, so it runs on a worker thread (import-worker.ts).

import { restoreFormula } from '../../lib/csv-cells.ts'
import { formatCount } from '../../lib/text.ts'
import { normalizeSubscriberEmail } from './email-address.ts'

/** The upload's size limit: about 40,000 addresses with a few columns each. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024
/** Addresses one file may hold; a longer list is imported in parts. */
export const MAX_IMPORT_ROWS = 20_000
/** How many bad lines the report lists one by one; the rest are counted. */
export const MAX_REPORTED_LINES = 100

/** Why a file was refused whole, with the status to answer: nothing from it was stored. */
export interface ImportRefusal {
  readonly message: string
  readonly status: number
}

class Refused extends Error {
  constructor(readonly refusal: ImportRefusal) {
    super(refusal.message)
  }
}

function refuse(message: string, status: number): never {
  throw new Refused({ message, status })
}

export interface ReportedLine {
  readonly line: number
  readonly value: string
}

/** What a file holds, before anything is stored: plain data, so it can cross from a worker thread. */
export interface ImportReading {
  /** Each address the file subscribes, once, with the line it was first on. */
  readonly wanted: [email: string, line: number][]
  /** Further lines with an address already in `wanted`. */
  readonly repeated: number
  /** Rows the file itself marks as unsubscribed or unconfirmed (another service's export). */
  readonly notSubscribedInFile: number
  readonly invalid: ReportedLine[]
  readonly invalidCount: number
}

/** Header names of the address column in the exports of common tools (Mailchimp, Substack, Ghost, Buttondown…). */
const EMAIL_HEADERS = new Set([
  'email',
  'e-mail',
  'email address',
  'e-mail address',
  'email_address',
  'emailaddress',
  'mail',
  'address',
  'subscriber',
])
const STATUS_HEADERS = new Set(['status', 'subscribed', 'subscribed_to_emails', 'subscriber_type'])
/** A status cell saying the person is not (or not yet) subscribed there. */
const NOT_SUBSCRIBED =
  /^(?:unsubscribed|pending|unconfirmed|unactivated|cleaned|bounced|complained|spam|removed|inactive|false|no|0)$/

const headerName = (cell: string): string => cell.trim().toLowerCase().replace(/\s+/g, ' ')

/**
 * The address in a cell: a spreadsheet-safe `'-x@…` (as Folio's export writes it) loses its
 * apostrophe, and `Jane Doe <jane@example.com>` gives the part in angle brackets.
 */
function addressIn(cell: string): string | null {
  const unquoted = restoreFormula(cell)
  const bracketed = /<([^<>\s]+)>\s*$/.exec(unquoted)?.[1]
  return normalizeSubscriberEmail(bracketed ?? unquoted)
}

interface Row {
  readonly line: number
  readonly cells: string[]
}

function readRows(buffer: Buffer, csv: CsvParser): Row[] {
  const { CsvError, parse } = csv
  if (buffer.length === 0) refuse('The file is empty. Choose a CSV file with one address a line.', 422)
  if (buffer.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')))
    refuse(
      'That is a spreadsheet workbook (.xlsx), not a CSV file. In your spreadsheet, save or download the sheet as CSV and import that.',
      415,
    )
  if (buffer.includes(0))
    refuse(
      'That file is not a CSV file: it holds binary data. Export the list as CSV (comma-separated values) and import that.',
      415,
    )
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(buffer.toString('utf8'), {
      bom: true,
      delimiter: [',', ';', '\t'],
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
      // The header and one row more than allowed are enough to know the file is too long.
      to: MAX_IMPORT_ROWS + 2,
    }) as unknown as typeof records // with `info: true` each record comes with its line (not in csv-parse's types)
  } catch (err) {
    if (!(err instanceof CsvError)) throw err
    const where = typeof err.lines === 'number' ? ` near line ${err.lines}` : ''
    refuse(
      `The file could not be read as CSV${where}: check that its quotes are balanced, then import it again.`,
      422,
    )
  }
  return records.map(({ record, info }) => ({ line: info.lines, cells: record }))
}

/** Which column holds addresses (and a status, if any), and whether the first row is a header. */
function layoutOf(first: Row): { header: boolean; email: number; status: number | undefined } {
  const names = first.cells.map(headerName)
  const email = names.findIndex((name) => EMAIL_HEADERS.has(name))
  const status = names.findIndex((name) => STATUS_HEADERS.has(name))
  if (email >= 0) return { header: true, email, status: status >= 0 ? status : undefined }
  const address = first.cells.findIndex((cell) => addressIn(cell) !== null)
  // No address and no known header name: a header in words we do not know, addresses first.
  return address >= 0
    ? { header: false, email: address, status: undefined }
    : { header: true, email: 0, status: undefined }
}

export const reported = (list: ReportedLine[], line: number, value: string) => {
  if (list.length < MAX_REPORTED_LINES) list.push({ line, value: value.slice(0, 200) })
}

/**
 * Reads a CSV of addresses (an `email` column, or addresses in the first column): what each line
 * is, or why the whole file is refused.
 */
export async function readImportFile(file: Uint8Array): Promise<ImportReading | { refused: ImportRefusal }> {
  // Loaded on the import's own worker thread, never by the server that serves pages.
  const csv = await import('csv-parse/sync')
  try {
    return classify(Buffer.from(file.buffer, file.byteOffset, file.byteLength), csv)
  } catch (err) {
    if (err instanceof Refused) return { refused: err.refusal }
    throw err
  }
}

type CsvParser = typeof import('csv-parse/sync')

function classify(file: Buffer, csv: CsvParser): ImportReading {
  const rows = readRows(file, csv)
  const first = rows[0]
  if (!first) refuse('The file holds no addresses. Choose a CSV file with one address a line.', 422)
  const layout = layoutOf(first)
  const data = layout.header ? rows.slice(1) : rows
  if (data.length > MAX_IMPORT_ROWS)
    refuse(
      `The file has more than ${formatCount(MAX_IMPORT_ROWS)} rows. Split it into smaller files and import each; nothing was imported.`,
      413,
    )

  const invalid: ReportedLine[] = []
  let invalidCount = 0
  let notSubscribedInFile = 0
  let repeated = 0
  const wanted = new Map<string, number>()
  for (const row of data) {
    const cell = row.cells[layout.email] ?? ''
    const email = addressIn(cell)
    if (!email) {
      invalidCount += 1
      reported(invalid, row.line, cell)
    } else if (
      layout.status !== undefined &&
      NOT_SUBSCRIBED.test(headerName(row.cells[layout.status] ?? ''))
    ) {
      notSubscribedInFile += 1
    } else if (wanted.has(email)) {
      repeated += 1
    } else {
      wanted.set(email, row.line)
    }
  }
  if (wanted.size === 0 && notSubscribedInFile === 0)
    refuse(
      'No email addresses were found in the file. It needs a column headed “email”, or the addresses in its first column.',
      422,
    )
  return { wanted: [...wanted], repeated, notSubscribedInFile, invalid, invalidCount }
}
