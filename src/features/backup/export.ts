// Owns `export DIR`: the site as Markdown files with YAML front matter, its settings and its media.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { asc, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import {
  type Media,
  media,
  type PageStatus,
  type PostKind,
  type PostStatus,
  pages,
  posts,
  postTags,
  tags,
} from '../../db/schema.ts'
import { htmlToText, truncateText } from '../../lib/markdown.ts'
import { loadPostContent } from '../content/revisions.ts'
import { parseVariants } from '../media/service.ts'
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
 * can be kept in git and a second export of an unchanged site changes nothing.
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

function tagNamesOf(db: Db, postId: number): string[] {
  return db
    .select({ name: tags.name })
    .from(postTags)
    .innerJoin(tags, eq(tags.id, postTags.tagId))
    .where(eq(postTags.postId, postId))
    .all()
    .map((t) => t.name)
    .sort(byCodeUnit)
}

/** One post as its file describes it, or undefined when no post has that slug. */
export function readPostRecord(db: Db, slug: string): PostRecord | undefined {
  const row = db.select({ id: posts.id }).from(posts).where(eq(posts.slug, slug)).get()
  return row ? postRecordById(db, row.id) : undefined
}

function postRecordById(db: Db, id: number): PostRecord | undefined {
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
    tags: tagNamesOf(db, id),
    series: content.series || null,
    seriesPart: content.series ? content.seriesPart : null,
    linkUrl: content.linkUrl,
    excerptMd: content.excerptMd,
    quoteMd: content.quoteMd,
    metaDescription: content.metaDescription,
    bodyMd: content.bodyMd,
  }
}

