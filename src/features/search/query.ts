// Owns turning whatever a visitor types into a safe and bounded SQLite FTS5 query.

export const MAX_QUERY_LENGTH = 200
/** Every common word ANDed in costs the ranking a pass over most posts; 8 keeps the worst query near 25 ms at 10,000 posts. */
export const MAX_TERMS = 8
/** A prefix shorter than this expands to a large part of the vocabulary with no prefix index behind it (`a*`: 135 ms alone). */
export const MIN_PREFIX_LENGTH = 2
const WORD = /[\p{L}\p{N}_]+/gu

export interface ParsedQuery {
  /** The FTS5 MATCH expression, or null when the input holds nothing searchable. */
  readonly match: string | null
  readonly truncated: boolean
  /** How many words were left out because the query had more than MAX_TERMS. */
  readonly droppedTerms: number
  /** Prefixes too short to search as prefixes, searched as whole words instead. */
  readonly shortPrefixes: readonly string[]
}

/**
 * Every term is quoted, so FTS5 syntax in the input (`"`, `*`, `NEAR(`, `AND`, `:`) can never
 * cause an error: "quoted phrases" stay phrases and a trailing `*` asks for a prefix match.
 */
export function parseSearchQuery(input: string): ParsedQuery {
  const truncated = input.length > MAX_QUERY_LENGTH
  const text = input.slice(0, MAX_QUERY_LENGTH)
  const parts: string[] = []
  const shortPrefixes: string[] = []
  let terms = 0
  let droppedTerms = 0
  for (const [, phrase, bare] of text.matchAll(/"([^"]*)"?|(\S+)/g)) {
    const found = (phrase ?? bare ?? '').match(WORD) ?? []
    const words = found.slice(0, Math.max(0, MAX_TERMS - terms))
    droppedTerms += found.length - words.length
    if (words.length === 0) continue
    terms += words.length
    if (phrase !== undefined) {
      parts.push(`"${words.join(' ')}"`)
      continue
    }
    const prefix = bare?.endsWith('*') && words.length === found.length
    words.forEach((word, i) => {
      const last = i === words.length - 1
      if (prefix && last && word.length < MIN_PREFIX_LENGTH) shortPrefixes.push(word)
      const part = prefix && last && word.length >= MIN_PREFIX_LENGTH ? `"${word}"*` : `"${word}"`
      // The same term twice adds nothing to an AND but another pass over the index, and leaves
      // room in MAX_TERMS for a word that narrows the search.
      if (parts.some((p) => p.toLowerCase() === part.toLowerCase())) terms -= 1
      else parts.push(part)
    })
  }
  return { match: parts.length > 0 ? parts.join(' ') : null, truncated, droppedTerms, shortPrefixes }
}
