// Owns one import from a file: the reader for its kind of export, the media step bound to this site, and the writer.
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { applyBundle } from './apply.ts'
import type { ImageSteps } from './apply-content.ts'
import { readExportFile } from './export-file.ts'
import { readGhostExport } from './ghost.ts'
import { createImageCache, type ImageContext, localizeFeatureImage, localizeImages } from './images.ts'
import type { ImportReport } from './report.ts'
import { readWordPressExport } from './wordpress.ts'

export type ExportFormat = 'wordpress' | 'ghost'

export interface ImportRunOptions {
  readonly format: ExportFormat
  readonly file: string
  /** A copy of the old site's uploads, read before anything is fetched. */
  readonly mediaDir?: string | undefined
  readonly dryRun: boolean
  /** The old site's address, where the export does not say it (Ghost) or says an old one. */
  readonly oldUrl?: string | undefined
  readonly now?: Date
  readonly onProgress?: (done: number, total: number) => void
}

/**
 * The media step of one run, bound to this site's library and its fetch rule: `source` names the
 * old blog, `localDir` is --media-dir, `oldUrl` where relative addresses point.
 */
export function imageStepsFor(
  db: Db,
  config: Config,
  run: Pick<ImageContext, 'source' | 'localDir' | 'oldUrl' | 'dryRun' | 'now'>,
): ImageSteps {
  const context: ImageContext = {
    ...run,
    mediaDir: config.mediaDir,
    allowPrivate: config.fetchAllowPrivate,
    cache: createImageCache(),
  }
  return {
    localizeImages: (html) => localizeImages(db, html, context),
    localizeFeatureImage: (url) => localizeFeatureImage(db, url, context),
  }
}

/**
 * Reads the export at `options.file` and imports it. A file that is not an export of that kind
 * throws an ImportFileError; anything wrong with single items is in the report.
 */
export async function runImport(db: Db, config: Config, options: ImportRunOptions): Promise<ImportReport> {
  const text = await readExportFile(options.file)
  const bundle =
    options.format === 'wordpress'
      ? readWordPressExport(text)
      : readGhostExport(text, options.oldUrl ? { oldUrl: options.oldUrl } : {})
  const now = options.now ?? new Date()
  const images = imageStepsFor(db, config, {
    source: bundle.source,
    localDir: options.mediaDir,
    oldUrl: options.oldUrl || bundle.siteUrl || undefined,
    dryRun: options.dryRun,
    now,
  })
  return applyBundle(db, bundle, {
    file: options.file,
    dryRun: options.dryRun,
    images,
    now,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
}
