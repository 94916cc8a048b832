// Owns the old site's own address in an imported body: Ghost's `__GHOST_URL__` placeholder, and links to the old site's pages made root-relative so Folio's redirects answer them.

/** Ghost 4+ writes the site's own address (its folder included) as this, in bodies and image fields. */
const GHOST_URL = /__GHOST_URL__/g
const GHOST_URL_PREFIX = '__GHOST_URL__'

/** An `href` as HTML (or a WordPress body, shortcodes included) writes it: quoted either way or bare. */
const HREF = /(\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>\]]+))/gi
/** A path ending in a file name other than a page's: the old site's uploads stay where they are. */
const FILE_NAME = /\.([A-Za-z0-9]{1,5})$/
const PAGE_EXTENSIONS = new Set(['html', 'htm', 'php'])

/** `value` with Ghost's placeholder replaced by the old site's address; '' leaves a path on the site. */
export function withSiteAddress(value: string, siteUrl: string): string {
  return value.includes(GHOST_URL_PREFIX) ? value.replace(GHOST_URL, () => siteUrl) : value
}

interface OldSite {
  /** Matches the old site's origin at the start of an address: either scheme, with or without `www.`. */
  readonly origin: RegExp | undefined
  /** The folder the blog lived in ("/blog"), '' at the root. */
  readonly basePath: string
}

function oldSiteOf(siteUrl: string): OldSite {
  if (!URL.canParse(siteUrl)) return { origin: undefined, basePath: '' }
  const url = new URL(siteUrl)
  const host = url.hostname.replace(/^www\./i, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const port = url.port ? `:${url.port}` : ''
  return {
    origin: new RegExp(`^(?:https?:)?//(?:www\\.)?${host}${port}(?=[/?#]|$)`, 'i'),
    basePath: url.pathname.replace(/\/+$/, ''),
  }
}

/** Whether a site path (with its query or fragment) is a page of the blog rather than one of its files. */
function isBlogPage(path: string, basePath: string): boolean {
  const pathname = path.replace(/[?#].*$/, '')
  if (basePath && pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return false
  const extension = FILE_NAME.exec(pathname.slice(pathname.lastIndexOf('/') + 1))?.[1]
  return extension === undefined || PAGE_EXTENSIONS.has(extension.toLowerCase())
}

/** The root-relative form of a link to one of the old blog's pages; undefined for any other link. */
function relativeLink(href: string, site: OldSite): string | undefined {
  const value = href.trim()
  let rest: string | undefined
  if (value.startsWith(GHOST_URL_PREFIX)) rest = `${site.basePath}${value.slice(GHOST_URL_PREFIX.length)}`
  else if (site.origin) {
    const match = site.origin.exec(value)
    if (match) rest = value.slice(match[0].length)
  }
  if (rest === undefined) return undefined
  const path = rest.startsWith('/') ? rest : `/${rest}`
  return isBlogPage(path, site.basePath) ? path : undefined
}

/**
 * `html` with every link to one of the old blog's pages (`https://old.example/2019/03/hello/`, or
 * Ghost's `__GHOST_URL__/hello/`) written root-relative (`/2019/03/hello/`), so the redirects the
 * import stores answer it on Folio. Links to files the old site kept (uploads, PDFs) and to other
 * parts of its domain stay as they were; so does everything else in the text.
 */
export function sameSiteLinksRelative(html: string, siteUrl: string): string {
  const site = oldSiteOf(siteUrl)
  if (!site.origin && !html.includes(GHOST_URL_PREFIX)) return html
  return html.replace(HREF, (whole, start: string, double?: string, single?: string, bare?: string) => {
    const value = double ?? single ?? bare ?? ''
    const relative = relativeLink(value, site)
    if (relative === undefined) return whole
    const quote = single !== undefined ? "'" : '"'
    return `${start}${quote}${relative}${quote}`
  })
}
