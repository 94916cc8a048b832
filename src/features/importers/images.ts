// Owns bringing an imported blog's images into Folio's media library, once each, and pointing its posts at the copies.
//
// API (the import calls these per entry, after bodyToHtml and before htmlToMarkdown, one entry at a time):
//   const cache = createImageCache()                      once per run, shared by every entry
//   localizeImages(db, html, context)       → { html, fetched, reused, missing }
//   localizeFeatureImage(db, url, context)  → { reference, fetched, reused, missing }
// `reference` is what PostInput.featureImage takes (a /media/ URL), undefined when the image is
// missing or in a dry run. Each image is looked for in imported_items first (kind 'media',
// sourceId = the address it was brought in from, targetId = the media id), so a second import
// reads and fetches nothing; then in --media-dir; then on the old site. One that cannot be had
// keeps its original address in the body and is listed in `missing` with the reason.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { importedItems } from '../../db/schema-imports.ts'
import { createSemaphore } from '../../lib/semaphore.ts'
import { MediaInputError } from '../media/pipeline.ts'
import { mediaUrl } from '../media/render.ts'
import { findMedia, MAX_ALT_LENGTH, saveUpload } from '../media/service.ts'
import { sniffImageFormat } from '../media/sniff.ts'
import { fileLabel } from './convert-embeds.ts'
import { type ImageReference, imageReferences, rewriteImageUrls } from './images-html.ts'
import {
  candidatesFor,
  fetchImage,
  type ImageBytes,
  localPathFor,
  NO_ADDRESS_REASON,
  NOT_IN_FOLDER_REASON,
  OUTSIDE_REASON,
  readLocalCopy,
  shownUrl,
} from './images-sources.ts'

/** Images fetched or resized at once: enough to overlap the network, few enough for a small VPS. */
export const IMAGE_CONCURRENCY = 4

export interface ImageCache {
  /** Keyed by an image's best address: each image is looked for once per run, whichever entries show it. */
  readonly results: Map<string, Promise<Resolution>>
  /** Addresses already reported as brought in, so a run's report names each once. */
  readonly reported: Set<string>
  /** Hosts that did not answer, with why: their other images are not waited for (see fetchImage). */
  readonly deadHosts: Map<string, string>
  readonly limit: ReturnType<typeof createSemaphore>
}

export function createImageCache(): ImageCache {
  return {
    results: new Map(),
    reported: new Set(),
    deadHosts: new Map(),
    limit: createSemaphore(IMAGE_CONCURRENCY, Number.POSITIVE_INFINITY),
  }
}

export interface ImageContext {
  /** ImportBundle.source: whose ids imported_items holds. */
  readonly source: string
  /** Config's MEDIA_DIR: where the library keeps its files. */
  readonly mediaDir: string
  /** --media-dir: a copy of wp-content/uploads or Ghost's content/images. */
  readonly localDir?: string | undefined
  /** The old site's address (ImportBundle.siteUrl, or --old-url): relative addresses resolve against it. */
  readonly oldUrl?: string | undefined
  /** Config's FETCH_ALLOW_PRIVATE. */
  readonly allowPrivate: boolean
  /** Read nothing from the network, write nothing: report what would be brought in. */
  readonly dryRun: boolean
  readonly cache: ImageCache
  readonly now?: Date | undefined
  readonly timeoutMs?: number | undefined
}

export interface MissingImage {
  readonly url: string
  readonly reason: string
}

export interface ImageReport {
  /** Brought into the library by this call (in a dry run: would be), each address once per run. */
  readonly fetched: string[]
  /** Already in the library: from an earlier import, or brought in for another entry of this run. */
  readonly reused: string[]
  readonly missing: MissingImage[]
}

type Resolution =
  | { readonly url: string; readonly fileName: string; readonly fresh: boolean }
  | { readonly url: string; readonly planned: true }
  | { readonly url: string; readonly reason: string }

/** The library's copy of the image an earlier import brought in from `url`, if there is one. */
export function earlierImport(db: Db, source: string, url: string) {
  const row = db
    .select({ targetId: importedItems.targetId })
    .from(importedItems)
    .where(
      and(eq(importedItems.source, source), eq(importedItems.kind, 'media'), eq(importedItems.sourceId, url)),
    )
    .get()
  return row ? findMedia(db, row.targetId) : undefined
}

/** Stores bytes through the media pipeline (checks, WebP sizes) and remembers where they came from. */
async function store(db: Db, url: string, got: ImageBytes, alt: string, context: ImageContext) {
  if (!sniffImageFormat(got.bytes)) return `not an image Folio accepts (${got.type || 'unknown type'})`
  const now = context.now ?? new Date()
  try {
    const row = await saveUpload(db, context.mediaDir, {
      buffer: got.bytes,
      originalName: fileLabel(url),
      alt: alt.replace(/\s+/g, ' ').trim().slice(0, MAX_ALT_LENGTH),
      now,
    })
    db.insert(importedItems)
      .values({
        source: context.source,
        kind: 'media',
        sourceId: shownUrl(url),
        targetId: row.id,
        importedAt: now,
      })
      .onConflictDoUpdate({
        target: [importedItems.source, importedItems.kind, importedItems.sourceId],
        set: { targetId: row.id, importedAt: now },
      })
      .run()
    return { url: shownUrl(url), fileName: row.fileName, fresh: true }
  } catch (err) {
    if (err instanceof MediaInputError) return err.message
    throw err
  }
}

