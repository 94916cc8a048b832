// Owns turning an imported body (WordPress's raw content or Ghost's HTML) into the Markdown Folio stores.
//
// API, in the order an import uses it for each entry:
//   1. bodyToHtml(body, format, context)  → { html, unconvertedShortcodes }
//      WordPress: block comments out, shortcodes expanded ([gallery] images from context), autop.
//      html (Ghost): the body as it is, any `__GHOST_URL__` left made a path on the site.
//   2. localizeImages(db, html, imageContext) (images.ts) → the same HTML pointing at /media/ copies.
//   3. htmlToMarkdown(html) (convert-markdown.ts) → { markdown, keptHtml, removed }.
// The readers have already made links to the old site's pages root-relative (convert-links.ts).
// convertBody does 1 and 3 in one call, for bodies whose images stay where they are.

import { withSiteAddress } from './convert-links.ts'
import { type ConvertedHtml, htmlToMarkdown } from './convert-markdown.ts'
import { wordpressToHtml } from './convert-wordpress.ts'
import type { ImportedEntry } from './model.ts'
import type { ShortcodeContext } from './shortcodes.ts'

export { htmlToMarkdown } from './convert-markdown.ts'

export type BodyFormat = ImportedEntry['bodyFormat']
/** What a WordPress body's galleries need: ImportBundle.attachmentUrls and the entry's attachedImages. */
export type ConvertContext = ShortcodeContext

export interface BodyHtml {
  readonly html: string
  /** Shortcodes left as text (Folio does not know them), as their opening tags. */
  readonly unconvertedShortcodes: string[]
}

export interface ConvertedBody extends ConvertedHtml {
  readonly unconvertedShortcodes: string[]
}

/** An imported body as HTML: what the image step rewrites and htmlToMarkdown converts. */
export function bodyToHtml(body: string, format: BodyFormat, context: ConvertContext = {}): BodyHtml {
  if (format === 'wordpress') {
    const { html, unconverted } = wordpressToHtml(body, context)
    return { html, unconvertedShortcodes: unconverted }
  }
  // The Ghost reader has put the old site's address in; a body given straight keeps site paths.
  return { html: withSiteAddress(body, ''), unconvertedShortcodes: [] }
}

/** An imported body as Markdown, its images left where they are. */
export function convertBody(body: string, format: BodyFormat, context: ConvertContext = {}): ConvertedBody {
  const { html, unconvertedShortcodes } = bodyToHtml(body, format, context)
  return { ...htmlToMarkdown(html), unconvertedShortcodes }
}
