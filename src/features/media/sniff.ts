// Owns recognising an uploaded image by its first bytes: the only evidence of its type Folio trusts.

/** The image formats Folio accepts, with the extension and MIME type their stored files get. */
export const IMAGE_TYPES = {
  jpeg: { mimeType: 'image/jpeg', extension: 'jpg', label: 'JPEG' },
  png: { mimeType: 'image/png', extension: 'png', label: 'PNG' },
  webp: { mimeType: 'image/webp', extension: 'webp', label: 'WebP' },
  gif: { mimeType: 'image/gif', extension: 'gif', label: 'GIF' },
  avif: { mimeType: 'image/avif', extension: 'avif', label: 'AVIF' },
} as const

export type ImageFormat = keyof typeof IMAGE_TYPES

/** What the `accept` attribute of every upload input lists. */
export const ACCEPTED_MIME_TYPES = Object.values(IMAGE_TYPES)
  .map((type) => type.mimeType)
  .join(',')

export const UNSUPPORTED_TYPE_MESSAGE =
  'Only JPEG, PNG, WebP, GIF and AVIF images can be uploaded; SVG is not accepted because it can carry scripts.'

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const AVIF_BRANDS = new Set(['avif', 'avis'])
/** How far into the file an AVIF's ftyp box may list its brands and still count. */
const FTYP_WINDOW = 32

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean =>
  bytes.length >= at + signature.length && signature.every((byte, i) => bytes[at + i] === byte)

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...bytes.subarray(from, to))

/** An ISO-BMFF file whose leading ftyp box names AVIF as its major or a compatible brand. */
function isAvif(bytes: Uint8Array): boolean {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return false
  const boxSize = ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)
  const end = Math.min(boxSize >= 16 ? boxSize : FTYP_WINDOW, FTYP_WINDOW, bytes.length)
  if (AVIF_BRANDS.has(ascii(bytes, 8, 12))) return true
  // Bytes 12–16 are the minor version; compatible brands follow, four bytes each.
  for (let at = 16; at + 4 <= end; at += 4) {
    if (AVIF_BRANDS.has(ascii(bytes, at, at + 4))) return true
  }
  return false
}

/**
 * The image format the bytes say they are, or undefined. A file's name and the browser's
 * Content-Type are chosen by whoever sends it, so neither is consulted: an SVG (which can carry
 * script) called "photo.png" and sent as image/png is still refused here.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png'
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) return 'gif'
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp'
  if (isAvif(bytes)) return 'avif'
  return undefined
}
