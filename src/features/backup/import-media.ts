// Owns importing an export folder's images: each one checked and re-encoded by the media service, never copied.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from '../../db/client.ts'
import { parseVariants } from '../media/files.ts'
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_LABEL, MediaInputError } from '../media/pipeline.ts'
import { findMediaByFileName, importImage } from '../media/service.ts'
import {
  type ImportCounts,
  type ImportProblem,
  InvalidFile,
  MEDIA_NAME,
  type MediaEntry,
  readMediaIndex,
} from './import-files.ts'
import { byCodeUnit, MEDIA_INDEX_FILE } from './records.ts'

/** "photo-480.webp" is a resized copy when "photo.<ext>" is in the folder too. */
const COPY_NAME = /^(.+)-\d+\.webp$/

/**
 * Files in the folder that index.yml does not list come in as images of their own, with no alt
 * text (the author added them by hand), except resized copies of another file there: those are
 * made again from their original, like every copy.
 */
function unlistedImages(folder: string, entries: MediaEntry[], problems: ImportProblem[]): MediaEntry[] {
  const listed = new Set(entries.flatMap((e) => [e.file, ...(e.variants ?? []).map((v) => v.file)]))
  const names = readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name !== MEDIA_INDEX_FILE)
    .map((e) => e.name)
  const stems = new Set(names.map((name) => name.replace(/\.[^.]*$/, '')))
  const found: MediaEntry[] = []
  for (const name of names) {
    if (listed.has(name) || stems.has(COPY_NAME.exec(name)?.[1] ?? '\0')) continue
    if (!MEDIA_NAME.test(name)) {
      problems.push({
        file: `media/${name}`,
        reason: 'its name may only use letters, digits, ".", "-" and "_"',
      })
      continue
    }
    found.push({ file: name })
  }
  return found
}

/** The bytes of one image from the folder, refused before reading when no upload that size would pass. */
function readImageFile(folder: string, entry: MediaEntry): Buffer {
  const source = join(folder, entry.file)
  if (!existsSync(source))
    throw new InvalidFile(`media/${MEDIA_INDEX_FILE} lists it, but the file is not in media/`)
  if (statSync(source).size > MAX_UPLOAD_BYTES)
    throw new InvalidFile(`it is larger than ${MAX_UPLOAD_LABEL}, the largest image Folio accepts`)
  return readFileSync(source)
}

/**
 * Brings every image of the folder into the library under the name its posts link to (see
 * importImage): decoded and re-encoded like an upload, with its WebP copies made again. An image
 * that is not one Folio would accept, or whose name does not match its type, is reported and
 * skipped, so nothing from an untrusted folder is ever served as it was.
 */
export async function importMedia(
  db: Db,
  dir: string,
  mediaDir: string,
  now: Date,
  problems: ImportProblem[],
): Promise<ImportCounts> {
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 }
  const folder = join(dir, 'media')
  if (!existsSync(folder)) return counts
  const listed = readMediaIndex(folder, problems)
  const entries = [...listed, ...unlistedImages(folder, listed, problems)].sort((a, b) =>
    byCodeUnit(a.file, b.file),
  )

  for (const entry of entries) {
    try {
      const outcome = await importImage(db, mediaDir, {
        buffer: readImageFile(folder, entry),
        fileName: entry.file,
        originalName: entry.original_name,
        alt: entry.alt ?? '',
        createdAt: entry.created_at ?? now,
      })
      counts[outcome] += 1
    } catch (err) {
      if (err instanceof MediaInputError)
        problems.push({
          file: `media/${entry.file}`,
          reason: `${err.field === 'alt' ? 'alt: ' : ''}${err.message}`,
        })
      else if (err instanceof InvalidFile) problems.push({ file: `media/${entry.file}`, reason: err.message })
      else throw err
      continue
    }
    // Links to a listed copy Folio did not make again (another width, a made-up name) lead nowhere.
    const made = new Set(
      parseVariants(findMediaByFileName(db, entry.file)?.variants ?? '[]').map((v) => v.fileName),
    )
    for (const copy of entry.variants ?? [])
      if (!made.has(copy.file))
        problems.push({
          file: `media/${copy.file}`,
          reason: `not imported: Folio makes the resized copies of ${entry.file} itself, and this is not one of them`,
        })
  }
  return counts
}
