// Owns the media library's rows: saving uploads and imported images, finding, listing, alt text, deleting.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { count, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Media, media } from '../../db/schema.ts'
import type { ImageInfo, ImageResolver } from '../../lib/markdown.ts'
import {
  fileNamesOf,
  hasExtensionFor,
  type MediaVariant,
  removeFiles,
  STORED_NAME,
  storedNameStem,
  variantsFor,
  writeImageFiles,
} from './files.ts'
import {
  MAX_UPLOAD_BYTES,
  MediaInputError,
  type PreparedImage,
  prepareImage,
  TOO_LARGE_MESSAGE,
} from './pipeline.ts'
import { fileNameFromSrc, imageInfo } from './render.ts'
import { IMAGE_TYPES, sniffImageFormat, UNSUPPORTED_TYPE_MESSAGE } from './sniff.ts'

export const MAX_ALT_LENGTH = 500
export const MEDIA_PER_PAGE = 24

export function cleanAlt(alt: string | undefined): string {
  const clean = (alt ?? '').replace(/\s+/g, ' ').trim()
  if (clean.length > MAX_ALT_LENGTH)
    throw new MediaInputError(
      'alt',
      `Alt text can be at most ${MAX_ALT_LENGTH} characters; describe what matters in the picture.`,
    )
  return clean
}

/**
 * Tells the Markdown renderer the size, WebP copies and alt text of images in the library, so pages
 * reserve their space, browsers pick a fitting width and `![](…)` gets the library's description.
 * Unknown images are left as the author wrote them.
 */
export function createImageResolver(db: Db): ImageResolver {
  const known = new Map<string, ImageInfo | undefined>()
  return (src) => {
    const fileName = fileNameFromSrc(src)
    if (!fileName) return undefined
    if (!known.has(fileName)) {
      const row = db
        .select({ alt: media.alt, width: media.width, height: media.height, variants: media.variants })
        .from(media)
        .where(eq(media.fileName, fileName))
        .get()
      known.set(fileName, row ? imageInfo(row) : undefined)
    }
    return known.get(fileName)
  }
}

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && /UNIQUE constraint failed/.test(err.message)

interface StoredImage {
  readonly fileName: string
  readonly originalName: string
  readonly alt: string
  readonly createdAt: Date
}

/** Writes a prepared image's files, then records them; the files never outlive a failed insert. */
async function storeImage(
  db: Db,
  mediaDir: string,
  image: PreparedImage,
  input: StoredImage,
): Promise<Media> {
  const variants: MediaVariant[] = variantsFor(input.fileName, image)
  await writeImageFiles(mediaDir, input.fileName, variants, image)
  try {
    return db
      .insert(media)
      .values({
        ...input,
        mimeType: IMAGE_TYPES[image.format].mimeType,
        width: image.width,
        height: image.height,
        bytes: image.original.length,
        variants: JSON.stringify(variants),
      })
      .returning()
      .get()
  } catch (err) {
    // Two saves of the same file at once: the other one won, and wrote the same bytes.
    const winner = isUniqueViolation(err) ? findMediaByFileName(db, input.fileName) : undefined
    if (winner) return winner
    await removeFiles(
      mediaDir,
      fileNamesOf({ fileName: input.fileName, variants: JSON.stringify(variants) }),
    ).catch(() => {})
    throw err
  }
}

export interface UploadInput {
  readonly buffer: Buffer
  readonly originalName: string
  readonly alt?: string | undefined
  readonly now?: Date
}

/**
 * Checks an upload by its bytes, stores a metadata-free copy in its own format and WebP copies for
 * srcset, and records it. The same file uploaded again under the same name returns the row it
 * already has: names carry a hash of the content, so the files are identical anyway.
 */
export async function saveUpload(db: Db, mediaDir: string, input: UploadInput): Promise<Media> {
  const { buffer } = input
  if (buffer.length === 0) throw new MediaInputError('file', 'Choose an image file to upload.')
  if (buffer.length > MAX_UPLOAD_BYTES) throw new MediaInputError('file', TOO_LARGE_MESSAGE, 413)
  const format = sniffImageFormat(buffer)
  if (!format) throw new MediaInputError('file', UNSUPPORTED_TYPE_MESSAGE)
  const alt = cleanAlt(input.alt)
  const originalName = (input.originalName.split(/[/\\]/).pop() ?? '').slice(0, 200) || 'image'

  const hash = createHash('sha256').update(buffer).digest('hex').slice(0, 10)
  const fileName = `${hash}-${storedNameStem(originalName)}.${IMAGE_TYPES[format].extension}`
  const existing = findMediaByFileName(db, fileName)
  if (existing) return existing.alt || !alt ? existing : (updateAlt(db, existing.id, alt) ?? existing)

  const image = await prepareImage(buffer)
  return storeImage(db, mediaDir, image, { fileName, originalName, alt, createdAt: input.now ?? new Date() })
}

export interface ImportImageInput {
  readonly buffer: Buffer
  /** The name it had on the site it came from, which its posts' /media/ links use. */
  readonly fileName: string
  readonly originalName?: string | undefined
  readonly alt: string
  readonly createdAt: Date
}

