// Owns reading another blog's export file from disk: its size limit, its text encoding, and the messages when it cannot be read.
import { readFile, stat } from 'node:fs/promises'
import { formatBytes } from '../../lib/format-bytes.ts'
import { ImportFileError } from './model.ts'

/**
 * The largest export read whole. Ten years of a busy blog (thousands of posts, tens of thousands of
 * comments) is a few hundred MB at most; parsing needs a few times the file's size in memory, and
 * V8 cannot hold one string much over 512 MB anyway.
 */
export const MAX_EXPORT_BYTES = 256 * 1024 * 1024

/** The `encoding` an XML declaration names, e.g. "ISO-8859-1" from an old WordPress. */
const XML_ENCODING = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/

/**
 * The export's text. Refused with a message that says what to do when the file is missing, a
 * folder, or over MAX_EXPORT_BYTES. UTF-8 unless an XML declaration names another encoding that
 * Node knows; a byte-order mark is dropped.
 */
export async function readExportFile(path: string): Promise<string> {
  let size: number
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new ImportFileError(`${path} is a folder: give the export file itself.`)
    size = info.size
  } catch (error) {
    if (error instanceof ImportFileError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw new ImportFileError(
      code === 'ENOENT' ? `There is no file at ${path}.` : `${path} cannot be read (${code ?? 'error'}).`,
    )
  }
  if (size > MAX_EXPORT_BYTES) {
    throw new ImportFileError(
      `${path} is ${formatBytes(size)}; the importer reads exports up to ${formatBytes(MAX_EXPORT_BYTES)}. ` +
        'Export the site in parts (WordPress: Tools → Export, one post type or date range at a time) and import each file.',
    )
  }
  const bytes = await readFile(path)
  return new TextDecoder(encodingOf(bytes)).decode(bytes)
}

function encodingOf(bytes: Buffer): string {
  const declared = XML_ENCODING.exec(bytes.subarray(0, 200).toString('latin1'))?.[1]
  if (!declared) return 'utf-8'
  try {
    return new TextDecoder(declared).encoding
  } catch {
    return 'utf-8'
  }
}
