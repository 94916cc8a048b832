// Owns reading the few parts of a rendered page that tests look at: main content, JSON-LD, meta tags.

/** The page's <main> element, so that header, footer and <head> don't make a match. */
export function mainOf(html: string): string {
  const start = html.indexOf('<main')
  const end = html.indexOf('</main>')
  if (start === -1 || end === -1) throw new Error('the page has no <main>')
  return html.slice(start, end + '</main>'.length)
}

/** The text of the page's ld+json script, up to the first "</script>" as a browser would read it. */
export function jsonLdOf(html: string): string {
  const open = '<script type="application/ld+json">'
  const start = html.indexOf(open)
  if (start === -1) throw new Error('the page has no JSON-LD')
  const end = html.indexOf('</script>', start)
  return html.slice(start + open.length, end)
}

/** The content of `<meta property|name="…" content="…">`. */
export function metaContent(html: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`<meta (?:property|name)="${escaped}" content="([^"]*)">`).exec(html)?.[1]
}

/** Every href in the page's <head> `<link rel="…">` tags with that rel. */
export function linkRel(html: string, rel: string): string[] {
  return [...html.matchAll(/<link rel="([^"]+)"[^>]*href="([^"]*)"/g)]
    .filter((m) => m[1] === rel)
    .map((m) => m[2] ?? '')
}

/** `<script` tags other than JSON-LD: public pages ship no JavaScript. */
export function scriptTags(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>/gi)]
    .map((m) => m[0])
    .filter((tag) => !/type="application\/ld\+json"/.test(tag))
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