/** Which of `names` another library entry (not `ownId`) already uses, as its original or a copy. */
function namesOfOtherImages(db: Db, names: readonly string[], ownId: number | undefined): string[] {
  const others = sql`${media.id} is not ${ownId ?? null}`
  const rows = db.all<{ name: string }>(sql`
    select value as name from json_each(${JSON.stringify(names)})
    where value in (select ${media.fileName} from ${media} where ${others})
       or value in (
         select json_extract(copy.value, '$.fileName')
         from ${media}, json_each(iif(json_valid(${media.variants}), ${media.variants}, '[]')) as copy
         where ${others}
       )`)
  return rows.map((row) => row.name)
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged'

/**
 * Brings an image from an export folder into the library under the name its posts link to. It
 * passes the same checks and re-encoding as an upload, and its WebP copies are made again here:
 * nothing from the folder reaches MEDIA_DIR unless sharp decoded and wrote it. An image the
 * library already has (names carry a hash of the upload) only has its alt text and any missing
 * files brought back.
 */
export async function importImage(db: Db, mediaDir: string, input: ImportImageInput): Promise<ImportOutcome> {
  const alt = cleanAlt(input.alt)
  if (!STORED_NAME.test(input.fileName))
    throw new MediaInputError(
      'file',
      'its name must use only letters, digits, ".", "-" and "_" and end in .jpg, .png, .webp, .gif or .avif',
    )
  const existing = findMediaByFileName(db, input.fileName)
  if (existing && fileNamesOf(existing).every((name) => existsSync(join(mediaDir, name)))) {
    if (existing.alt === alt) return 'unchanged'
    updateAlt(db, existing.id, alt)
    return 'updated'
  }

  // Checked before decoding, which prepareImage does for the same sniffed format.
  const format = sniffImageFormat(input.buffer)
  if (format && !hasExtensionFor(input.fileName, format)) {
    const { extension, label } = IMAGE_TYPES[format]
    throw new MediaInputError('file', `it is a ${label} image, so its name must end in .${extension}`)
  }
  const image = await prepareImage(input.buffer)
  const variants = variantsFor(input.fileName, image)
  const taken = namesOfOtherImages(db, [input.fileName, ...variants.map((v) => v.fileName)], existing?.id)
  if (taken.length > 0)
    throw new MediaInputError('file', `its files would replace ${taken.join(', ')}, which another image uses`)

  if (!existing) {
    const originalName = (input.originalName ?? '').slice(0, 200) || input.fileName
    await storeImage(db, mediaDir, image, {
      fileName: input.fileName,
      originalName,
      alt,
      createdAt: input.createdAt,
    })
    return 'created'
  }
  await writeImageFiles(mediaDir, input.fileName, variants, image)
  db.update(media)
    .set({
      mimeType: IMAGE_TYPES[image.format].mimeType,
      width: image.width,
      height: image.height,
      bytes: image.original.length,
      alt,
      variants: JSON.stringify(variants),
    })
    .where(eq(media.id, existing.id))
    .run()
  // Copies the row listed under other widths are no longer anyone's.
  const kept = new Set(fileNamesOf({ fileName: input.fileName, variants: JSON.stringify(variants) }))
  await removeFiles(
    mediaDir,
    fileNamesOf(existing).filter((name) => !kept.has(name)),
  )
  return 'updated'
}

export function findMedia(db: Db, id: number): Media | undefined {
  return db.select().from(media).where(eq(media.id, id)).get()
}

export function findMediaByFileName(db: Db, fileName: string): Media | undefined {
  return db.select().from(media).where(eq(media.fileName, fileName)).get()
}

/**
 * A library image named the ways a form or a front matter may name it: its id ("12"), its URL
 * ("/media/3f2a9c1b7d-garden.png", absolute or not) or its stored file name.
 */
export function findMediaByReference(db: Db, reference: string): Media | undefined {
  const ref = reference.trim()
  if (/^\d{1,15}$/.test(ref)) return findMedia(db, Number(ref))
  const fileName = fileNameFromSrc(ref) ?? ref
  return STORED_NAME.test(fileName) ? findMediaByFileName(db, fileName) : undefined
}

export interface MediaPage {
  readonly items: Media[]
  readonly page: number
  readonly totalPages: number
  readonly total: number
}

/** Newest first. A page past the end is empty rather than an error. */
export function listMedia(db: Db, options: { page?: number; perPage?: number } = {}): MediaPage {
  const perPage = options.perPage ?? MEDIA_PER_PAGE
  const page = Math.max(1, Math.floor(options.page ?? 1))
  const total = db.select({ n: count() }).from(media).get()?.n ?? 0
  const items = db
    .select()
    .from(media)
    .orderBy(desc(media.createdAt), desc(media.id))
    .limit(perPage)
    .offset((page - 1) * perPage)
    .all()
  return { items, page, totalPages: Math.max(1, Math.ceil(total / perPage)), total }
}

export function updateAlt(db: Db, id: number, alt: string): Media | undefined {
  const clean = cleanAlt(alt)
  return db.update(media).set({ alt: clean }).where(eq(media.id, id)).returning().get()
}

/** Removes the row first, so no page is rendered against a missing file, then the files. */
export async function deleteMedia(db: Db, mediaDir: string, id: number): Promise<boolean> {
  const row = db.delete(media).where(eq(media.id, id)).returning().get()
  if (!row) return false
  await removeFiles(mediaDir, fileNamesOf(row))
  return true
}
