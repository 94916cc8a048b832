// Owns turning an imported post's HTML into Folio's Markdown with turndown: GFM tables, fenced code with its language, captions, embeds as links, HTML kept where Markdown has no equivalent, and what is left out named.
import { gfm } from '@joplin/turndown-plugin-gfm'
import sanitizeHtml from 'sanitize-html'
import TurndownService from 'turndown'
import { SANITIZE_OPTIONS } from '../../lib/markdown.ts'
import { embedTarget, fileLabel } from './convert-embeds.ts'
import { cleanLanguage } from './shortcodes.ts'

export interface ConvertedHtml {
  readonly markdown: string
  /** Tag names kept as HTML inside the Markdown ("details", "table", "sup"…), once each, sorted. */
  readonly keptHtml: string[]
  /**
   * Tag names of what readers will not see, once each, sorted: "script", "style", a "form", an
   * "iframe" or "video" whose source cannot become a link. Their text is not in the Markdown.
   */
  readonly removed: string[]
}

type Element = HTMLElement

/** What Folio's sanitiser lets a rendered page show (lib/markdown.ts). */
const SHOWN = new Set(SANITIZE_OPTIONS.allowedTags || [])
/** Markdown has no way to say these: kept as HTML where the sanitiser shows them, else left out. */
const NO_MARKDOWN_BLOCKS = 'details dl form object svg math canvas'.split(' ')
/** The same, for tags that sit inside a line of text rather than standing as a block. */
const NO_MARKDOWN_INLINE = 'sup sub kbd mark abbr ins u small embed textarea select input button'.split(' ')
const NO_MARKDOWN = [...NO_MARKDOWN_BLOCKS, ...NO_MARKDOWN_INLINE]
const KEPT_TAGS = new Set(NO_MARKDOWN.filter((tag) => SHOWN.has(tag)))
const KEPT_INLINE = new Set(NO_MARKDOWN_INLINE.filter((tag) => SHOWN.has(tag)))
/** Left out with everything inside them: page furniture, code, and what the sanitiser would drop anyway. */
const REMOVED_TAGS = new Set([
  ...'script style noscript template head title meta link'.split(' '),
  ...NO_MARKDOWN.filter((tag) => !SHOWN.has(tag)),
])

/**
 * Which REMOVED_TAGS `html` holds. Read from the markup itself, because turndown drops an element
 * with no text (an `<svg>` of paths, an `<object>`) before any rule could note it.
 */
function removedTagsIn(html: string, into: Set<string>): void {
  sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    onOpenTag(tag) {
      if (REMOVED_TAGS.has(tag)) into.add(tag)
    },
  })
}

/** Inside a cell these need blocks Markdown tables cannot hold. */
const BLOCKS_IN_CELLS = 'ul, ol, h1, h2, h3, h4, h5, h6, hr, blockquote, pre, table, dl, figure, p + p'

const hasClass = (node: Element, name: string): boolean => node.classList?.contains(name) ?? false

