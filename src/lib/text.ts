// Owns small rules about plain text: control characters, XML-safe characters, counts and counted nouns.

const isControl = (code: number): boolean => code < 32 || code === 127

/** Control characters (line breaks included) become `replacement`: they have no place in a one-line field. */
export function replaceControlCharacters(text: string, replacement = ' '): string {
  return Array.from(text, (ch) => (isControl(ch.charCodeAt(0)) ? replacement : ch)).join('')
}

/** Drops control characters but keeps line breaks and tabs, for multi-line text such as a message. */
export function dropControlCharactersKeepingLines(text: string): string {
  return Array.from(text, (ch) =>
    isControl(ch.charCodeAt(0)) && ch !== '\n' && ch !== '\r' && ch !== '\t' ? '' : ch,
  ).join('')
}

/** Whether a code point may appear in an XML 1.0 document at all, even escaped. */
function isXmlCharacter(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true
  if (code < 0x20) return false
  if (code >= 0xd800 && code <= 0xdfff) return false // a lone surrogate: Array.from keeps pairs whole
  return code !== 0xfffe && code !== 0xffff
}

/** Text as XML can carry it: characters XML forbids (a pasted terminal log's escapes, say) are dropped. */
export function toXmlText(text: string): string {
  let clean = true
  for (const ch of text) {
    if (!isXmlCharacter(ch.codePointAt(0) ?? 0)) {
      clean = false
      break
    }
  }
  if (clean) return text
  return Array.from(text)
    .filter((ch) => isXmlCharacter(ch.codePointAt(0) ?? 0))
    .join('')
}

/** Whether any control character (line breaks included) is in `text`. */
export const hasControlCharacters = (text: string): boolean =>
  Array.from(text).some((ch) => isControl(ch.charCodeAt(0)))

/**
 * "10,000": a whole number as English writes it. Not toLocaleString('en'), which wakes ICU: its
 * number data is ~5 MB of the node binary paged into memory, for a comma.
 */
export const formatCount = (n: number): string => String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, ',')

/** "1 post", "3 posts": a count with its noun; `many` for nouns that do not just take an s. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** `value` percent-decoded, or as it is when it holds a malformed escape (never throws). */
export function decodeOrKeep(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** Cuts `text` at a word boundary to at most `max` characters, adding an ellipsis when cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text
  const cut = text.slice(0, max - 1)
  const lastSpace = cut.lastIndexOf(' ')
  return `${(lastSpace > max * 0.6 ? cut.slice(0, lastSpace) : cut).replace(/[\s.,;:!?-]+$/, '')}…`
}