/** One image: an earlier import, else --media-dir, else the old site, trying its addresses best first. */
async function bringIn(
  db: Db,
  candidates: readonly string[],
  alt: string,
  context: ImageContext,
): Promise<Resolution> {
  const shown = shownUrl(candidates.at(-1) ?? '')
  for (const url of candidates) {
    const row = earlierImport(db, context.source, shownUrl(url))
    if (row) return { url: shownUrl(url), fileName: row.fileName, fresh: false }
  }
  let reason: string | undefined
  if (context.localDir) {
    for (const url of candidates) {
      const path = localPathFor(url, context.localDir)
      if (path === 'outside') return { url: shown, reason: OUTSIDE_REASON }
      const got = path && (await readLocalCopy(path, context.localDir))
      if (!got) continue
      if ('reason' in got) {
        if (got.final) return { url: shown, reason: got.reason }
        reason = got.reason
        continue
      }
      if (context.dryRun) return { url: shownUrl(url), planned: true }
      const stored = await store(db, url, got, alt, context)
      if (typeof stored !== 'string') return stored
      reason = stored
    }
  }
  const notInFolder = context.localDir !== undefined && reason === undefined
  const settings = {
    allowPrivate: context.allowPrivate,
    timeoutMs: context.timeoutMs,
    deadHosts: context.cache.deadHosts,
  }
  for (const url of candidates) {
    const got = context.dryRun && shownUrl(url) === url ? undefined : await fetchImage(url, settings)
    if (!got) return { url: shown, planned: true }
    if ('reason' in got) {
      reason = got.reason
      if (got.final) break
      continue
    }
    const stored = await store(db, url, got, alt, context)
    if (typeof stored !== 'string') return stored
    reason = stored
  }
  if (!notInFolder) return { url: shown, reason: reason ?? NO_ADDRESS_REASON }
  return {
    url: shown,
    reason:
      reason === NO_ADDRESS_REASON
        ? NOT_IN_FOLDER_REASON
        : `${reason}, and it is not in the --media-dir folder`,
  }
}

function resolve(db: Db, reference: ImageReference, context: ImageContext): Promise<Resolution> | undefined {
  const candidates = candidatesFor(reference.values, context.oldUrl)
  const key = candidates[0]
  if (!key) return undefined
  let pending = context.cache.results.get(key)
  if (!pending) {
    pending = context.cache.limit
      .run(() => bringIn(db, candidates, reference.alt, context))
      .catch((err: unknown) => ({
        url: shownUrl(candidates.at(-1) ?? key),
        reason: `could not be stored (${String(err)})`,
      }))
    context.cache.results.set(key, pending)
  }
  return pending
}

/** Sorts what happened to each image into the report, naming a brought-in image once per run. */
function report(resolutions: readonly Resolution[], cache: ImageCache): ImageReport {
  const result: ImageReport = { fetched: [], reused: [], missing: [] }
  for (const resolution of resolutions) {
    if ('reason' in resolution) result.missing.push({ url: resolution.url, reason: resolution.reason })
    else if (('planned' in resolution || resolution.fresh) && !cache.reported.has(resolution.url)) {
      cache.reported.add(resolution.url)
      result.fetched.push(resolution.url)
    } else result.reused.push(resolution.url)
  }
  return result
}

/** `html` with every image it shows or links to brought into the library and pointing there. */
export async function localizeImages(
  db: Db,
  html: string,
  context: ImageContext,
): Promise<ImageReport & { html: string }> {
  const references = imageReferences(html)
  const outcomes = await Promise.all(
    references.map(async (reference) => ({ reference, resolution: await resolve(db, reference, context) })),
  )
  const libraryUrls = new Map<string, string>()
  const distinct = new Map<string, Resolution>()
  for (const { reference, resolution } of outcomes) {
    if (!resolution) continue
    distinct.set(resolution.url, resolution)
    if ('fileName' in resolution)
      for (const value of reference.values) libraryUrls.set(value, mediaUrl(resolution.fileName))
  }
  const rewritten = libraryUrls.size > 0 ? rewriteImageUrls(html, (value) => libraryUrls.get(value)) : html
  return { html: rewritten, ...report([...distinct.values()], context.cache) }
}

/** A feature image's address as the library reference savePost takes, bringing the image in. */
export async function localizeFeatureImage(
  db: Db,
  url: string,
  context: ImageContext,
): Promise<ImageReport & { reference: string | undefined }> {
  const resolution = url.trim() ? await resolve(db, { values: [url], alt: '' }, context) : undefined
  const reference = resolution && 'fileName' in resolution ? mediaUrl(resolution.fileName) : undefined
  return { reference, ...report(resolution ? [resolution] : [], context.cache) }
}
