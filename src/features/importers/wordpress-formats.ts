// Owns what WordPress's post formats become: "link" and "quote" posts become Folio link posts where the content holds a link; the others stay articles, noted.
import { isHttpUrl } from '../../lib/urls.ts'
import { plainText } from './reader-common.ts'

/** What a format gives the entry: its link, its quotation, the body left over, and what to tell the author. */
export interface FormatResult {
  readonly linkUrl: string
  readonly quoteHtml: string
  readonly body: string
  readonly note: string | null
}

const ANCHOR = /<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>[\s\S]*?<\/a\s*>/i
const BARE_URL = /https?:\/\/[^\s<>"'\]]+/i
const BLOCKQUOTE = /<blockquote\b([^>]*)>([\s\S]*?)<\/blockquote\s*>/i
const CITE_ATTRIBUTE = /\bcite\s*=\s*(["'])(.*?)\1/i
/** The block editor's markers around a quote, left empty once the quotation is taken out. */
const EMPTY_QUOTE_BLOCK = /<!--\s*wp:quote\b[^>]*-->\s*<!--\s*\/wp:quote\s*-->/

/** The format's name from an item's post_format term ("post-format-link" → "link"); '' for standard. */
export function formatName(nicename: string): string {
  return nicename.replace(/^post-format-/, '')
}

export function applyFormat(format: string, body: string): FormatResult {
  if (format === 'link') return linkFormat(body)
  if (format === 'quote') return quoteFormat(body)
  return { linkUrl: '', quoteHtml: '', body, note: format ? `“${format}” format on the old site` : null }
}

/** The first link in the content is the post's link; a line holding only that link leaves the body. */
function linkFormat(body: string): FormatResult {
  const found = firstLink(body)
  if (!found) {
    return {
      linkUrl: '',
      quoteHtml: '',
      body,
      note: 'a “link” post with no link in it: imported as an article',
    }
  }
  return {
    linkUrl: found.url,
    quoteHtml: '',
    body: withoutLoneMatch(body, found.index, found.length),
    note: null,
  }
}

/** The first blockquote is the quotation, its cite (or first link) the source. */
function quoteFormat(body: string): FormatResult {
  const quote = BLOCKQUOTE.exec(body)
  const cite = quote ? httpUrl(CITE_ATTRIBUTE.exec(quote[1] ?? '')?.[2] ?? '') : ''
  const source = cite || (quote ? (firstLink(quote[2] ?? '')?.url ?? '') : '')
  if (!quote || !source) {
    return {
      linkUrl: '',
      quoteHtml: '',
      body,
      note: 'a “quote” post with no source link: imported as an article',
    }
  }
  const rest = `${body.slice(0, quote.index)}${body.slice(quote.index + quote[0].length)}`.replace(
    EMPTY_QUOTE_BLOCK,
    '',
  )
  return { linkUrl: source, quoteHtml: (quote[2] ?? '').trim(), body: rest.trim(), note: null }
}

/** The first http(s) link, as an <a href> or a bare URL, whichever comes first. */
function firstLink(html: string): { url: string; index: number; length: number } | null {
  const anchor = ANCHOR.exec(html)
  const bare = BARE_URL.exec(html)
  const anchorUrl = anchor ? httpUrl(anchor[2] ?? '') : ''
  const bareUrl = bare ? httpUrl(bare[0].replace(/[.,;:!?)]+$/, '')) : ''
  const useAnchor = anchor && anchorUrl && (!bare || !bareUrl || anchor.index <= bare.index)
  if (useAnchor) return { url: anchorUrl, index: anchor.index, length: anchor[0].length }
  if (bare && bareUrl) return { url: bareUrl, index: bare.index, length: bareUrl.length }
  return null
}

function httpUrl(value: string): string {
  const url = value.trim().replace(/&amp;/g, '&')
  return isHttpUrl(url) ? url : ''
}

/**
 * The body without the matched link when the link stood alone on its line (a bare URL, or an
 * anchor in an otherwise empty paragraph); otherwise the body as it was, the link in its sentence.
 */
function withoutLoneMatch(body: string, index: number, length: number): string {
  const lineStart = body.lastIndexOf('\n', index - 1) + 1
  const lineEndAt = body.indexOf('\n', index + length)
  const lineEnd = lineEndAt < 0 ? body.length : lineEndAt
  const rest = `${body.slice(lineStart, index)}${body.slice(index + length, lineEnd)}`
  if (plainText(rest.replace(/<!--[\s\S]*?-->/g, '')) !== '') return body
  return `${body.slice(0, lineStart)}${body.slice(lineEnd)}`.trim()
}
