// Owns turning whatever a visitor types into a safe SQLite FTS5 query.

export const MAX_QUERY_LENGTH = 200
const MAX_TERMS = 12
const WORD = /[\p{L}\p{N}_]+/gu

export interface ParsedQuery {
  /** The FTS5 MATCH expression, or null when the input holds nothing searchable. */
  readonly match: string | null
  readonly truncated: boolean
}

/**
 * Every term is quoted, so FTS5 syntax in the input (`"`, `*`, `NEAR(`, `AND`, `:`) can never
 * cause an error: "quoted phrases" stay phrases and a trailing `*` asks for a prefix match.
 */
export function parseSearchQuery(input: string): ParsedQuery {
  const truncated = input.length > MAX_QUERY_LENGTH
  const text = input.slice(0, MAX_QUERY_LENGTH)
  const parts: string[] = []
  let terms = 0
  const tokens = text.matchAll(/"([^"]*)"?|(\S+)/g)
  for (const token of tokens) {
    if (terms >= MAX_TERMS) break
    const [, phrase, bare] = token
    if (phrase !== undefined) {
      const words = (phrase.match(WORD) ?? []).slice(0, MAX_TERMS - terms)
      if (words.length === 0) continue
      terms += words.length
      parts.push(`"${words.join(' ')}"`)
    } else if (bare !== undefined) {
      const words = (bare.match(WORD) ?? []).slice(0, MAX_TERMS - terms)
      if (words.length === 0) continue
      terms += words.length
      const prefix = bare.endsWith('*')
      words.forEach((word, i) => {
        parts.push(prefix && i === words.length - 1 ? `"${word}"*` : `"${word}"`)
      })
    }
  }
  return { match: parts.length > 0 ? parts.join(' ') : null, truncated }
}
