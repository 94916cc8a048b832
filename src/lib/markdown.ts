// Owns turning Markdown into the safe HTML Folio stores: the only place Markdown is rendered.
import GithubSlugger from 'github-slugger'
import hljs from 'highlight.js/lib/core'
import bash from 'highlight.js/lib/languages/bash'
import css from 'highlight.js/lib/languages/css'
import diff from 'highlight.js/lib/languages/diff'
import dockerfile from 'highlight.js/lib/languages/dockerfile'
import go from 'highlight.js/lib/languages/go'
import ini from 'highlight.js/lib/languages/ini'
import javascript from 'highlight.js/lib/languages/javascript'
import json from 'highlight.js/lib/languages/json'
import nginx from 'highlight.js/lib/languages/nginx'
import php from 'highlight.js/lib/languages/php'
import plaintext from 'highlight.js/lib/languages/plaintext'
import python from 'highlight.js/lib/languages/python'
import ruby from 'highlight.js/lib/languages/ruby'
import rust from 'highlight.js/lib/languages/rust'
import shell from 'highlight.js/lib/languages/shell'
import sql from 'highlight.js/lib/languages/sql'
import typescript from 'highlight.js/lib/languages/typescript'
import xml from 'highlight.js/lib/languages/xml'
import yaml from 'highlight.js/lib/languages/yaml'
import { Marked, type Token, type Tokens } from 'marked'
import { markedHighlight } from 'marked-highlight'
import sanitizeHtml from 'sanitize-html'
import { escapeHtml } from './html.ts'
import { visibleText } from './html-text.ts'
import { assertNestingWithinLimit, MarkdownLimitError } from './markdown-limits.ts'

const languages = {
  bash,
  css,
  diff,
  dockerfile,
  go,
  ini,
  javascript,
  json,
  nginx,
  php,
  plaintext,
  python,
  ruby,
  rust,
  shell,
  sql,
  typescript,
  xml,
  yaml,
}
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language)
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' })
hljs.registerAliases(['toml'], { languageName: 'ini' })
hljs.registerAliases(['console'], { languageName: 'shell' })

const MORE_MARKER = /^[ \t]*<!--\s*more\s*-->[ \t]*$/im
const WORDS_PER_MINUTE = 230

const isExternal = (href: string): boolean => /^https?:\/\//i.test(href)

/** What Folio knows about one of its own images, so pages can reserve its space and offer sizes. */
export interface ImageInfo {
  /** The library's description, used where the author wrote `![](…)` without alt text of their own. */
  readonly alt?: string
  readonly width: number
  readonly height: number
  readonly srcset?: string
  readonly sizes?: string
}

/** Looks up an image by the `src` an author wrote; undefined for images Folio does not manage. */
export type ImageResolver = (src: string) => ImageInfo | undefined

export interface RenderOptions {
  readonly images?: ImageResolver
}

const isImage = (token: Token | undefined): boolean =>
  token?.type === 'image' ||
  (token?.type === 'link' && token.tokens?.length === 1 && token.tokens[0]?.type === 'image')

/**
 * `![alt](src)` (or a linked image) on one line and `*Caption*` or `_Caption_` alone on the next,
 * nothing else in the paragraph: elsewhere that still reads as a picture with an italic line under it.
 */
function captionedImage(tokens: readonly Token[]): { image: Token; caption: Tokens.Em } | undefined {
  const [image, gap, caption, ...rest] = tokens
  if (rest.length > 0 || !image || !isImage(image) || caption?.type !== 'em') return undefined
  const lineBreak = gap?.type === 'br' || (gap?.type === 'text' && /^[ \t]*\n[ \t]*$/.test(gap.raw))
  return lineBreak ? { image, caption: caption as Tokens.Em } : undefined
}

/** A caption is Markdown text only: HTML typed into it is shown as written, not interpreted. */
function htmlAsText(tokens: readonly Token[]): Token[] {
  return tokens.map((token) => {
    if (token.type === 'html') return { type: 'text', raw: token.raw, text: token.raw, escaped: false }
    const children = 'tokens' in token ? token.tokens : undefined
    return children ? ({ ...token, tokens: htmlAsText(children) } as Token) : token
  })
}

/** A Marked instance per document, so heading ids are unique within that document. */
function createMarked(options: RenderOptions = {}): Marked {
  const slugger = new GithubSlugger()
  const marked = new Marked(
    markedHighlight({
      emptyLangClass: 'hljs',
      langPrefix: 'hljs language-',
      highlight(code, lang) {
        const language = hljs.getLanguage(lang) ? lang : 'plaintext'
        return hljs.highlight(code, { language, ignoreIllegals: true }).value
      },
    }),
  )
  marked.use({
    gfm: true,
    renderer: {
      heading({ tokens, depth, text }: Tokens.Heading) {
        // The page title is the only h1, so a "# Heading" in a body becomes an h2.
        const level = Math.max(2, depth)
        const inner = this.parser.parseInline(tokens)
        const id = slugger.slug(text.replace(/<[^>]*>/g, '')) || 'section'
        return `<h${level} id="${id}">${inner} <a class="anchor" href="#${id}" aria-label="Link to this section">#</a></h${level}>\n`
      },
      link({ href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens)
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : ''
        const rel = isExternal(href) ? ' rel="noopener"' : ''
        return `<a href="${escapeHtml(href)}"${titleAttr}${rel}>${inner}</a>`
      },
      // Task-list boxes become text: a disabled, unlabelled checkbox only confuses a screen reader.
      checkbox({ checked }: Tokens.Checkbox) {
        return checked ? '☑ ' : '☐ '
      },
      image({ href, title, text }: Tokens.Image) {
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : ''
        const info = options.images?.(href)
        // `![](…)` has no alt text of its own: the library's description stands in.
        const alt = text.trim() ? text : (info?.alt ?? '')
        const sizeAttrs = info
          ? ` width="${info.width}" height="${info.height}"${info.srcset ? ` srcset="${escapeHtml(info.srcset)}" sizes="${escapeHtml(info.sizes ?? '100vw')}"` : ''}`
          : ''
        return `<img src="${escapeHtml(href)}" alt="${escapeHtml(alt)}"${titleAttr}${sizeAttrs} loading="lazy" decoding="async">`
      },
      // An image alone in its paragraph with an italic line right under it is a figure and its caption.
      paragraph({ tokens }: Tokens.Paragraph) {
        const figure = captionedImage(tokens)
        if (!figure) return false
        const image = this.parser.parseInline([figure.image])
        const caption = this.parser.parseInline(htmlAsText(figure.caption.tokens))
        return `<figure>${image}<figcaption>${caption}</figcaption></figure>\n`
      },
    },
  })
  return marked
}

