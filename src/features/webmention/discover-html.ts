// Owns finding a Webmention endpoint in an HTML page: the first <link> or <a> whose rel names webmention, read by a start-tag scanner that works in slices so the event loop stays free.
import { setImmediate as nextTurn } from 'node:timers/promises'
import sanitizeHtml from 'sanitize-html'
import { resolveUrl } from '../../lib/remote-html.ts'

/**
 * Why not a full parser: a megabyte of nested tags costs htmlparser2 (and so sanitize-html) several
 * seconds, all on one call. Discovery needs no tree, only start tags in document order, so this
 * scanner reads the tokenizer's few states that decide where tags are (comments, raw text, quoted
 * attributes), in linear time, and yields to other requests every slice. Only the one tag that
 * wins goes through sanitize-html, for its attributes' character references.
 */
export const SLICE_CHARS = 32 * 1024
/** Tags whose rel reads webmention only until its references are decoded: past this many, the page is a trick. */
const MAX_DECODED_TAGS = 16
/** A real <link> or <a> is far shorter and has a handful of attributes; a tag past either is read no further. */
const MAX_TAG_CHARS = 16 * 1024
const MAX_ATTRIBUTES = 64

/** Elements whose content is text, not markup: a "<link>" written inside one is no element. */
const RAW_TEXT_END = new Map(
  ['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes'].map((name) => [
    name,
    new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi'),
  ]),
)
const ENDPOINT_TAGS = new Set(['link', 'a'])

const TAG_NAME = /[a-zA-Z][^\t\n\f\r />]*/y
const BETWEEN_ATTRIBUTES = /[\t\n\f\r /]*/y
const ATTRIBUTE_NAME = /[^\t\n\f\r />][^\t\n\f\r />=]*/y
const EQUALS = /[\t\n\f\r ]*=[\t\n\f\r ]*/y
const UNQUOTED_VALUE = /[^\t\n\f\r >]*/y
const COMMENT_END = /--!?>/g
/** A quoted value that opens before the tag's next ">" (which it may hold). */
const QUOTED_VALUE_AHEAD = /[^>]*?=[\t\n\f\r ]*(["'])/y

interface Tag {
  readonly name: string
  /** Attribute values as written, character references not yet decoded; the first of a name wins. */
  readonly attributes: ReadonlyMap<string, string>
  /** Just after the closing `>`. */
  readonly end: number
}

function matchAt(pattern: RegExp, html: string, at: number): string | undefined {
  pattern.lastIndex = at
  return pattern.exec(html)?.[0]
}

/** The tag whose name starts at `at`, or undefined when the document ends inside it (a browser drops it too). */
function readTag(html: string, at: number): Tag | undefined {
  const name = matchAt(TAG_NAME, html, at) ?? ''
  const attributes = new Map<string, string>()
  let pos = at + name.length
  for (;;) {
    pos += matchAt(BETWEEN_ATTRIBUTES, html, pos)?.length ?? 0
    if (pos - at > MAX_TAG_CHARS || attributes.size >= MAX_ATTRIBUTES) {
      const end = endOfTag(html, pos)
      return end === undefined ? undefined : { name: name.toLowerCase(), attributes: new Map(), end }
    }
    if (pos >= html.length) return undefined
    if (html[pos] === '>') return { name: name.toLowerCase(), attributes, end: pos + 1 }
    const attribute = matchAt(ATTRIBUTE_NAME, html, pos) ?? ''
    pos += attribute.length
    let value = ''
    const equals = matchAt(EQUALS, html, pos)
    if (equals !== undefined) {
      pos += equals.length
      const quote = html[pos]
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, pos + 1)
        if (close === -1) return undefined
        value = html.slice(pos + 1, close)
        pos = close + 1
      } else {
        value = matchAt(UNQUOTED_VALUE, html, pos) ?? ''
        pos += value.length
      }
    }
    const key = attribute.toLowerCase()
    if (!attributes.has(key)) attributes.set(key, value)
  }
}

/**
 * Just after the `>` that ends a tag from `from` on, its attributes left unread: thousands of them
 * are a hostile page, and reading each would hold the event loop for tens of milliseconds.
 */
