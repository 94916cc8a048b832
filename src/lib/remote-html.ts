// Owns reading HTML from other sites: their content made safe to show here, and the links a page holds.
import sanitizeHtml from 'sanitize-html'
import { REMOTE_LINK_REL } from './html.ts'
import { SANITIZE_OPTIONS } from './markdown.ts'

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:'])
/** Attributes of the posts' allowlist a stranger's HTML loses (see remoteOptions). */
const UNSHOWN_ATTRIBUTES = new Set(['id', 'class', 'title', 'aria-label'])

/**
 * The posts' allowlist less what only the author may use: images (a reader's browser never
 * fetches from a stranger's server), ids (they could collide with the page's own, the skip link's
 * #main included) and classes (no borrowing the site's styles).
 */
function remoteOptions(baseUrl: string): sanitizeHtml.IOptions {
  const tags = SANITIZE_OPTIONS.allowedTags || []
  const attributes = Object.entries(SANITIZE_OPTIONS.allowedAttributes || {})
    .filter(([tag]) => tag !== 'img')
    // Nor title or aria-label: a link's accessible name must be the words a reader sees.
    .map(([tag, names]) => [
      tag,
      names.filter((name) => typeof name !== 'string' || !UNSHOWN_ATTRIBUTES.has(name)),
    ])
  return {
    ...SANITIZE_OPTIONS,
    allowedTags: tags.filter((tag) => tag !== 'img'),
    allowedAttributes: Object.fromEntries(attributes),
    allowedClasses: {},
    transformTags: {
      ...SANITIZE_OPTIONS.transformTags,
      // Headings in a reply would pose as the page's own ("Need some help?"): they become paragraphs.
      ...Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, 'p'])),
      // Relative links mean the other site's pages, never this one's.
      a: (tagName, attribs) => {
        const { href: raw, rel: _, ...rest } = attribs
        const href = resolveUrl(raw ?? '', baseUrl)
        if (href && LINK_SCHEMES.has(new URL(href).protocol)) rest.href = href
        return { tagName, attribs: { ...rest, rel: REMOTE_LINK_REL } }
      },
    },
  }
}

/** Another site's HTML (a Webmention's content, a reply from the fediverse), safe to show under a post. */
export function sanitizeRemoteHtml(html: string, baseUrl: string): string {
  return sanitizeHtml(html, remoteOptions(baseUrl)).trim()
}

/** A link found in a page: `<a href>`, `<link href>`, `<img src>` and the like, made absolute. */
export interface PageLink {
  readonly tag: string
  /** The rel attribute's words, lowercase; empty where the element has none. */
  readonly rel: readonly string[]
  readonly url: string
}

const LINK_ATTRIBUTE: Readonly<Record<string, string>> = {
  a: 'href',
  area: 'href',
  link: 'href',
  img: 'src',
  video: 'src',
  audio: 'src',
  source: 'src',
}

/**
 * Every link in `html`, in document order, resolved against the page's `<base href>` if it has one,
 * else `pageUrl` (where it was fetched from, after redirects). Text in scripts and comments is not
 * a link; entities in attributes are decoded as a browser would.
 */
export function linksIn(html: string, pageUrl: string): PageLink[] {
  const found: { tag: string; rel: string; value: string }[] = []
  let base: string | undefined
  sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    onOpenTag(tag, attribs) {
      if (tag === 'base' && base === undefined && attribs.href) base = resolveUrl(attribs.href, pageUrl)
      const name = LINK_ATTRIBUTE[tag]
      const value = name ? attribs[name] : undefined
      if (value) found.push({ tag, rel: attribs.rel ?? '', value })
    },
  })
  return found.flatMap(({ tag, rel, value }) => {
    const url = resolveUrl(value, base ?? pageUrl)
    return url ? [{ tag, rel: rel.toLowerCase().split(/\s+/).filter(Boolean), url }] : []
  })
}

/** `value` as an absolute URL against `base`, or undefined when it is none (or empty). */
export function resolveUrl(value: string, base: string): string | undefined {
  const trimmed = value.trim()
  // An empty reference would resolve to the base itself: a link to nowhere is no link.
  return trimmed && URL.canParse(trimmed, base) ? new URL(trimmed, base).href : undefined
}
