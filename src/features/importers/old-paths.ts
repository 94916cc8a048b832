// Owns how an old site's URL becomes the key of its redirect: the one rule both the importers (writing) and the site (answering) use.
import { decodeOrKeep } from '../../lib/text.ts'

/**
 * WordPress's query-string permalinks whose value names a thing: `/?p=123`, `/?page_id=7`,
 * `/?cat=3`, `/?tag=x`, `/?feed=rss2`, `/?author=2`, and its search, `/?s=words` (alone).
 */
export const OLD_QUERY_KEYS = ['author', 'cat', 'feed', 'p', 'page_id', 's', 'tag'] as const

/** What a path alone is read against: only its path and query are kept. */
const OLD_BASE = 'http://old.invalid'

/** A stored or looked-up key never exceeds this; longer request paths are not redirects. */
export const MAX_OLD_PATH_LENGTH = 600

/**
 * The redirect key for an old URL or a request target: its path percent-decoded, without trailing
 * slashes or a leading `/index.php` (WordPress's PATHINFO permalinks), plus only the WordPress
 * query keys above, sorted. Null when nothing is left to redirect (the bare home page) or it is
 * malformed or too long. `https://old.example/2019/03/hello/?utm=x` and `/2019/03/hello` give
 * the same key, "/2019/03/hello".
 */
export function oldPathKey(urlOrPath: string): string | null {
  if (urlOrPath.length > MAX_OLD_PATH_LENGTH * 3) return null
  if (!URL.canParse(urlOrPath, OLD_BASE)) return null
  const url = new URL(urlOrPath, OLD_BASE)
  let path = decodeOrKeep(url.pathname)
    .replace(/^\/index\.php(?=\/|$)/, '')
    .replace(/\/+$/, '')
  if (path === '') path = '/'
  const kept = new URLSearchParams()
  for (const key of OLD_QUERY_KEYS) {
    const value = url.searchParams.get(key)
    if (value) kept.set(key, value)
  }
  // A search term beside a thing's key (`/?p=1&s=x`, a link that highlights the words) is that thing's URL.
  if (kept.size > 1) kept.delete('s')
  const query = kept.toString()
  if (path === '/' && !query) return null
  const key = query ? `${path}?${query}` : path
  return key.length > MAX_OLD_PATH_LENGTH ? null : key
}
