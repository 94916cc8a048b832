// Owns how library images appear in pages and Markdown: their URLs, srcset and the snippet authors paste.
import type { Media } from '../../db/schema.ts'
import type { ImageInfo } from '../../lib/markdown.ts'
import type { MetaImage } from '../../plugins/site.ts'
import { parseVariants } from './files.ts'

/** Matches the public site's content column: full width on a phone, 46rem from 48rem up. */
export const IMAGE_SIZES = '(min-width: 50.5rem) 48rem, calc(100vw - 2.5rem)'

export const mediaUrl = (fileName: string): string => `/media/${encodeURIComponent(fileName)}`

/** `![alt](/media/file)`, with the characters that would end the alt text escaped. */
export function markdownFor(row: Pick<Media, 'alt' | 'fileName'>): string {
  const alt = row.alt.replace(/[\\[\]]/g, '\\$&')
  return `![${alt}](${mediaUrl(row.fileName)})`
}

/** What the Markdown renderer knows of a library image: its size, WebP copies and alt text. */
export function imageInfo(
  row: Pick<Media, 'width' | 'height' | 'variants'> & Partial<Pick<Media, 'alt'>>,
): ImageInfo {
  const variants = parseVariants(row.variants)
  const srcset = variants.map((v) => `${mediaUrl(v.fileName)} ${v.width}w`).join(', ')
  const known = { width: row.width, height: row.height, ...(row.alt ? { alt: row.alt } : {}) }
  return srcset ? { ...known, srcset, sizes: IMAGE_SIZES } : known
}

/** The smallest copy of an image, for lists and pickers: the narrowest WebP, or the original. */
export function thumbnailOf(row: Pick<Media, 'fileName' | 'width' | 'height' | 'variants'>) {
  const thumb = parseVariants(row.variants)[0] ?? row
  return { src: mediaUrl(thumb.fileName), width: thumb.width, height: thumb.height }
}

export type FeatureImageRow = Pick<
  Media,
  'fileName' | 'width' | 'height' | 'variants' | 'alt' | 'mimeType' | 'bytes'
>

/** A post's feature image as the article's first picture: the original as src, the WebP copies in srcset. */
export function featureImageView(row: FeatureImageRow) {
  const info = imageInfo(row)
  return {
    src: mediaUrl(row.fileName),
    width: row.width,
    height: row.height,
    alt: row.alt,
    srcset: info.srcset ?? '',
    sizes: info.sizes ?? '',
  }
}

/** What link previews (Open Graph, X, Mastodon, Slack) read: these formats, up to about 5 MB. */
const PREVIEW_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])
const PREVIEW_MAX_BYTES = 5 * 1024 * 1024

/** A feature image as link previews and feeds get it: the original when they can read it, else its widest WebP copy. */
export function featureMetaImage(row: FeatureImageRow, fallbackAlt: string): MetaImage {
  const widest = parseVariants(row.variants).at(-1)
  const original = PREVIEW_TYPES.has(row.mimeType) && row.bytes <= PREVIEW_MAX_BYTES
  const file = original || !widest ? row : widest
  return { url: mediaUrl(file.fileName), width: file.width, height: file.height, alt: row.alt || fallbackAlt }
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
