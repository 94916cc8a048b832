// Owns uploaded images: checking and resizing them with sharp, storing files and rows, and where each is used.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { type Column, count, desc, eq, or, type SQL, sql } from 'drizzle-orm'
import sharp, { type Sharp } from 'sharp'
import type { Db } from '../../db/client.ts'
import { type Media, media, pages, posts } from '../../db/schema.ts'
import type { ImageInfo, ImageResolver } from '../../lib/markdown.ts'
import { BusyError, createSemaphore } from '../../lib/semaphore.ts'
import { slugify } from '../../lib/slugs.ts'
import { getSettings } from '../settings/service.ts'
import { IMAGE_TYPES, type ImageFormat, sniffImageFormat, UNSUPPORTED_TYPE_MESSAGE } from './sniff.ts'

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024
/** How the limit is written in messages: people think of 10 MiB as "10 MB". */
export const MAX_UPLOAD_LABEL = '10 MB'
export const TOO_LARGE_MESSAGE = `That file is larger than ${MAX_UPLOAD_LABEL}, the largest image Folio accepts. Export a smaller version and upload that.`
/**
 * Decoded pixels, not file size, are what cost memory: a 10 MB PNG can unpack to gigabytes. 50
 * megapixels covers phone and camera photos and keeps one decode well inside a small VPS.
 */
export const MAX_PIXELS = 50_000_000
/** Widths of the WebP copies offered in srcset (each only when narrower than the original). */
export const VARIANT_WIDTHS = [480, 960, 1600] as const
/**
 * The original's own width is offered too, but no wider than this: pages show images at most
 * 46rem wide, so even a 3× screen never needs more, and a 6000-pixel WebP would be wasted bytes.
 */
export const LARGEST_VARIANT_WIDTH = 2400
/** Matches the public site's content column: full width on a phone, 46rem from 48rem up. */
export const IMAGE_SIZES = '(min-width: 50.5rem) 48rem, calc(100vw - 2.5rem)'
export const MAX_ALT_LENGTH = 500
export const MEDIA_PER_PAGE = 24

export interface MediaVariant {
  readonly width: number
  readonly height: number
  readonly format: 'webp'
  readonly fileName: string
}

/** Bad input from the person uploading: shown to them beside `field`, with `statusCode`. */
export class MediaInputError extends Error {
  override name = 'MediaInputError'
  constructor(
    readonly field: 'file' | 'alt',
    message: string,
    readonly statusCode = 422,
  ) {
    super(message)
  }
}

/** Resizing is the most memory-hungry thing Folio does: one image at a time, a few waiting. */
const processing = createSemaphore(1, 4)

export const mediaUrl = (fileName: string): string => `/media/${encodeURIComponent(fileName)}`

/** The stored name's readable part: ASCII only, so URLs and Markdown never need escaping. */
export function storedNameStem(originalName: string): string {
  const base = originalName.split(/[/\\]/).pop() ?? ''
  const withoutExtension = base.replace(/\.[^.]*$/, '')
  const stem = slugify(withoutExtension)
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '')
  return stem || 'image'
}

/** The variants column, read defensively: a bad value means "no variants", never a crash. */
export function parseVariants(json: string): MediaVariant[] {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return []
  }
  if (!Array.isArray(value)) return []
  return value
    .filter(
      (v): v is MediaVariant =>
        typeof v === 'object' &&
        v !== null &&
        typeof v.width === 'number' &&
        typeof v.height === 'number' &&
        typeof v.fileName === 'string',
    )
    .sort((a, b) => a.width - b.width)
}

export function cleanAlt(alt: string | undefined): string {
  const clean = (alt ?? '').replace(/\s+/g, ' ').trim()
  if (clean.length > MAX_ALT_LENGTH)
    throw new MediaInputError(
      'alt',
      `Alt text can be at most ${MAX_ALT_LENGTH} characters; describe what matters in the picture.`,
    )
  return clean
}

/** `![alt](/media/file)`, with the characters that would end the alt text escaped. */
export function markdownFor(row: Pick<Media, 'alt' | 'fileName'>): string {
  const alt = row.alt.replace(/[\\[\]]/g, '\\$&')
  return `![${alt}](${mediaUrl(row.fileName)})`
}

export function imageInfo(row: Pick<Media, 'width' | 'height' | 'variants'>): ImageInfo {
  const variants = parseVariants(row.variants)
  const srcset = variants.map((v) => `${mediaUrl(v.fileName)} ${v.width}w`).join(', ')
  return srcset
    ? { width: row.width, height: row.height, srcset, sizes: IMAGE_SIZES }
    : { width: row.width, height: row.height }
}

