// Owns `import DIR`: reading an export folder back into a site through the admin's own services.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from '../../db/client.ts'
import { plural } from '../../lib/text.ts'
import { importPages, importPosts, importSettings, type SettingsOutcome } from './import-content.ts'
import { type ImportCounts, type ImportProblem, markdownFiles } from './import-files.ts'
import { importMedia } from './import-media.ts'
import { SETTINGS_FILE } from './records.ts'

export interface ImportResult {
  readonly posts: ImportCounts
  readonly pages: ImportCounts
  readonly media: ImportCounts
  readonly settings: SettingsOutcome
  /** Files that were skipped, and why. */
  readonly problems: ImportProblem[]
}

export class ImportFolderError extends Error {
  override name = 'ImportFolderError'
}

export interface ImportOptions {
  readonly mediaDir: string
  readonly now?: Date
  /** Called after each part (media, settings, pages, posts), counted in the folder's files. */
  readonly onProgress?: (done: number, total: number) => void
}

/** How many files of the folder each part reads, for progress: a rough count, taken once. */
function partSizes(dir: string): number[] {
  const media = join(dir, 'media')
  return [
    existsSync(media) && statSync(media).isDirectory() ? readdirSync(media).length : 0,
    1,
    markdownFiles(join(dir, 'pages')).length,
    markdownFiles(join(dir, 'posts')).length,
  ]
}

/**
 * Reads an export folder (see records.ts for its layout) into the site: media first, so the posts
 * that show them render with their sizes, then settings, pages and posts. Posts and pages are
 * matched by slug: an existing one is updated, a new one created, and nothing is deleted.
 * An invalid file is reported in `problems` and skipped; everything else is still imported.
 */
export async function importSite(db: Db, dir: string, options: ImportOptions): Promise<ImportResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ImportFolderError(`There is no folder ${dir}.`)
  const parts = [SETTINGS_FILE, 'posts', 'pages', 'media']
  if (!parts.some((part) => existsSync(join(dir, part))))
    throw new ImportFolderError(
      `${dir} holds none of settings.yml, posts/, pages/ or media/, so it is not a folder \`export\` wrote.`,
    )
  const now = options.now ?? new Date()
  const problems: ImportProblem[] = []
  const sizes = options.onProgress ? partSizes(dir) : []
  const total = sizes.reduce((sum, size) => sum + size, 0)
  let done = 0
  const finished = (part: number): void => {
    done += sizes[part] ?? 0
    options.onProgress?.(done, total)
  }
  const mediaCounts = await importMedia(db, dir, options.mediaDir, now, problems)
  finished(0)
  const settings = await importSettings(db, dir, now, problems)
  finished(1)
  const pageCounts = await importPages(db, dir, now, problems)
  finished(2)
  const postCounts = await importPosts(db, dir, now, problems)
  finished(3)
  return { posts: postCounts, pages: pageCounts, media: mediaCounts, settings, problems }
}

const describeCounts = (c: ImportCounts): string =>
  `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`

const SETTINGS_OUTCOMES: Record<ImportResult['settings'], string> = {
  updated: 'updated',
  unchanged: 'unchanged',
  absent: 'no settings.yml, left as they are',
  skipped: 'not imported (see below), left as they are',
}

/** What `import` prints; the problems go to stderr. */
export function describeImport(result: ImportResult, dir: string): { out: string; err: string } {
  const out = [
    `Imported ${dir}:`,
    `  posts:    ${describeCounts(result.posts)}`,
    `  pages:    ${describeCounts(result.pages)}`,
    `  media:    ${describeCounts(result.media)}`,
    `  settings: ${SETTINGS_OUTCOMES[result.settings]}`,
  ].join('\n')
  const err = result.problems.length
    ? [
        `Skipped ${plural(result.problems.length, 'item')}:`,
        ...result.problems.map((p) => `  ${p.file}: ${p.reason}`),
      ].join('\n')
    : ''
  return { out, err }
}
