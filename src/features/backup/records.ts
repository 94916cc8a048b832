// Owns the export folder's layout and what each of its files says: posts, pages, settings and the media index.
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Media, type PageStatus, type PostKind, type PostStatus, pages, posts } from '../../db/schema.ts'
import { loadPostContent } from '../content/revisions.ts'
import { tagNamesOf } from '../content/tags.ts'
import { parseVariants } from '../media/files.ts'
import { mediaUrl } from '../media/render.ts'
import { findMedia } from '../media/service.ts'
import { getSettings, type SettingsInput, settingsSchema } from '../settings/service.ts'
import { formatFrontMatter, toYaml } from './front-matter.ts'

/*
 * The folder an export writes, and import reads:
 *
 *   DIR/settings.yml         the site settings (the admin's Settings screen)
 *   DIR/posts/<slug>.md      one file per post: front matter, then the Markdown body as stored
 *   DIR/pages/<slug>.md      one file per page, the same way
 *   DIR/media/<file>         every uploaded image and its resized WebP copies, under their stored
 *                            names, so /media/<file> links in the Markdown keep working
 *   DIR/media/index.yml      what the media library knows about each image: alt text, size, copies
 *
 * The same site always gives the same bytes (fixed key order, LF, a final newline), so the folder
 * can be kept in git and a second export of an unchanged site changes nothing. Import trusts none
 * of media/: each image is decoded and re-encoded like an upload and its copies are made again
 * (import-media.ts), so a lossy JPEG or WebP comes back as a re-encoding, not the same bytes.
 */

/** What a post file holds, in the order its front matter lists it. */
export interface PostRecord {
  readonly title: string
  readonly slug: string
  readonly kind: PostKind
  readonly status: PostStatus
  readonly publishedAt: Date | null
  readonly updatedAt: Date
  readonly tags: readonly string[]
  readonly series: string | null
  readonly seriesPart: number | null
  readonly linkUrl: string | null
  readonly excerptMd: string
  readonly quoteMd: string
  /** Empty when Folio derives it from the text, so it keeps following the text after an import. */
  readonly metaDescription: string
  /** The feature image's /media/ URL; null for none. */
  readonly featureImage: string | null
  readonly bodyMd: string
}

export interface PageRecord {
  readonly title: string
  readonly slug: string
  readonly status: PageStatus
  readonly navOrder: number | null
  readonly metaDescription: string
  readonly updatedAt: Date
  readonly bodyMd: string
}

/** A code-unit order, the same on every machine and locale (localeCompare is neither). */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export const SETTINGS_FILE = 'settings.yml'
export const MEDIA_INDEX_FILE = 'index.yml'
/** The first line of settings.yml: how a later export recognises a folder it may tidy. */
export const SETTINGS_HEADER =
  '# Folio site settings. `npm run cli -- import DIR` reads this folder back into a site.\n'

export function postFileText(post: PostRecord): string {
  return formatFrontMatter(
    {
      title: post.title,
      slug: post.slug,
      kind: post.kind,
      status: post.status,
      published_at: post.publishedAt?.toISOString() ?? null,
      updated_at: post.updatedAt.toISOString(),
      tags: [...post.tags],
      series: post.series,
      series_part: post.seriesPart,
      link_url: post.linkUrl,
      excerpt: post.excerptMd,
      quote: post.quoteMd,
      meta_description: post.metaDescription,
      feature_image: post.featureImage,
    },
    post.bodyMd,
  )
}

export function pageFileText(page: PageRecord): string {
  return formatFrontMatter(
    {
      title: page.title,
      slug: page.slug,
      status: page.status,
      nav_order: page.navOrder,
      meta_description: page.metaDescription,
      updated_at: page.updatedAt.toISOString(),
    },
    page.bodyMd,
  )
}

export function settingsFileText(settings: SettingsInput): string {
  const ordered: Record<string, unknown> = {}
  for (const key of Object.keys(settingsSchema.shape)) ordered[key] = settings[key as keyof SettingsInput]
  return SETTINGS_HEADER + toYaml(ordered)
}

/** One post as its file describes it, or undefined when no post has that slug. */
export function readPostRecord(db: Db, slug: string): PostRecord | undefined {
  const row = db.select({ id: posts.id }).from(posts).where(eq(posts.slug, slug)).get()
  return row ? postRecordById(db, row.id) : undefined
}

export function postRecordById(db: Db, id: number): PostRecord | undefined {
  // The editor's own reading of a post, so "which description did the author write" is decided once.
  const content = loadPostContent(db, id)
  if (!content) return undefined
  return {
    title: content.title,
    slug: content.slug,
    kind: content.kind,
    status: content.status,
    publishedAt: content.publishedAt,
    updatedAt: content.updatedAt,
    tags: tagNamesOf(db, id).sort(byCodeUnit),
    series: content.series || null,
    seriesPart: content.series ? content.seriesPart : null,
    linkUrl: content.linkUrl,
    excerptMd: content.excerptMd,
    quoteMd: content.quoteMd,
    metaDescription: content.metaDescription,
    featureImage: content.featureImageId === null ? null : featureImageUrl(db, content.featureImageId),
    bodyMd: content.bodyMd,
  }
}

function featureImageUrl(db: Db, id: number): string | null {
  const row = findMedia(db, id)
  return row ? mediaUrl(row.fileName) : null
}

export function pageRecordOf(row: typeof pages.$inferSelect): PageRecord {
  return {
    title: row.title,
    slug: row.slug,
    status: row.status,
    navOrder: row.navOrder,
    metaDescription: row.metaDescription,
    updatedAt: row.updatedAt,
    bodyMd: row.bodyMd,
  }
}

export function readPageRecord(db: Db, slug: string): PageRecord | undefined {
  const row = db.select().from(pages).where(eq(pages.slug, slug)).get()
  return row ? pageRecordOf(row) : undefined
}

/** The settings as settings.yml holds them: what the author edits, without the rendered HTML. */
export function readSettings(db: Db): SettingsInput {
  const all = getSettings(db)
  const picked: Record<string, unknown> = {}
  for (const key of Object.keys(settingsSchema.shape)) picked[key] = all[key as keyof SettingsInput]
  return picked as SettingsInput
}

/** One entry of media/index.yml. */
export function mediaIndexEntry(row: Media): Record<string, unknown> {
  return {
    file: row.fileName,
    original_name: row.originalName,
    mime_type: row.mimeType,
    width: row.width,
    height: row.height,
    alt: row.alt,
    created_at: row.createdAt.toISOString(),
    variants: parseVariants(row.variants)
      .map((v) => ({ file: v.fileName, width: v.width, height: v.height, format: v.format }))
      .sort((a, b) => a.width - b.width || byCodeUnit(a.file, b.file)),
  }
}