/** What stored HTML may hold: remote-html.ts narrows the same list for what other sites send. */
export const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: (
    'h2 h3 h4 h5 h6 p br hr a img figure figcaption ul ol ' +
    'li dl dt dd blockquote pre code kbd samp var em strong b i ' +
    'u s del ins mark small sub sup abbr cite q span div details ' +
    'summary table thead tbody tfoot tr th td caption'
  ).split(' '),
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'id', 'aria-label'],
    img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height', 'loading', 'decoding'],
    h2: ['id'],
    h3: ['id'],
    h4: ['id'],
    h5: ['id'],
    h6: ['id'],
    th: ['align', 'scope', 'colspan', 'rowspan'],
    td: ['align', 'colspan', 'rowspan'],
    ol: ['start', 'reversed'],
    li: ['value'],
    abbr: ['title'],
    blockquote: ['cite'],
    q: ['cite'],
    pre: ['tabindex'],
    table: ['tabindex'],
    '*': ['class', 'lang', 'dir'],
  },
  allowedClasses: {
    code: ['hljs', 'language-*'],
    span: ['hljs-*', 'language-*'],
    a: ['anchor'],
    '*': [],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  transformTags: {
    // Code blocks scroll sideways on a phone; a keyboard user must be able to reach them.
    pre: (tagName, attribs) => ({ tagName, attribs: { ...attribs, tabindex: '0' } }),
    // Wide tables scroll inside themselves too, so they need the same keyboard access.
    table: (tagName, attribs) => ({ tagName, attribs: { ...attribs, tabindex: '0' } }),
    // Raw <img> from the author gets the same treatment as Markdown images, and never lacks alt.
    img: (tagName, attribs) => ({
      tagName,
      attribs: { alt: '', loading: 'lazy', decoding: 'async', ...attribs },
    }),
  },
}

/** The parser recurses once per level of nesting: input that still overflows the stack is too deep. */
function parseWithinStack<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof RangeError) throw new MarkdownLimitError('too-deep')
    throw error
  }
}

/**
 * Renders Markdown to sanitized HTML. Raw HTML in the source is allowed only where the allowlist says.
 * Throws MarkdownLimitError for input nested too deeply; markdown-pool.ts also bounds the time it takes.
 */
export function renderMarkdown(markdown: string, options: RenderOptions = {}): string {
  if (!markdown.trim()) return ''
  assertNestingWithinLimit(markdown)
  const html = parseWithinStack(() => createMarked(options).parse(markdown, { async: false }))
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim()
}

/** The visible text of any HTML, however it was written: markup goes through the sanitiser's parser. */
export function htmlToText(html: string): string {
  return visibleText(html, (markup) => sanitizeHtml(markup, { allowedTags: [], allowedAttributes: {} }))
}

export function readingMinutes(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length
  return Math.max(1, Math.round(words / WORDS_PER_MINUTE))
}

export interface RenderedBody {
  readonly html: string
  readonly excerptHtml: string
  /** True when lists show less than the whole post. */
  readonly hasMore: boolean
  readonly text: string
  readonly readingMinutes: number
}

/**
 * Renders a post body and its list excerpt: the author's excerpt if given, else the part
 * before a `<!--more-->` line, else the first paragraph.
 */
export function renderBody(bodyMd: string, excerptMd = '', options: RenderOptions = {}): RenderedBody {
  const html = renderMarkdown(bodyMd, options)
  const text = htmlToText(html)
  let excerptHtml: string
  let hasMore: boolean
  const marker = MORE_MARKER.exec(bodyMd)
  if (excerptMd.trim()) {
    excerptHtml = renderMarkdown(excerptMd, options)
    hasMore = bodyMd.trim().length > 0
  } else if (marker) {
    excerptHtml = renderMarkdown(bodyMd.slice(0, marker.index), options)
    hasMore = bodyMd.slice(marker.index + marker[0].length).trim().length > 0
  } else {
    const blocks = parseWithinStack(() => new Marked().lexer(bodyMd)).filter(
      (token) => token.type !== 'space',
    )
    const first = blocks.find((token) => token.type === 'paragraph')
    excerptHtml = first ? renderMarkdown(first.raw, options) : html
    hasMore = first ? blocks.length > 1 : false
  }
  return { html, excerptHtml, hasMore, text, readingMinutes: readingMinutes(text) }
}
