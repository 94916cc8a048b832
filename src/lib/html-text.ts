// Owns the visible text of HTML: what search, descriptions and reading time read, without loading an HTML parser.

/** Entities the sanitiser writes (and a few common ones) back into the characters they stand for. */
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
  '&nbsp;': ' ',
}

/**
 * Tags gone from HTML that Folio sanitised itself: its text holds no `<` and its attributes no `>`
 * (the sanitiser escapes both), and it has no comments, scripts or styles, so a pattern is exact.
 */
const stripSanitisedTags = (html: string): string => html.replace(/<[^>]*>/g, '')

/**
 * The visible text of HTML, for search, descriptions and reading time. `stripTags` removes the
 * markup: the default is exact for HTML Folio stored; lib/markdown.ts passes a real parser for
 * HTML from elsewhere. Either way the result must read the same, so both share these steps.
 */
export function visibleText(html: string, stripTags: (html: string) => string = stripSanitisedTags): string {
  const spaced = html.replace(
    /<\/(p|h\d|li|pre|blockquote|tr|td|th|div|figcaption|dd|dt)>|<br\s*\/?>/gi,
    ' $&',
  )
  const withoutAnchors = spaced.replace(/<a class="anchor"[^>]*>#<\/a>/g, '')
  return stripTags(withoutAnchors)
    .replace(/&(amp|lt|gt|quot|#39|#x27|nbsp);/g, (m) => ENTITIES[m] ?? m)
    .replace(/\s+/g, ' ')
    .trim()
}
