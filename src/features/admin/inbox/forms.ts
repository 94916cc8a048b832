// Owns reading the inbox's requests: which list is asked for, which folder to export, and a reply (admin/bulk.ts reads which messages are selected).
import * as z from 'zod'
import type { MessageFolder } from '../../../db/schema.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { dropControlCharactersKeepingLines, formatCount } from '../../../lib/text.ts'
import { isFolder, MAX_QUERY_LENGTH } from '../../inbox/queries.ts'
import { REPLY_MAX_CHARS } from '../../inbox/replies.ts'

export interface ListState {
  readonly folder: MessageFolder
  readonly q: string
  readonly page: number
}

/** Folder, search and page from a query string or the bulk form's hidden fields; anything odd falls back. */
export function listStateFrom(source: unknown): ListState {
  const fields = formFields(source)
  const page = fields.page && /^[1-9]\d{0,5}$/.test(fields.page) ? Number(fields.page) : 1
  return {
    folder: isFolder(fields.folder) ? fields.folder : 'inbox',
    q: (fields.q ?? '').trim().slice(0, MAX_QUERY_LENGTH),
    page,
  }
}

/** The one folder an export asks for, or undefined for every message. */
export function exportFolderFrom(query: unknown): MessageFolder | undefined {
  const asked = query && typeof query === 'object' ? (query as Record<string, unknown>).folder : undefined
  return isFolder(asked) ? asked : undefined
}

// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
const replySchema = z.lazy(() =>
  z
    .string()
    .transform((value) => dropControlCharactersKeepingLines(value.replace(/\r\n?/g, '\n')))
    .pipe(
      z
        .string()
        .trim()
        .min(1, 'Write your reply first: it is empty.')
        .max(
          REPLY_MAX_CHARS,
          `Keep a reply under ${formatCount(REPLY_MAX_CHARS)} characters; shorten it and press Send again.`,
        ),
    ),
)

/**
 * The reply form: what was typed (to give back, cut at twice the limit, if it fails) and either
 * the text to send (line endings \n, control characters dropped, trimmed) or why not.
 */
export function replyFrom(body: unknown): { typed: string } & ({ text: string } | { error: string }) {
  const typed = formFields(body).reply ?? ''
  const parsed = replySchema.safeParse(typed)
  const kept = typed.slice(0, REPLY_MAX_CHARS * 2)
  return parsed.success
    ? { typed: kept, text: parsed.data }
    : { typed: kept, error: parsed.error.issues[0]?.message ?? 'Check your reply.' }
}