function pageRecordOf(row: typeof pages.$inferSelect): PageRecord {
  // savePage fills an empty description from the body; exporting that would freeze it.
  const derived = truncateText(htmlToText(row.bodyHtml), 160)
  return {
    title: row.title,
    slug: row.slug,
    status: row.status,
    navOrder: row.navOrder,
    metaDescription: row.metaDescription === derived ? '' : row.metaDescription,
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

export class ExportFolderError extends Error {
  override name = 'ExportFolderError'
}

/**
 * An export tidies its folder (removing files of posts that no longer exist), so it only writes
 * into a folder that is empty but for dotfiles such as .git, or that an earlier export wrote.
 */
function checkFolder(dir: string, force: boolean): void {
  if (!existsSync(dir)) return
  if (!statSync(dir).isDirectory()) throw new ExportFolderError(`${dir} is a file, not a folder.`)
  const visible = readdirSync(dir).filter((name) => !name.startsWith('.'))
  if (visible.length === 0 || force) return
  const settings = join(dir, SETTINGS_FILE)
  if (existsSync(settings) && readFileSync(settings, 'utf8').startsWith(SETTINGS_HEADER)) return
  throw new ExportFolderError(
    `${dir} is not empty and was not written by an earlier export. Choose an empty folder, or add --force to export into it anyway (files in its posts/, pages/ and media/ folders that the export does not write are removed).`,
  )
}

export interface ExportResult {
  readonly posts: number
  readonly pages: number
  readonly media: number
  /** Originals and their resized copies. */
  readonly mediaFiles: number
  /** Files written because they were new or different; the rest were already identical. */
  readonly written: number
  /** Files of posts, pages or images that no longer exist on the site. */
  readonly removed: string[]
  /** Images the library lists whose files are missing from MEDIA_DIR. */
  readonly missingMedia: string[]
}

export interface ExportOptions {
  readonly mediaDir: string
  /** Export into a non-empty folder that no earlier export wrote. */
  readonly force?: boolean
}

/** Writes the site to `dir` (see the layout above). Reads the database only. */
export function exportSite(db: Db, dir: string, options: ExportOptions): ExportResult {
  checkFolder(dir, options.force ?? false)
  const postsDir = join(dir, 'posts')
  const pagesDir = join(dir, 'pages')
  const mediaOut = join(dir, 'media')
  for (const folder of [postsDir, pagesDir, mediaOut]) mkdirSync(folder, { recursive: true })

  let written = 0
  const writeIfChanged = (path: string, text: string): void => {
    if (existsSync(path) && readFileSync(path, 'utf8') === text) return
    writeFileSync(path, text)
    written += 1
  }

  // One read transaction, so posts, pages, settings and media come from the same moment.
  return db.transaction(() => {
    writeIfChanged(join(dir, SETTINGS_FILE), settingsFileText(readSettings(db)))

    const postFiles = new Set<string>()
    const postIds = db.select({ id: posts.id }).from(posts).orderBy(asc(posts.slug)).all()
    for (const { id } of postIds) {
      const record = postRecordById(db, id)
      if (!record) continue
      const name = `${record.slug}.md`
      postFiles.add(name)
      writeIfChanged(join(postsDir, name), postFileText(record))
    }

    const pageFiles = new Set<string>()
    for (const row of db.select().from(pages).orderBy(asc(pages.slug)).all()) {
      const name = `${row.slug}.md`
      pageFiles.add(name)
      writeIfChanged(join(pagesDir, name), pageFileText(pageRecordOf(row)))
    }

    const mediaRows = db.select().from(media).all()
    mediaRows.sort((a, b) => byCodeUnit(a.fileName, b.fileName))
    const mediaFiles = new Set<string>([MEDIA_INDEX_FILE])
    const missingMedia: string[] = []
    for (const row of mediaRows) {
      for (const name of [row.fileName, ...parseVariants(row.variants).map((v) => v.fileName)]) {
        const from = join(options.mediaDir, name)
        const to = join(mediaOut, name)
        mediaFiles.add(name)
        if (!existsSync(from)) {
          missingMedia.push(name)
          continue
        }
        // Stored names carry a hash of the upload, so a file of the same name and size is this file.
        if (existsSync(to) && statSync(to).size === statSync(from).size) continue
        copyFileSync(from, to)
        written += 1
      }
    }
    writeIfChanged(join(mediaOut, MEDIA_INDEX_FILE), toYaml(mediaRows.map(mediaIndexEntry)))

    const removed = [
      ...removeOthers(postsDir, postFiles, (name) => name.endsWith('.md')).map((n) => `posts/${n}`),
      ...removeOthers(pagesDir, pageFiles, (name) => name.endsWith('.md')).map((n) => `pages/${n}`),
      ...removeOthers(mediaOut, mediaFiles, () => true).map((n) => `media/${n}`),
    ]
    return {
      posts: postFiles.size,
      pages: pageFiles.size,
      media: mediaRows.length,
      mediaFiles: mediaFiles.size - 1 - missingMedia.length,
      written,
      removed,
      missingMedia,
    }
  })
}

/** Deletes the regular, non-hidden files in `dir` that this export did not write. */
function removeOthers(dir: string, keep: ReadonlySet<string>, owned: (name: string) => boolean): string[] {
  const removed: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.') || keep.has(entry.name) || !owned(entry.name)) continue
    unlinkSync(join(dir, entry.name))
    removed.push(entry.name)
  }
  return removed.sort(byCodeUnit)
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** What `export` prints. */
export function describeExport(result: ExportResult, dir: string): string {
  const lines = [
    `Exported ${plural(result.posts, 'post')}, ${plural(result.pages, 'page')}, the settings and ${plural(result.media, 'image')} (${plural(result.mediaFiles, 'media file')}) to ${dir}.`,
    result.written === 0
      ? 'Nothing changed since the last export.'
      : `${plural(result.written, 'file')} written.`,
  ]
  if (result.removed.length > 0)
    lines.push(
      `Removed ${plural(result.removed.length, 'file')} of things no longer on the site: ${result.removed.join(', ')}.`,
    )
  for (const name of result.missingMedia)
    lines.push(
      `Warning: the media library lists ${name}, but it is not in MEDIA_DIR, so it was not exported.`,
    )
  return lines.join('\n')
}
