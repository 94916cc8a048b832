// Owns how library images appear in pages and Markdown: their URLs, srcset and the snippet authors paste.
import type { Media } from '../../db/schema.ts'
import type { ImageInfo } from '../../lib/markdown.ts'
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