const MEDIA_SRC = /^(?:https?:\/\/[^/?#]+)?\/media\/([^/?#]+)(?:[?#].*)?$/i

/** The stored file name an image `src` points at, or undefined when it is not one of Folio's. */
export function fileNameFromSrc(src: string): string | undefined {
  const match = MEDIA_SRC.exec(src.trim())
  if (!match?.[1]) return undefined
  try {
    return decodeURIComponent(match[1])
  } catch {
    return undefined
  }
}

/**
 * Tells the Markdown renderer the size and WebP copies of images in the library, so pages reserve
 * their space and browsers pick a fitting width. Unknown images are left as the author wrote them.
 */
export function createImageResolver(db: Db): ImageResolver {
  const known = new Map<string, ImageInfo | undefined>()
  return (src) => {
    const fileName = fileNameFromSrc(src)
    if (!fileName) return undefined
    if (!known.has(fileName)) {
      const row = db
        .select({ width: media.width, height: media.height, variants: media.variants })
        .from(media)
        .where(eq(media.fileName, fileName))
        .get()
      known.set(fileName, row ? imageInfo(row) : undefined)
    }
    return known.get(fileName)
  }
}

const sharpFormat: Record<ImageFormat, string> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'heif',
}

/** Re-encodes in the original's format. sharp writes no metadata unless asked, so EXIF and GPS go. */
function encodeAs(pipeline: Sharp, format: ImageFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: 85, mozjpeg: true })
    case 'png':
      return pipeline.png({ compressionLevel: 9 })
    case 'webp':
      return pipeline.webp({ quality: 85 })
    case 'gif':
      return pipeline.gif()
    case 'avif':
      return pipeline.avif({ quality: 60 })
  }
}

const damaged = (format: ImageFormat) =>
  new MediaInputError(
    'file',
    `This ${IMAGE_TYPES[format].label} file is damaged or incomplete, so it could not be read. Open it in an image editor, export it again, and upload the new file.`,
  )

/** Writes to a hidden temporary name, flushes, then renames: a reader never sees half a file. */
async function writeFileAtomically(dir: string, fileName: string, data: Buffer): Promise<void> {
  const temporary = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temporary, 'wx')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, join(dir, fileName))
  } catch (err) {
    await unlink(temporary).catch(() => {})
    throw err
  }
}

/** Makes the renames themselves durable before the upload is acknowledged. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function removeFiles(dir: string, fileNames: readonly string[]): Promise<void> {
  await Promise.all(
    fileNames.map((name) =>
      unlink(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
      }),
    ),
  )
}

interface ProcessedImage {
  readonly width: number
  readonly height: number
  readonly original: Buffer
  readonly variants: { width: number; height: number; data: Buffer }[]
}

async function processImage(buffer: Buffer, format: ImageFormat): Promise<ProcessedImage> {
  const mayAnimate = format === 'gif' || format === 'webp'
  let metadata: sharp.Metadata
  try {
    metadata = await sharp(buffer, { animated: mayAnimate, limitInputPixels: false }).metadata()
  } catch {
    throw damaged(format)
  }
  // The bytes began like this format; sharp must agree on the whole file, or it is something else.
  if (metadata.format !== sharpFormat[format] || (format === 'avif' && metadata.compression !== 'av1'))
    throw damaged(format)
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0)
  if (pixels > MAX_PIXELS)
    throw new MediaInputError(
      'file',
      `This image has ${Math.round(pixels / 1e6)} million pixels (counting every frame); Folio accepts up to ${MAX_PIXELS / 1e6} million. Scale it down and upload it again.`,
    )

  // Animated GIFs and WebPs keep their motion: the original stays animated and so do the WebP
  // copies (animated WebP plays everywhere GIF does, at a fraction of the size).
  const animated = mayAnimate && (metadata.pages ?? 1) > 1
  // Phones store photos sideways plus an EXIF note to turn them; turning the pixels makes the
  // note unnecessary, so it can go with the rest of the metadata. Frames of an animation are
  // never turned: they have no such note, and rotating would scramble the frame strip.
  const load = (): Sharp => {
    const pipeline = sharp(buffer, { animated, limitInputPixels: MAX_PIXELS })
    return animated ? pipeline : pipeline.rotate()
  }
  const frameHeight = (info: sharp.OutputInfo) => (animated ? (info.pageHeight ?? info.height) : info.height)

  try {
    const original = await encodeAs(load(), format).toBuffer({ resolveWithObject: true })
    const width = original.info.width
    const height = frameHeight(original.info)
    const widths = [
      ...VARIANT_WIDTHS.filter((w) => w < width && w < LARGEST_VARIANT_WIDTH),
      Math.min(width, LARGEST_VARIANT_WIDTH),
    ]
    const variants: ProcessedImage['variants'] = []
    for (const w of new Set(widths)) {
      const resized = await load()
        .resize({ width: w, withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true })
      variants.push({ width: resized.info.width, height: frameHeight(resized.info), data: resized.data })
    }
    return { width, height, original: original.data, variants }
  } catch (err) {
    if (err instanceof MediaInputError) throw err
    // libvips reports truncated and corrupt data while decoding, not while reading the header.
    throw damaged(format)
  }
}

export interface UploadInput {
  readonly buffer: Buffer
  readonly originalName: string
  readonly alt?: string | undefined
  readonly now?: Date
}

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && /UNIQUE constraint failed/.test(err.message)

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
  const stem = `${hash}-${storedNameStem(originalName)}`
  const fileName = `${stem}.${IMAGE_TYPES[format].extension}`
  const existing = findMediaByFileName(db, fileName)
  if (existing) return existing.alt || !alt ? existing : (updateAlt(db, existing.id, alt) ?? existing)

  const processed = await processing
    .run(() => processImage(buffer, format))
    .catch((err: unknown) => {
      if (err instanceof BusyError)
        throw new MediaInputError(
          'file',
          'Folio is busy resizing other images. Wait a moment and upload this one again.',
          503,
        )
      throw err
    })
  const variants: MediaVariant[] = processed.variants.map((v) => ({
    width: v.width,
    height: v.height,
    format: 'webp',
    fileName: `${stem}-${v.width}.webp`,
  }))
  const written = [fileName, ...variants.map((v) => v.fileName)]

  await mkdir(mediaDir, { recursive: true })
  try {
    await writeFileAtomically(mediaDir, fileName, processed.original)
    for (const [i, variant] of processed.variants.entries())
      await writeFileAtomically(mediaDir, written[i + 1] as string, variant.data)
    await syncDirectory(mediaDir)
  } catch (err) {
    await removeFiles(mediaDir, written).catch(() => {})
    throw err
  }

  try {
    return db
      .insert(media)
      .values({
        fileName,
        originalName,
        mimeType: IMAGE_TYPES[format].mimeType,
        width: processed.width,
        height: processed.height,
        bytes: processed.original.length,
        alt,
        variants: JSON.stringify(variants),
        createdAt: input.now ?? new Date(),
      })
      .returning()
      .get()
  } catch (err) {
    // Two uploads of the same file at once: the other one won, and wrote the same bytes.
    const winner = isUniqueViolation(err) ? findMediaByFileName(db, fileName) : undefined
    if (winner) return winner
    await removeFiles(mediaDir, written).catch(() => {})
    throw err
  }
}

export function findMedia(db: Db, id: number): Media | undefined {
  return db.select().from(media).where(eq(media.id, id)).get()
}

export function findMediaByFileName(db: Db, fileName: string): Media | undefined {
  return db.select().from(media).where(eq(media.fileName, fileName)).get()
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
  await removeFiles(mediaDir, [row.fileName, ...parseVariants(row.variants).map((v) => v.fileName)])
  return true
}

export interface UsageRef {
  readonly title: string
  readonly editUrl: string
}

export interface MediaUsage {
  readonly posts: UsageRef[]
  readonly pages: UsageRef[]
  readonly settings: UsageRef[]
  readonly total: number
}

const SETTINGS_MARKDOWN = [
  ['introMd', 'Settings: home intro'],
  ['authorBioMd', 'Settings: author bio'],
  ['servicesMd', 'Settings: services block'],
  ['contactIntroMd', 'Settings: contact intro'],
] as const

/**
 * Where an image is used: posts, pages and settings whose Markdown mentions its URL (or one of its
 * WebP copies' URLs, which an author may have copied from a page), drafts included.
 */
