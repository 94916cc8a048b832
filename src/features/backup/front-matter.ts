// Owns the export format's text: YAML documents and Markdown files with YAML front matter.
import { parse, stringify } from 'yaml'

/**
 * No line folding (a long title stays on one line, so git diffs show the change), block scalars
 * for multi-line text, and the YAML 1.2 core schema, under which an ISO date stays a string.
 * The same input always gives the same bytes, which is what lets an export live in git.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, minContentWidth: 0, version: '1.2' })
}

export class FrontMatterError extends Error {
  override name = 'FrontMatterError'
}

/** Parses YAML, turning the library's multi-line report into one readable line. */
export function fromYaml(text: string): unknown {
  try {
    return parse(text, { version: '1.2', uniqueKeys: true, prettyErrors: false })
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new FrontMatterError(`the YAML is not valid: ${message}`)
  }
}

/**
 * `---`, the YAML, `---`, then the body exactly as stored, then one newline so every file ends
 * with one. parseFrontMatter removes exactly that newline again, so a body that itself ends with
 * a newline (or does not) comes back byte for byte.
 */
export function formatFrontMatter(data: Record<string, unknown>, body: string): string {
  return `---\n${toYaml(data)}---\n${body}\n`
}

const OPENING = /^\uFEFF?---[ \t]*\n/
const CLOSING = /^---[ \t]*(?:\n|$)/m

/**
 * Splits a file into its front matter (a YAML mapping) and body. The body comes back exactly as
 * written, less the one final newline the format adds. A file whose opening marker ends in CRLF
 * was written on Windows: its line endings become LF, as the admin's editor does with its text.
 */
export function parseFrontMatter(text: string): { data: Record<string, unknown>; body: string } {
  const source = /^\uFEFF?---[ \t]*\r\n/.test(text) ? text.replace(/\r\n?/g, '\n') : text
  const opening = OPENING.exec(source)
  if (!opening) throw new FrontMatterError('it does not start with a "---" line opening the front matter')
  const rest = source.slice(opening[0].length)
  // A document marker can never sit at the start of a line inside YAML this format writes (block
  // scalars are indented, quoted strings escape their newlines), so the first one closes it.
  const closing = CLOSING.exec(rest)
  if (!closing) throw new FrontMatterError('the front matter has no closing "---" line')
  const yaml = rest.slice(0, closing.index)
  const after = rest.slice(closing.index + closing[0].length)
  const body = after.endsWith('\n') ? after.slice(0, -1) : after
  const data = fromYaml(yaml) ?? {}
  if (typeof data !== 'object' || Array.isArray(data))
    throw new FrontMatterError('the front matter must be a list of "key: value" lines')
  return { data: data as Record<string, unknown>, body }
}
