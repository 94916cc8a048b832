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
import { asc } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { media, pages, posts } from '../../db/schema.ts'
import { plural } from '../../lib/text.ts'
import { fileNamesOf } from '../media/files.ts'
import { toYaml } from './front-matter.ts'
import {
  byCodeUnit,
  MEDIA_INDEX_FILE,
  mediaIndexEntry,
  pageFileText,
  pageRecordOf,
  postFileText,
  postRecordById,
  readSettings,
  SETTINGS_FILE,
  SETTINGS_HEADER,
  settingsFileText,
} from './records.ts'

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
  /** Called after each post, page and image, with how many of how many. */
  readonly onProgress?: (done: number, total: number) => void
}

/** Writes the site to `dir` (see the layout in records.ts). Reads the database only. */
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

    const postIds = db.select({ id: posts.id }).from(posts).orderBy(asc(posts.slug)).all()
    const pageRows = db.select().from(pages).orderBy(asc(pages.slug)).all()
    const mediaRows = db.select().from(media).all()
    const total = postIds.length + pageRows.length + mediaRows.length
    let done = 0
    const step = (): void => options.onProgress?.(++done, total)

    const postFiles = new Set<string>()
    for (const { id } of postIds) {
      const record = postRecordById(db, id)
      if (record) {
        const name = `${record.slug}.md`
        postFiles.add(name)
        writeIfChanged(join(postsDir, name), postFileText(record))
      }
      step()
    }

    const pageFiles = new Set<string>()
    for (const row of pageRows) {
      const name = `${row.slug}.md`
      pageFiles.add(name)
      writeIfChanged(join(pagesDir, name), pageFileText(pageRecordOf(row)))
      step()
    }

    mediaRows.sort((a, b) => byCodeUnit(a.fileName, b.fileName))
    const mediaFiles = new Set<string>([MEDIA_INDEX_FILE])
    const missingMedia: string[] = []
    for (const row of mediaRows) {
      for (const name of fileNamesOf(row)) {
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
      step()
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
