// Owns turning untrusted bytes into images Folio serves: size and type checks, decoding and re-encoding with sharp.
import type { Metadata, OutputInfo, Sharp } from 'sharp'
import { loadSharp } from '../../lib/load-sharp.ts'
import { BusyError, createSemaphore } from '../../lib/semaphore.ts'
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

/** An image as Folio stores it: every byte written by sharp, none copied from the input. */
export interface PreparedImage {
  readonly format: ImageFormat
  readonly width: number
  readonly height: number
  /** The whole image re-encoded in its own format, without metadata. */
  readonly original: Buffer
  /** WebP copies for srcset, narrowest first. */
  readonly variants: { width: number; height: number; data: Buffer }[]
}

/** Resizing is the most memory-hungry thing Folio does: one image at a time, a few waiting. */
const processing = createSemaphore(1, 4)

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

async function processImage(buffer: Buffer, format: ImageFormat): Promise<PreparedImage> {
  const sharp = await loadSharp()
  const mayAnimate = format === 'gif' || format === 'webp'
  let metadata: Metadata
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
  const frameHeight = (info: OutputInfo) => (animated ? (info.pageHeight ?? info.height) : info.height)

  try {
    const original = await encodeAs(load(), format).toBuffer({ resolveWithObject: true })
    const width = original.info.width
    const height = frameHeight(original.info)
    const widths = [
      ...VARIANT_WIDTHS.filter((w) => w < width && w < LARGEST_VARIANT_WIDTH),
      Math.min(width, LARGEST_VARIANT_WIDTH),
    ]
    const variants: PreparedImage['variants'] = []
    for (const w of new Set(widths)) {
      const resized = await load()
        .resize({ width: w, withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true })
      variants.push({ width: resized.info.width, height: frameHeight(resized.info), data: resized.data })
    }
    return { format, width, height, original: original.data, variants }
  } catch (err) {
    if (err instanceof MediaInputError) throw err
    // libvips reports truncated and corrupt data while decoding, not while reading the header.
    throw damaged(format)
  }
}

/**
 * Checks bytes from anywhere (an upload, an imported folder) and re-encodes them. The type is
 * decided by the bytes alone, the whole file must decode as that type, and what comes out is
 * sharp's own output: a script hidden in a comment, after the image's end or in metadata is gone.
 */
export async function prepareImage(buffer: Buffer): Promise<PreparedImage> {
  if (buffer.length > MAX_UPLOAD_BYTES) throw new MediaInputError('file', TOO_LARGE_MESSAGE, 413)
  const format = sniffImageFormat(buffer)
  if (!format) throw new MediaInputError('file', UNSUPPORTED_TYPE_MESSAGE)
  return processing
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
}
