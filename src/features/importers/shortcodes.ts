// Owns WordPress shortcodes in an old post: [caption], [gallery], [code], [embed], [audio], [video] become HTML; any other stays as text and is listed.
import { escapeHtml } from '../../lib/html.ts'
import { embedTarget, fileLabel, linkParagraph } from './convert-embeds.ts'

export interface ShortcodeContext {
  /** WordPress attachment id → its file's URL, for `[gallery ids="…"]`. */
  readonly attachmentUrls?: Readonly<Record<string, string>> | undefined
  /** The entry's attached images: what a `[gallery]` without ids shows. */
  readonly attachedImages?: readonly string[] | undefined
}

export interface ExpandedShortcodes {
  readonly html: string
  /** Opening tags of shortcodes left as they were written, e.g. `[contact-form to="me"]`. */
  readonly unconverted: string[]
}

interface Shortcode {
  readonly named: Readonly<Record<string, string>>
  readonly positional: readonly string[]
  /** Between the opening and closing tag; undefined for a shortcode that has no closing tag. */
  readonly content: string | undefined
}

type Expand = (code: Shortcode, context: ShortcodeContext) => string | undefined

interface Handler {
  /** `always`: only with a closing tag; `optional`: either way; `never`: the tag alone. */
  readonly closing: 'always' | 'optional' | 'never'
  readonly expand: Expand
}

/** Code shortcodes that name their language, as SyntaxHighlighter and its cousins register them. */
const LANGUAGE_SHORTCODES = 'bash css diff go html java javascript js json php python ruby sql xml yaml'
const AUDIO_KEYS = ['src', 'mp3', 'm4a', 'ogg', 'wav', 'wma', 'flac']
const VIDEO_KEYS = ['src', 'mp4', 'm4v', 'webm', 'ogv', 'wmv', 'flv', 'mov']
const MAX_REPORTED_LENGTH = 80

const IMAGE_FIRST = /^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?)([\s\S]*)$/i

const caption: Expand = ({ named, content }) => {
  const parts = IMAGE_FIRST.exec(content ?? '')
  if (!parts?.[1]) return undefined
  const text = (named.caption ?? parts[2] ?? '').replace(/\s+/g, ' ').trim()
  return `<figure>${parts[1].replace(/\s+/g, ' ')}${text ? `<figcaption>${text}</figcaption>` : ''}</figure>`
}

const gallery: Expand = ({ named }, { attachmentUrls = {}, attachedImages = [] }) => {
  const ids = (named.ids ?? named.include ?? '').split(',').map((id) => id.trim())
  const chosen = ids.some(Boolean)
    ? ids.flatMap((id) => (attachmentUrls[id] ? [attachmentUrls[id]] : []))
    : attachedImages
  if (chosen.length === 0) return undefined
  return chosen.map((url) => `<p><img src="${escapeHtml(url)}" alt=""></p>`).join('\n')
}

