// Owns exporting messages as CSV and JSON: plain data a spreadsheet or script can open safely.
import type { Message } from '../../db/schema.ts'
import { neutraliseFormula } from '../../lib/csv-cells.ts'
import { parseSpamReasons } from './queries.ts'

// Its tests (and older callers) still import it from here; its home is lib/csv-cells.ts.

export const EXPORT_COLUMNS = [
  'id',
  'received_at',
  'folder',
  'read',
  'name',
  'email',
  'subject',
  'message',
  'spam_score',
  'spam_reasons',
  'ip',
] as const

export interface ExportedMessage {
  readonly id: number
  readonly received_at: string
  readonly folder: string
  readonly read: boolean
  readonly name: string
  readonly email: string
  readonly subject: string
  readonly message: string
  readonly spam_score: number
  readonly spam_reasons: string[]
  readonly ip: string
}

export function exportedMessage(message: Message): ExportedMessage {
  return {
    id: message.id,
    received_at: message.createdAt.toISOString(),
    folder: message.folder,
    read: message.readAt !== null,
    name: message.name,
    email: message.email,
    subject: message.subject,
    message: message.body,
    spam_score: message.spamScore,
    spam_reasons: parseSpamReasons(message.spamReasons),
    ip: message.ip,
  }
}

/** RFC 4180: every field quoted, quotes doubled, CRLF between records (line breaks inside fields stay as typed). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows
    .map((row) => row.map((field) => `"${neutraliseFormula(field).replace(/"/g, '""')}"`).join(','))
    .join('\r\n')
    .concat('\r\n')
}

/**
 * The CSV file. It starts with a UTF-8 byte order mark because Excel otherwise reads the file as
 * Windows-1252 and garbles every accented name; other spreadsheets and CSV parsers skip it.
 */
export function messagesCsv(list: readonly Message[]): string {
  const rows = list.map((m) => {
    const e = exportedMessage(m)
    return [
      String(e.id),
      e.received_at,
      e.folder,
      e.read ? 'true' : 'false',
      e.name,
      e.email,
      e.subject,
      e.message,
      String(e.spam_score),
      e.spam_reasons.join('; '),
      e.ip,
    ]
  })
  return `\uFEFF${toCsv([[...EXPORT_COLUMNS], ...rows])}`
}

export function messagesJson(list: readonly Message[]): string {
  return `${JSON.stringify(list.map(exportedMessage), null, 2)}\n`
}
