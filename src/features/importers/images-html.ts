// Owns finding the images an imported body shows or links to, and pointing those attributes at the library's copies.
import sanitizeHtml from 'sanitize-html'

export interface ImageReference {
  /**
   * The addresses the body gives for one image, as written, best first: WordPress.com's
   * `data-orig-file`, the widest `srcset` entry, then `src` (or a link's `href`).
   */
  readonly values: readonly string[]
  readonly alt: string
}

/** The file names of the image formats Folio's media library takes (features/media/sniff.ts). */
const IMAGE_FILE = /\.(?:jpe?g|png|gif|webp|avif)$/i

/**
 * Whether an address (absolute or a path) names an image file Folio can bring in: what a link to
 * "the media file" points at, and which of a WordPress post's attachments a [gallery] shows.
 */
export function isImageFileUrl(url: string): boolean {
  const value = url.trim()
  return (
    URL.canParse(value, 'http://old.invalid') &&
    IMAGE_FILE.test(new URL(value, 'http://old.invalid').pathname)
  )
}

/** The widest entry of a srcset ("a.jpg 300w, b.jpg 1024w" gives "b.jpg"), by its w or x descriptor. */
function largestInSrcset(srcset: string | undefined): string | undefined {
  let best: { url: string; size: number } | undefined
  for (const entry of (srcset ?? '').split(/,\s+/)) {
    const [url, descriptor = '1x'] = entry.trim().split(/\s+/)
    if (!url) continue
    const size = Number.parseFloat(descriptor) * (descriptor.endsWith('x') ? 10_000 : 1)
    if (!best || size > best.size) best = { url, size: Number.isFinite(size) ? size : 0 }
  }
  return best?.url
}

function imageValues(attribs: Readonly<Record<string, string>>): string[] {
  const values = [attribs['data-orig-file'], largestInSrcset(attribs.srcset), attribs.src]
  return [...new Set(values.map((value) => value?.trim() ?? '').filter(Boolean))]
}

/** Every image in `html`, in document order: `<img>`, and a link around one straight to an image file. */
export function imageReferences(html: string): ImageReference[] {
  const found: ImageReference[] = []
  let link: string | undefined
  sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    onOpenTag(tag, attribs) {
      if (tag === 'a') link = isImageFileUrl(attribs.href ?? '') ? attribs.href?.trim() : undefined
      if (tag !== 'img') return
      const values = imageValues(attribs)
      if (values.length > 0) found.push({ values, alt: attribs.alt ?? '' })
      if (link) found.push({ values: [link], alt: attribs.alt ?? '' })
      link = undefined
    },
    onCloseTag(tag) {
      if (tag === 'a') link = undefined
    },
  })
  return found
}

/**
 * `html` with each image whose address `libraryUrl` knows pointing at the library: `src` (or a
 * link's `href`) replaced, the old `srcset` dropped (the library's sizes are added when Folio
 * renders). Everything else passes through as it was; Folio's sanitiser runs later.
 */
export function rewriteImageUrls(html: string, libraryUrl: (value: string) => string | undefined): string {
  return sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    allowedSchemesAppliedToAttributes: [],
    transformTags: {
      img: (tagName, attribs) => {
        const target = imageValues(attribs)
          .map(libraryUrl)
          .find((url) => url !== undefined)
        if (!target) return { tagName, attribs }
        const { srcset: _srcset, sizes: _sizes, 'data-orig-file': _original, ...rest } = attribs
        return { tagName, attribs: { ...rest, src: target } }
      },
      a: (tagName, attribs) => {
        const target = attribs.href ? libraryUrl(attribs.href.trim()) : undefined
        return { tagName, attribs: target ? { ...attribs, href: target } : attribs }
      },
    },
  })
}