/** "PHP", "c++" or "objective-c" as a fence's info string accepts it; anything odd is dropped. */
export function cleanLanguage(language: string): string {
  const clean = language.trim().toLowerCase()
  return /^[a-z0-9#+._-]{1,30}$/.test(clean) ? clean : ''
}

/** Code as text: bare `<` and `&` are escaped, entities the editor already wrote are kept. */
const escapeCode = (code: string): string =>
  code
    .replace(/&(?!(?:[a-z][a-z0-9]*|#\d+|#x[0-9a-f]+);)/gi, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')

const codeBlock =
  (fixedLanguage?: string): Expand =>
  ({ named, positional, content }) => {
    const language = cleanLanguage(fixedLanguage ?? named.lang ?? named.language ?? positional[0] ?? '')
    const code = (content ?? '').replace(/^[ \t]*\r?\n/, '').replace(/\s+$/, '')
    const classAttr = language ? ` class="language-${language}"` : ''
    return `<pre><code${classAttr}>${escapeCode(code)}</code></pre>`
  }

const embed: Expand = ({ positional, content }) => {
  const target = embedTarget(content ?? positional[0] ?? '')
  return target && linkParagraph(target)
}

/** `[audio src="…"]`, `[audio mp3="…"]`, `[audio https://…]` or `[audio]https://…[/audio]`: a link to the file. */
const media =
  (keys: readonly string[], kind: string): Expand =>
  ({ named, positional, content }) => {
    const given = keys.map((key) => named[key]).find(Boolean) ?? positional[0] ?? content ?? ''
    const target = embedTarget(given)
    return target && linkParagraph(target, `${kind}: ${fileLabel(target)}`)
  }

const vimeo: Expand = ({ positional, content }) => {
  const given = (content ?? positional[0] ?? '').trim()
  const target = embedTarget(/^\d+$/.test(given) ? `https://vimeo.com/${given}` : given)
  return target && linkParagraph(target)
}

const HANDLERS = new Map<string, Handler>([
  ['caption', { closing: 'always', expand: caption }],
  ['wp_caption', { closing: 'always', expand: caption }],
  ['gallery', { closing: 'never', expand: gallery }],
  ['code', { closing: 'always', expand: codeBlock() }],
  ['sourcecode', { closing: 'always', expand: codeBlock() }],
  ...LANGUAGE_SHORTCODES.split(' ').map((name): [string, Handler] => [
    name,
    { closing: 'always', expand: codeBlock(name) },
  ]),
  ['embed', { closing: 'always', expand: embed }],
  ['audio', { closing: 'optional', expand: media(AUDIO_KEYS, 'Audio') }],
  ['video', { closing: 'optional', expand: media(VIDEO_KEYS, 'Video') }],
  ['youtube', { closing: 'optional', expand: embed }],
  ['vimeo', { closing: 'optional', expand: vimeo }],
])

const ATTRIBUTE =
  /([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)|"([^"]*)"|'([^']*)'|(\S+)/g

/** A shortcode's attributes as WordPress reads them: `a="x" b='y' c=z` by name, bare values in order. */
function parseAttributes(text: string): Pick<Shortcode, 'named' | 'positional'> {
  // `[youtube=https://…]`, WordPress.com's form: the whole rest is the one value.
  if (text.startsWith('=')) return { named: {}, positional: [text.slice(1).trim()] }
  const named: Record<string, string> = {}
  const positional: string[] = []
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = m[1] ?? m[3] ?? m[5]
    const value = m[2] ?? m[4] ?? m[6] ?? m[7] ?? m[8] ?? m[9] ?? ''
    if (name) named[name.toLowerCase()] = value
    else if (value !== '/') positional.push(value)
  }
  return { named, positional }
}

const OPENING = /\[(\[?)([A-Za-z][\w-]*)((?:[\s=][^[\]]*?)?)(\/?)\](\]?)/g

/** Where shortcodes are only text: inside code the author wrote as HTML. */
function codeRanges(text: string): [number, number][] {
  return [...text.matchAll(/<(pre|code)\b[^>]*>[\s\S]*?<\/\1>/gi)].map((m) => [
    m.index,
    m.index + m[0].length,
  ])
}

type Closings = Map<string, { start: number; end: number }[]>

/** The first `[/name]` at or after `from`; each name's closing tags are found once per text. */
function findClosing(text: string, name: string, from: number, found: Closings) {
  let list = found.get(name)
  if (!list) {
    const pattern = new RegExp(`\\[\\/${name}\\]`, 'gi')
    list = [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }))
    found.set(name, list)
  }
  return list.find((closing) => closing.start >= from)
}

/**
 * Turns the shortcodes Folio understands into HTML, in one pass from left to right: a code
 * shortcode's content is never read for other shortcodes, nor is anything inside `<pre>` or
 * `<code>`. `[[gallery]]`, WordPress's escape, becomes the text `[gallery]`. Anything that looks
 * like a shortcode Folio does not know (it has attributes or a closing tag) stays as written and
 * is listed, as are known ones it cannot use (a gallery whose images are not in the export).
 */
export function expandShortcodes(text: string, context: ShortcodeContext = {}): ExpandedShortcodes {
  const unconverted = new Set<string>()
  const ranges = codeRanges(text)
  const closings: Closings = new Map()
  let html = ''
  let cursor = 0
  const opening = new RegExp(OPENING)
  for (let m = opening.exec(text); m; m = opening.exec(text)) {
    const at = m.index
    const range = ranges.find(([start, end]) => at >= start && at < end)
    if (range) {
      opening.lastIndex = range[1]
      continue
    }
    const [whole, escapeOpen, rawName = '', attributes = '', selfClosing, escapeClose] = m
    const end = at + whole.length
    if (escapeOpen && escapeClose) {
      html += text.slice(cursor, at) + whole.slice(1, -1)
      cursor = end
      continue
    }
    const name = rawName.toLowerCase()
    const handler = HANDLERS.get(name)
    const closing =
      selfClosing || handler?.closing === 'never' ? undefined : findClosing(text, name, end, closings)
    const report = () => {
      const tag = `[${rawName}${attributes}${selfClosing ?? ''}]`
      unconverted.add(tag.length > MAX_REPORTED_LENGTH ? `${tag.slice(0, MAX_REPORTED_LENGTH - 1)}…` : tag)
    }
    if (!handler) {
      if (closing || selfClosing || attributes.includes('=')) report()
      continue
    }
    const expanded =
      handler.closing === 'always' && !closing
        ? undefined
        : handler.expand(
            { ...parseAttributes(attributes.trim()), content: closing && text.slice(end, closing.start) },
            context,
          )
    if (expanded === undefined) {
      report()
      continue
    }
    html += `${text.slice(cursor, at)}\n\n${expanded}\n\n`
    cursor = closing?.end ?? end
    opening.lastIndex = cursor
  }
  return { html: html + text.slice(cursor), unconverted: [...unconverted] }
}
