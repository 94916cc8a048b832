// Owns an imported blog's old URLs: storing where each one goes, and finding where it goes now (its old searches and its entries' feeds and AMP copies included).
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { pages, posts, redirects } from '../../db/schema.ts'
import { isSitePath, pageUrl, postUrl, searchUrl } from '../../lib/urls.ts'
import { isPublicPage, isPublicPost } from '../content/visibility.ts'
import { oldPathKey } from './old-paths.ts'

/** Where an old URL goes: a post or page (followed at request time, so a rename still lands) or a fixed Folio path. */
export type RedirectTarget = { postId: number } | { pageId: number } | { toPath: string }

/**
 * Stores `key` (made by oldPathKey) as answering with `target`. A key already stored keeps its
 * first target, so a second import changes nothing. Returns whether a row was added.
 */
export function addRedirect(db: Db, key: string, target: RedirectTarget, now: Date): boolean {
  if ('toPath' in target && !isSitePath(target.toPath)) {
    throw new Error(`A redirect must point at a path on this site, not ${JSON.stringify(target.toPath)}`)
  }
  const result = db
    .insert(redirects)
    .values({
      fromPath: key,
      postId: 'postId' in target ? target.postId : null,
      pageId: 'pageId' in target ? target.pageId : null,
      toPath: 'toPath' in target ? target.toPath : '',
      createdAt: now,
    })
    .onConflictDoNothing()
    .run()
  return result.changes > 0
}

const OLD_SEARCH_PREFIX = '/search/'

/** WordPress's search, `/?s=words` or `/search/words/`: Folio's search for the same words. */
function searchPathOf(key: string): string | undefined {
  if (key.startsWith('/?s=')) {
    const query = new URLSearchParams(key.slice(2))
    const words = query.get('s')?.trim()
    return words && query.size === 1 ? searchUrl(words) : undefined
  }
  if (!key.startsWith(OLD_SEARCH_PREFIX)) return undefined
  const words = key.slice(OLD_SEARCH_PREFIX.length).split('/', 1)[0]?.replace(/\+/g, ' ').trim()
  return words ? searchUrl(words) : undefined
}

/** An entry's own feed or AMP copy (`/2019/03/slug/feed/`, `/slug/amp/`): answered by the entry's own redirect. */
const ENTRY_SUFFIX = /\/(?:feed(?:\/(?:rss2?|atom|rdf))?|amp)$/
/** A resized copy of an image the old site made, WordPress's "pic-300x200.jpg": answered by the original's redirect. */
const WORDPRESS_SIZE = /-\d{1,5}x\d{1,5}(?=\.[A-Za-z0-9]{2,5}$)/
/** Ghost's resized copies live under /content/images/size/w600/ beside the originals. */
const GHOST_SIZE = /^\/content\/images\/size\/w\d+(?:h\d+)?\//

/**
 * The key that answers for `key` when it has no redirect of its own: an entry's for its feed or
 * AMP copy, the original image's for a resized copy; undefined for any other key.
 */
function fallbackKey(key: string): string | undefined {
  const suffix = ENTRY_SUFFIX.exec(key)
  if (suffix) return suffix.index > 0 ? key.slice(0, suffix.index) : undefined
  if (WORDPRESS_SIZE.test(key)) return key.replace(WORDPRESS_SIZE, '')
  if (GHOST_SIZE.test(key)) return key.replace(GHOST_SIZE, '/content/images/')
  return undefined
}

function findRow(db: Db, key: string, now: Date) {
  return db
    .select({
      postId: redirects.postId,
      pageId: redirects.pageId,
      toPath: redirects.toPath,
      postSlug: posts.slug,
      pageSlug: pages.slug,
    })
    .from(redirects)
    .leftJoin(posts, and(eq(posts.id, redirects.postId), isPublicPost(now)))
    .leftJoin(pages, and(eq(pages.id, redirects.pageId), isPublicPage()))
    .where(eq(redirects.fromPath, key))
    .get()
}

/**
 * Where an old URL (or a request target) should send a visitor at `now`: a post's or page's
 * current URL while it is public, the stored path otherwise; undefined for an unknown URL and for
 * a target nobody may see (a draft stays a 404). An old search goes to Folio's search, an entry's
 * own feed or AMP copy to the entry, a resized copy of an image to the original's place. One
 * primary-key read; two for such a copy without a redirect of its own.
 */
export function resolveRedirect(db: Db, urlOrPath: string, now: Date): string | undefined {
  const key = oldPathKey(urlOrPath)
  if (key === null) return undefined
  const search = searchPathOf(key)
  if (search !== undefined) return search
  const fallback = fallbackKey(key)
  const row = findRow(db, key, now) ?? (fallback === undefined ? undefined : findRow(db, fallback, now))
  if (!row) return undefined
  if (row.postId !== null) return row.postSlug ? postUrl(row.postSlug) : undefined
  if (row.pageId !== null) return row.pageSlug ? pageUrl(row.pageSlug) : undefined
  return isSitePath(row.toPath) ? row.toPath : undefined
}