/** A code block's language, from the ways blogs write it: `language-x`, `lang-x`, `brush: x`, `lang="x"`. */
function languageOf(node: Element | null): string {
  if (!node) return ''
  const className = node.getAttribute('class') ?? ''
  const fromClass =
    /(?:^|\s)(?:language|lang)-([^\s]+)/.exec(className)?.[1] ?? /\bbrush:\s*([\w#+-]+)/.exec(className)?.[1]
  return cleanLanguage(
    fromClass ??
      node.getAttribute('lang') ??
      node.getAttribute('data-lang') ??
      node.getAttribute('data-language') ??
      '',
  )
}

/** The text of a code block, with the `<br>`s a visual editor put in read as line breaks. */
function codeText(node: Node): string {
  if (node.nodeType === 3) return node.nodeValue ?? ''
  if (node.nodeName === 'BR') return '\n'
  return Array.from(node.childNodes, codeText).join('')
}

const meaningful = (node: Node | null, step: 'previousSibling' | 'nextSibling'): Node | null => {
  let at = node?.[step] ?? null
  while (at && at.nodeType === 3 && !at.nodeValue?.trim()) at = at[step]
  return at
}

/** A `<cite>` last in a quotation, after its text or alone in its own paragraph there. */
function isAttribution(node: Element): boolean {
  const parent = node.parentNode
  const inQuote =
    parent?.nodeName === 'BLOCKQUOTE' ||
    (parent?.nodeName === 'P' && parent.parentNode?.nodeName === 'BLOCKQUOTE')
  const before = meaningful(node, 'previousSibling')
  return (
    inQuote && !meaningful(node, 'nextSibling') && (!before || ['P', 'BR', 'DIV'].includes(before.nodeName))
  )
}

/** A fence longer than any run of backticks the code itself has at the start of a line. */
function fenceFor(code: string): string {
  const longest = Math.max(0, ...Array.from(code.matchAll(/^`{3,}/gm), (m) => m[0].length))
  return '`'.repeat(Math.max(3, longest + 1))
}

const escapeAlt = (text: string): string =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\[\]]/g, '\\$&')
/** A link or image address Markdown reads whole: spaces and angle brackets encoded, parentheses escaped. */
const escapeDestination = (url: string): string =>
  url.trim().replace(/\s/g, '%20').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/[()]/g, '\\$&')
const titlePart = (node: Element): string => {
  const title = (node.getAttribute('title') ?? '').replace(/\s+/g, ' ').trim()
  return title ? ` "${title.replace(/["\\]/g, '\\$&')}"` : ''
}

/** A figure of one image: its caption goes on the line right under it, which Folio renders as figure and figcaption. */
const isImageFigure = (node: Element): boolean =>
  node.nodeName === 'FIGURE' && node.querySelectorAll('img').length === 1

/** An embed's address: a player's `src`, or the URL a block editor or Ghost card shows as its text. */
function embedAddress(node: Element): string | undefined {
  const frame = node.querySelector('iframe')?.getAttribute('src')
  const link = node.querySelector('a')?.getAttribute('href')
  const text = /https?:\/\/\S+/.exec(node.querySelector('.wp-block-embed__wrapper')?.textContent ?? '')?.[0]
  return embedTarget(frame ?? link ?? text ?? '')
}

function createService(kept: Set<string>, removed: Set<string>): TurndownService {
  const keepAsHtml = (node: Element): string => {
    kept.add(node.nodeName.toLowerCase())
    // Markdown ends an HTML block at a blank line, so none may stay inside it.
    const html = node.outerHTML.replace(/\n([ \t]*)(?=\n)/g, '&#10;$1')
    return KEPT_INLINE.has(node.nodeName.toLowerCase()) ? html : `\n\n${html}\n\n`
  }
  const remove = (node: Element): string => {
    removed.add(node.nodeName.toLowerCase())
    return ''
  }
  const service = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    fence: '```',
    bulletListMarker: '-',
    emDelimiter: '_',
    strongDelimiter: '**',
    linkStyle: 'inlined',
    keepReplacement: (_content, node) => keepAsHtml(node),
  })
  service.use(gfm)
  // Text that reads like a tag or an entity ("the &lt;script&gt; tag") must stay text, not become markup.
  const escapeMarkdown = service.escape.bind(service)
  service.escape = (text) =>
    escapeMarkdown(text)
      .replace(/</g, '\\<')
      .replace(/&(?=#?[a-z0-9]+;)/gi, '\\&')
  const escapeText = (text: string) => service.escape(text.replace(/\s+/g, ' ').trim())
  const link = (url: string, label: string) =>
    `\n\n[${escapeText(label) || escapeText(url)}](${escapeDestination(url)})\n\n`

  service.remove((node) => REMOVED_TAGS.has(node.nodeName.toLowerCase()))
  service.keep((node) => KEPT_TAGS.has(node.nodeName.toLowerCase()))
  // Rules added later win, so these come after the GFM plugin's.
  service.addRule('keptTable', {
    filter: (node) =>
      node.nodeName === 'TABLE' &&
      (Boolean(node.querySelector(BLOCKS_IN_CELLS)) ||
        Array.from(node.querySelectorAll('td, th')).some(
          (cell) =>
            Number(cell.getAttribute('colspan') ?? 1) > 1 || Number(cell.getAttribute('rowspan') ?? 1) > 1,
        )),
    replacement: (_content, node) => keepAsHtml(node),
  })
  // A quotation's source, standing at its end, reads as its attribution; elsewhere a work's title, in italics.
  service.addRule('cite', {
    filter: 'cite',
    replacement: (content, node) => {
      const text = content.trim()
      if (!text) return ''
      return isAttribution(node) ? `— ${text}` : `_${text}_`
    },
  })
  service.addRule('moreMarker', {
    filter: (node) => node.nodeName === 'HR' && node.hasAttribute('data-folio-more'),
    replacement: () => '\n\n<!--more-->\n\n',
  })
  // "- item" and "1. item", as people write them, rather than turndown's wider "-   item".
  service.addRule('listItem', {
    filter: 'li',
    replacement: (content, node) => {
      const parent = node.parentNode as Element | null
      const start = Number(parent?.getAttribute('start') ?? 1) || 1
      const index = parent ? Array.prototype.indexOf.call(parent.children, node) : 0
      const prefix = parent?.nodeName === 'OL' ? `${start + index}. ` : '- '
      const paragraph = /\n$/.test(content) ? '\n' : ''
      const text = content.replace(/^\n+/, '').replace(/\n+$/, '') + paragraph
      return `${prefix}${text.replace(/\n/g, `\n${' '.repeat(prefix.length)}`)}${node.nextSibling ? '\n' : ''}`
    },
  })
  service.addRule('codeBlock', {
    filter: 'pre',
    replacement: (_content, node) => {
      const code = codeText(node).replace(/^\n/, '').replace(/\s+$/, '')
      const language = languageOf(node.querySelector('code')) || languageOf(node)
      const fence = fenceFor(code)
      return `\n\n${fence}${language}\n${code}\n${fence}\n\n`
    },
  })
  service.addRule('image', {
    filter: 'img',
    replacement: (_content, node) => {
      const src = node.getAttribute('src') ?? ''
      if (!src.trim()) return ''
      return `![${escapeAlt(node.getAttribute('alt') ?? '')}](${escapeDestination(src)}${titlePart(node)})`
    },
  })
  service.addRule('imageLinkedToItself', {
    filter: (node) => {
      const only = node.nodeName === 'A' && node.children.length === 1 ? node.children[0] : undefined
      return (
        only?.nodeName === 'IMG' &&
        only.getAttribute('src') === node.getAttribute('href') &&
        !node.textContent?.trim()
      )
    },
    replacement: (content) => content,
  })
  service.addRule('figcaption', {
    filter: 'figcaption',
    replacement: (content, node) => {
      const text = content.replace(/\s+/g, ' ').trim()
      if (!text) return ''
      const figure = node.parentNode as Element | null
      return figure && isImageFigure(figure) ? `\n*${text}*` : `\n\n*${text}*\n\n`
    },
  })
  service.addRule('imageFigure', {
    filter: isImageFigure,
    replacement: (content) => `\n\n${content.trim()}\n\n`,
  })
  service.addRule('embedFigure', {
    filter: (node) =>
      node.nodeName === 'FIGURE' &&
      (hasClass(node, 'wp-block-embed') ||
        hasClass(node, 'kg-embed-card') ||
        hasClass(node, 'kg-bookmark-card')),
    replacement: (_content, node) => {
      const address = embedAddress(node)
      if (!address) return keepAsHtml(node)
      const title = node.querySelector('.kg-bookmark-title')?.textContent ?? ''
      const description = node.querySelector('.kg-bookmark-description')?.textContent ?? ''
      const caption = node.querySelector('figcaption')?.textContent ?? ''
      const lines = [description, caption].map(escapeText).filter(Boolean)
      return `${link(address, title)}${lines.map((line) => `*${line}*\n\n`).join('')}`
    },
  })
  service.addRule('iframe', {
    filter: 'iframe',
    replacement: (_content, node) => {
      const target = embedTarget(node.getAttribute('src') ?? '')
      return target ? link(target, node.getAttribute('title') ?? '') : remove(node)
    },
  })
  service.addRule('player', {
    filter: ['video', 'audio'],
    replacement: (_content, node) => {
      const source = node.getAttribute('src') ?? node.querySelector('source[src]')?.getAttribute('src') ?? ''
      const target = embedTarget(source)
      const kind = node.nodeName === 'VIDEO' ? 'Video' : 'Audio'
      return target ? link(target, `${kind}: ${fileLabel(target)}`) : remove(node)
    },
  })
  return service
}

/**
 * Imported HTML as Folio's Markdown. What Markdown cannot say is kept as HTML where Folio's
 * sanitiser would show it, and named in `keptHtml`; what no reader would see (script, style, a
 * form, a player with no address to link to) is left out here and named in `removed`.
 */
export function htmlToMarkdown(html: string): ConvertedHtml {
  const kept = new Set<string>()
  const removed = new Set<string>()
  if (!html.trim()) return { markdown: '', keptHtml: [], removed: [] }
  removedTagsIn(html, removed)
  const markdown = createService(kept, removed).turndown(html)
  return { markdown: markdown.trim(), keptHtml: [...kept].sort(), removed: [...removed].sort() }
}
