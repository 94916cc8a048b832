// Owns what one Ghost post or page becomes: status, visibility, dates, body (html, else plaintext), excerpt, feature image, meta, tags, old URLs, comments and notes.
import { escapeHtml } from '../../lib/html.ts'
import { sameSiteLinksRelative, withSiteAddress } from './convert-links.ts'
import type { ImportedComment, ImportedEntry, ImportedStatus, ImportedTag, SkippedItem } from './model.ts'
import { oldPathKeys, titleOrFallback } from './reader-common.ts'

/** One row of a Ghost table, as the export's JSON has it. */
export type GhostRow = { readonly [column: string]: unknown }

/** What the whole export tells each post: its tags, meta row and comments, and where the site lived. */
export interface PostContext {
  /** The old site's address, for `__GHOST_URL__` and its own links ('' leaves site-relative paths). */
  readonly siteUrl: string
  readonly basePath: string
  readonly tagsByPost: ReadonlyMap<string, readonly ImportedTag[]>
  readonly metaByPost: ReadonlyMap<string, GhostRow>
  readonly commentsByPost: ReadonlyMap<string, readonly ImportedComment[]>
  /** Ghost 1's date-based permalink setting ("/:year/:month/:day/:slug/"), '' for the default /slug/. */
  readonly permalink: string
}

export type PostReading = { readonly entry: ImportedEntry } | { readonly skipped: SkippedItem }

/** A cell as text: strings as they are, numbers written out, anything else ''. */
export function cell(row: GhostRow, column: string): string {
  const value = row[column]
  if (typeof value === 'string') return value
  return typeof value === 'number' ? String(value) : ''
}

/** A Ghost date: ISO text (Ghost 1+) or milliseconds (Ghost 0.x); null when absent or unreadable. */
export function ghostDate(value: unknown): Date | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null
  const date = new Date(value)
  return value === '' || Number.isNaN(date.getTime()) ? null : date
}

/**
 * What an import remembers a Ghost row by: its uuid, unique across blogs, else its id (Ghost 0.x
 * and 1.x numbered posts 1, 2, 3… on every blog, so two blogs' ids collide).
 */
export const sourceIdOf = (row: GhostRow): string => cell(row, 'uuid').trim() || cell(row, 'id')

export function readPost(post: GhostRow, ctx: PostContext): PostReading {
  // The export's other tables point at `id`; the import remembers the post by its sourceId.
  const id = cell(post, 'id')
  const sourceId = sourceIdOf(post)
  const kind = cell(post, 'type') === 'page' || post.page === true || post.page === 1 ? 'page' : 'post'
  const title = cell(post, 'title').trim()
  if (!id) return { skipped: { kind, sourceId, title, reason: 'it has no id in the export' } }
  const body = bodyOf(post)
  if (body === null) return { skipped: { kind, sourceId, title, reason: 'no HTML in the export' } }
  const notes: string[] = []
  if (body.fromPlaintext) notes.push('the export had no HTML: its plain text was imported')
  const status = statusOf(cell(post, 'status'), cell(post, 'visibility'), notes)
  if (post.featured === true || post.featured === 1) notes.push('featured on Ghost')
  const meta = ctx.metaByPost.get(id) ?? post
  const metaTitle = cell(meta, 'meta_title').trim()
  if (metaTitle && metaTitle !== title) notes.push(`its meta title “${metaTitle}” was not imported`)
  const html = withSiteAddress(sameSiteLinksRelative(body.html, ctx.siteUrl), ctx.siteUrl)
  const titled = titleOrFallback(title, html, '')
  if (titled.note) notes.push(titled.note)
  const publishedAt = ghostDate(post.published_at)
  const slug = cell(post, 'slug').trim()
  return {
    entry: {
      kind,
      sourceId,
      title: titled.title,
      slug,
      status,
      publishedAt,
      body: html,
      bodyFormat: 'html',
      excerpt: cell(post, 'custom_excerpt').trim(),
      tags: ctx.tagsByPost.get(id) ?? [],
      linkUrl: '',
      quoteHtml: '',
      featureImageUrl: imageUrl(withSiteAddress(cell(post, 'feature_image').trim(), ctx.siteUrl)),
      metaDescription: cell(meta, 'meta_description').trim(),
      oldPaths: slug ? oldPathKeys(ctx.basePath, postPaths(kind, slug, id, publishedAt, ctx.permalink)) : [],
      comments: ctx.commentsByPost.get(id) ?? [],
      attachedImages: [],
      notes,
    },
  }
}

/** An http(s) URL or a path on the old site; anything else (a data: or javascript: URL) is no image. */
function imageUrl(value: string): string {
  return /^(https?:\/\/|\/(?!\/))/i.test(value) ? value : ''
}

/** The post's HTML; else its plain text as paragraphs; null when the export has neither. */
function bodyOf(post: GhostRow): { html: string; fromPlaintext: boolean } | null {
  if (typeof post.html === 'string') return { html: post.html, fromPlaintext: false }
  const text = cell(post, 'plaintext').trim()
  if (!text) return null
  const paragraphs = text.split(/\n\s*\n/).map((p) => `<p>${escapeHtml(p.trim())}</p>`)
  return { html: paragraphs.join('\n'), fromPlaintext: true }
}

function statusOf(status: string, visibility: string, notes: string[]): ImportedStatus {
  let wanted: ImportedStatus
  if (status === 'published' || status === 'scheduled' || status === 'draft') wanted = status
  else if (status === 'sent') {
    notes.push('sent as an email only on Ghost: imported as published')
    wanted = 'published'
  } else {
    notes.push(`status “${status || 'none'}” on Ghost: imported as a draft`)
    wanted = 'draft'
  }
  if (wanted === 'draft' || !visibility || visibility === 'public') return wanted
  notes.push(`for members only on Ghost (“${visibility}”): imported as a draft, since Folio posts are public`)
  return 'draft'
}

/** Ghost answers a post at /slug/ (and /slug/amp/ while AMP was on), or at Ghost 1's dated permalink. */
function postPaths(
  kind: 'post' | 'page',
  slug: string,
  id: string,
  publishedAt: Date | null,
  permalink: string,
): string[] {
  const paths = [`/${slug}`]
  if (kind === 'page') return paths
  paths.push(`/${slug}/amp`)
  if (permalink && publishedAt) {
    const iso = publishedAt.toISOString()
    const dated = permalink
      .replace(':year', iso.slice(0, 4))
      .replace(':month', iso.slice(5, 7))
      .replace(':day', iso.slice(8, 10))
      .replace(':slug', slug)
      .replace(':id', id)
    if (!dated.includes(':')) paths.push(dated)
  }
  return paths
}
