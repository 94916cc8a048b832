// Owns knowing whether a path a beacon names is a real public page, so a made-up one is never stored. Reads only, one indexed lookup.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { pages, posts, series, tags } from '../../db/schema.ts'
import {
  CONFIRM_SUBSCRIPTION_PATH,
  pageUrl,
  postUrl,
  SUBSCRIBE_PATH,
  seriesUrl,
  tagUrl,
} from '../../lib/urls.ts'
import { isPublicPage, isPublicPost } from '../content/visibility.ts'
import { MAX_PATH_LENGTH } from './classify.ts'

/** Pages that are always there. */
const FIXED = new Set([
  '/',
  '/posts',
  '/tags',
  '/search',
  '/contact',
  '/contact/thanks',
  SUBSCRIBE_PATH,
  CONFIRM_SUBSCRIPTION_PATH,
])

/** The slug in `path` after `prefix`, when `build(slug)` gives `path` back exactly (one form per page). */
function slugAfter(path: string, prefix: string, build: (slug: string) => string): string | undefined {
  if (!path.startsWith(prefix)) return undefined
  const rest = path.slice(prefix.length)
  if (!rest || rest.includes('/')) return undefined
  try {
    const slug = decodeURIComponent(rest)
    return build(slug) === path ? slug : undefined
  } catch {
    return undefined
  }
}

/**
 * Which post or page a stored path names, by its slug: the one rule the beacons and the stats page
 * share. Only the one form postUrl/pageUrl build counts (pagePath has already dropped a trailing slash).
 */
export function contentSlugOf(path: string): { kind: 'post' | 'page'; slug: string } | undefined {
  const post = slugAfter(path, '/posts/', postUrl)
  if (post !== undefined) return { kind: 'post', slug: post }
  const page = slugAfter(path, '/', pageUrl)
  return page === undefined ? undefined : { kind: 'page', slug: page }
}

/** Whether `path` is a page a reader can see right now: a public post, page, tag, series or a fixed page. */
export function isPublicPagePath(db: Db, path: string, now: Date): boolean {
  if (path.length > MAX_PATH_LENGTH || !path.startsWith('/')) return false
  if (FIXED.has(path)) return true
  const post = slugAfter(path, '/posts/', postUrl)
  if (post !== undefined)
    return !!db
      .select({ id: posts.id })
      .from(posts)
      .where(and(eq(posts.slug, post), isPublicPost(now)))
      .get()
  const tag = slugAfter(path, '/tags/', tagUrl)
  if (tag !== undefined) return !!db.select({ id: tags.id }).from(tags).where(eq(tags.slug, tag)).get()
  const part = slugAfter(path, '/series/', seriesUrl)
  if (part !== undefined)
    return !!db.select({ id: series.id }).from(series).where(eq(series.slug, part)).get()
  const page = slugAfter(path, '/', pageUrl)
  if (page !== undefined)
    return !!db
      .select({ id: pages.id })
      .from(pages)
      .where(and(eq(pages.slug, page), isPublicPage()))
      .get()
  return false
}

/** A public post's path by its id, for the end-of-article mark; undefined when there is no such public post. */
export function publicPostPath(db: Db, id: number, now: Date): string | undefined {
  const row = db
    .select({ slug: posts.slug })
    .from(posts)
    .where(and(eq(posts.id, id), isPublicPost(now)))
    .get()
  return row ? postUrl(row.slug) : undefined
}
