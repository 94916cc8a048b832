// Owns the small rules both export readers share: old paths and which entry claims each, plain text from the old site's markup, fallback titles, the authors note, line numbers for messages.
import { htmlToText } from '../../lib/markdown.ts'
import { plural, truncateText } from '../../lib/text.ts'
import type { ImportBundle, ImportedEntry } from './model.ts'
import { oldPathKey } from './old-paths.ts'

/** How many names a note lists before "and N more". */
const NAMES_IN_A_NOTE = 10
const TITLE_FROM_TEXT_LENGTH = 60

/** The old site's address without a trailing slash, or '' when it is not an http(s) URL. */
export function siteAddress(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '')
  return /^https?:\/\/[^/]/i.test(trimmed) && URL.canParse(trimmed) ? trimmed : ''
}

/** The path the old blog lived under ("/blog"), '' at the root: every path it answered starts there. */
export function basePathOf(siteUrl: string): string {
  if (!siteUrl) return ''
  return new URL(siteUrl).pathname.replace(/\/+$/, '')
}

/**
 * Redirect keys (oldPathKey) for old URLs: absolute URLs as they are, site paths ("/?p=3",
 * "/2019/03/x") under `basePath`. Unusable ones are dropped and each key is kept once.
 */
export function oldPathKeys(basePath: string, pathsOrUrls: readonly string[]): string[] {
  const keys = new Set<string>()
  for (const value of pathsOrUrls) {
    if (!value) continue
    const key = oldPathKey(/^https?:\/\//i.test(value) ? value : `${basePath}${value}`)
    if (key) keys.add(key)
  }
  return [...keys]
}

/** Text as people read it from the old site's titles and names: tags stripped, entities decoded. */
export function plainText(html: string): string {
  return html.includes('<') || html.includes('&') ? htmlToText(html) : html.replace(/\s+/g, ' ').trim()
}

/**
 * A title for an item the old site showed without one (asides, statuses, link posts): its first
 * words, else the link, else "Untitled"; and the note that says so.
 */
export function titleOrFallback(
  title: string,
  bodyHtml: string,
  linkUrl: string,
): { title: string; note: string | null } {
  if (title) return { title, note: null }
  const withoutShortcodes = bodyHtml.replace(/\[\/?[a-z][\w-]*[^\]]*\]/gi, ' ')
  const fromText = truncateText(plainText(withoutShortcodes), TITLE_FROM_TEXT_LENGTH)
  const fallback = fromText || linkUrl || 'Untitled'
  return { title: fallback, note: `had no title: titled “${fallback}”` }
}

/** The same old path never points at two entries: pages claim theirs first, then posts in file order. */
export function claimOldPaths(entries: readonly ImportedEntry[]): ImportedEntry[] {
  const claimed = new Set<string>()
  const claim = (entry: ImportedEntry): ImportedEntry => {
    const oldPaths = entry.oldPaths.filter((path) => !claimed.has(path))
    for (const path of oldPaths) claimed.add(path)
    return oldPaths.length === entry.oldPaths.length ? entry : { ...entry, oldPaths }
  }
  const pages = new Map(entries.filter((e) => e.kind === 'page').map((e) => [e, claim(e)]))
  return entries.map((entry) => pages.get(entry) ?? claim(entry))
}

/** "3 authors mapped to you: Ann, Bo and Cy." — one note for the whole file, or none. */
export function authorsNote(names: readonly string[]): string | null {
  const unique = [...new Set(names.filter(Boolean))]
  if (unique.length === 0) return null
  const shown = unique.slice(0, NAMES_IN_A_NOTE)
  const more = unique.length - shown.length
  const list = more > 0 ? `${shown.join(', ')} and ${more} more` : joinNames(shown)
  return `${plural(unique.length, 'author')} mapped to you: ${list}.`
}

function joinNames(names: readonly string[]): string {
  if (names.length < 2) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

type PathRedirect = ImportBundle['pathRedirects'][number]

/** Each old path redirects once: an entry's or tag's own paths win over the site-wide ones. */
export function uniqueRedirects(
  entries: readonly ImportedEntry[],
  tags: ImportBundle['tags'],
  redirects: readonly PathRedirect[],
): PathRedirect[] {
  const taken = new Set([...entries.flatMap((e) => e.oldPaths), ...tags.flatMap((t) => t.oldPaths)])
  return redirects.filter(({ fromPath }) => {
    if (taken.has(fromPath)) return false
    taken.add(fromPath)
    return true
  })
}

/** The 1-based line of `position` in `text`, for messages about where a file breaks. */
export function lineAt(text: string, position: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) line += 1
  return line
}