function endOfTag(html: string, from: number): number | undefined {
  let pos = from
  for (;;) {
    QUOTED_VALUE_AHEAD.lastIndex = pos
    const quoted = QUOTED_VALUE_AHEAD.exec(html)
    if (!quoted) {
      const close = html.indexOf('>', pos)
      return close === -1 ? undefined : close + 1
    }
    const quoteEnd = html.indexOf(quoted[1] ?? '"', QUOTED_VALUE_AHEAD.lastIndex)
    if (quoteEnd === -1) return undefined
    pos = quoteEnd + 1
  }
}

/** Where markup starts again after the raw text that began at `from`, ended by `close`. */
function afterRawText(html: string, close: RegExp, from: number): number {
  close.lastIndex = from
  return close.exec(html)?.index ?? html.length
}

/** The tag's attributes as a browser reads them, character references decoded, by the same parser the rest of Folio uses. */
function decodedAttributes(html: string, from: number, tag: Tag): Record<string, string> | undefined {
  let attributes: Record<string, string> | undefined
  sanitizeHtml(html.slice(from, tag.end), {
    allowedTags: [],
    allowedAttributes: {},
    onOpenTag(_name, attribs) {
      attributes ??= attribs
    },
  })
  return attributes
}

const relNames = (rel: string): string[] => rel.toLowerCase().split(/[\t\n\f\r ]+/)

/**
 * The endpoint the page at `pageUrl` advertises in its markup: the first `<link>` or `<a>` in
 * document order with `webmention` among its rel values and an href. An empty href is the page
 * itself; a relative one resolves against a `<base href>` met before it, else the page's URL.
 * Undefined when there is none.
 */
export async function endpointInHtml(html: string, pageUrl: string): Promise<string | undefined> {
  let base = pageUrl
  let sawBase = false
  let decoded = 0
  let sliceEnd = SLICE_CHARS
  let pos = 0
  while (pos < html.length) {
    if (pos >= sliceEnd) {
      await nextTurn()
      sliceEnd = pos + SLICE_CHARS
    }
    const lt = html.indexOf('<', pos)
    if (lt === -1) return undefined
    const next = html[lt + 1] ?? ''
    if (html.startsWith('!--', lt + 1)) {
      // "<!-->" and "<!--->" are whole (empty) comments; otherwise the comment runs to "-->".
      const short = /^-?>/.exec(html.slice(lt + 4, lt + 6))
      if (short) pos = lt + 4 + short[0].length
      else {
        COMMENT_END.lastIndex = lt + 4
        const end = COMMENT_END.exec(html)
        if (!end) return undefined
        pos = end.index + end[0].length
      }
    } else if (next === '!' || next === '?' || (next === '/' && !/[a-zA-Z>]/.test(html[lt + 2] ?? ''))) {
      // Doctypes, CDATA and other bogus comments end at the first ">".
      const end = html.indexOf('>', lt + 2)
      if (end === -1) return undefined
      pos = end + 1
    } else if (next === '/') {
      const end = html[lt + 2] === '>' ? { end: lt + 3 } : readTag(html, lt + 2)
      if (!end) return undefined
      pos = end.end
    } else if (/[a-zA-Z]/.test(next)) {
      const tag = readTag(html, lt + 1)
      if (!tag) return undefined
      pos = tag.end
      if (tag.name === 'plaintext') return undefined
      const rawTextEnd = RAW_TEXT_END.get(tag.name)
      if (rawTextEnd) pos = afterRawText(html, rawTextEnd, pos)
      if (tag.attributes.get('href') === undefined) continue
      if (tag.name === 'base' && !sawBase) {
        sawBase = true
        const attributes = decodedAttributes(html, lt, tag)
        base = resolveUrl(attributes?.href ?? '', pageUrl) ?? pageUrl
        continue
      }
      if (!ENDPOINT_TAGS.has(tag.name) || !relNames(tag.attributes.get('rel') ?? '').includes('webmention'))
        continue
      if (++decoded > MAX_DECODED_TAGS) return undefined
      const attributes = decodedAttributes(html, lt, tag)
      if (!attributes || !relNames(attributes.rel ?? '').includes('webmention')) continue
      const value = attributes.href ?? ''
      return value.trim() === '' ? pageUrl : resolveUrl(value, base)
    } else pos = lt + 1
  }
  return undefined
}