export function mediaUsage(db: Db, fileName: string): MediaUsage {
  const row = findMediaByFileName(db, fileName)
  const needles = [fileName, ...(row ? parseVariants(row.variants).map((v) => v.fileName) : [])].map(
    (name) => `/media/${name}`,
  )
  const mentions = (...columns: Column[]): SQL | undefined =>
    or(...columns.flatMap((column) => needles.map((needle) => sql`instr(${column}, ${needle}) > 0`)))

  const postRows = db
    .select({ id: posts.id, title: posts.title })
    .from(posts)
    .where(mentions(posts.bodyMd, posts.excerptMd, posts.quoteMd))
    .orderBy(desc(posts.updatedAt))
    .all()
  const pageRows = db
    .select({ id: pages.id, title: pages.title })
    .from(pages)
    .where(mentions(pages.bodyMd))
    .orderBy(desc(pages.updatedAt))
    .all()
  const site = getSettings(db)
  const settingsRefs = SETTINGS_MARKDOWN.filter(([key]) => needles.some((n) => site[key].includes(n))).map(
    ([, title]) => ({ title, editUrl: '/admin/settings' }),
  )
  const result = {
    posts: postRows.map((p) => ({ title: p.title, editUrl: `/admin/posts/${p.id}` })),
    pages: pageRows.map((p) => ({ title: p.title, editUrl: `/admin/pages/${p.id}` })),
    settings: settingsRefs,
  }
  return { ...result, total: result.posts.length + result.pages.length + result.settings.length }
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/** "2 posts and 1 page", for warnings. */
export function describeUsage(usage: MediaUsage): string {
  const parts = [
    usage.posts.length ? plural(usage.posts.length, 'post', 'posts') : '',
    usage.pages.length ? plural(usage.pages.length, 'page', 'pages') : '',
    usage.settings.length ? 'the site settings' : '',
  ].filter(Boolean)
  if (parts.length <= 1) return parts[0] ?? 'nothing'
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}
