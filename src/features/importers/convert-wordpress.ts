// Owns reading a WordPress post's raw content as HTML: block-editor comments out, shortcodes expanded, lone URLs linked, and WordPress's rule that blank lines make paragraphs.
import { embedTarget, linkParagraph } from './convert-embeds.ts'
import { type ExpandedShortcodes, expandShortcodes, type ShortcodeContext } from './shortcodes.ts'

/** WordPress's own list of the tags autop treats as blocks (wp-includes/formatting.php). */
const BLOCK =
  '(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)'
const OPENING_BLOCK = new RegExp(`<${BLOCK}(?=[\\s/>])`, 'gi')
const CLOSING_BLOCK = new RegExp(`</${BLOCK}>`, 'gi')
const STARTS_WITH_BLOCK = new RegExp(`^(?:</?${BLOCK}[\\s/>]|\0)`, 'i')
const ENDS_WITH_BLOCK = new RegExp(`(?:</?${BLOCK}(?:\\s[^>]*)?/?>|<br\\s*/?>|\0)$`, 'i')
const TRAILING_CLOSERS = new RegExp(`(?:\\s*</${BLOCK}>)+$`, 'i')
/** What autop must not touch: code keeps its line breaks as they are. */
const VERBATIM = /<(pre|script|style|textarea)\b[\s\S]*?<\/\1\s*>/gi
const URL_LINE = /^[ \t]*(https?:\/\/[^\s<>"]+)[ \t]*$/gim
/** The end of the excerpt, as both WordPress and Folio write it; the turndown rules turn it back. */
const MORE_ELEMENT = '<hr data-folio-more="">'

/** Line breaks within a chunk: `<br>`, except next to a block tag or after a `<br>` already there. */
function withBreaks(chunk: string): string {
  const lines = chunk.split('\n')
  let out = lines[0] ?? ''
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? ''
    const plain =
      !ENDS_WITH_BLOCK.test((lines[i - 1] ?? '').trimEnd()) && !STARTS_WITH_BLOCK.test(line.trimStart())
    out += `${plain ? '<br>' : ''}\n${line}`
  }
  return out
}

/** A chunk that starts with a block tag stays as it is; other text becomes a paragraph before any closing tags. */
function paragraph(chunk: string): string {
  if (STARTS_WITH_BLOCK.test(chunk)) return withBreaks(chunk)
  const closers = TRAILING_CLOSERS.exec(chunk)?.[0] ?? ''
  const text = chunk.slice(0, chunk.length - closers.length).trim()
  return `${text ? `<p>${withBreaks(text)}</p>` : ''}${closers.trim()}`
}

/**
 * WordPress's autop, small: a blank line separates paragraphs and a single line break is a `<br>`,
 * except around block elements and inside `<pre>` (and script, style, textarea), which are set
 * aside first. A URL alone on its line is what WordPress would embed: here it becomes a link.
 */
export function autop(text: string): string {
  const verbatim: string[] = []
  const spaced = text
    .replace(/\r\n?/g, '\n')
    .replace(VERBATIM, (block) => `\n\n\0${verbatim.push(block) - 1}\0\n\n`)
    // A tag written over several lines is still one tag, not lines to break.
    .replace(/<[^<>]*>/g, (tag) => tag.replace(/\s*\n\s*/g, ' '))
    .replace(URL_LINE, (line, url: string) => {
      const target = embedTarget(url)
      return target ? `\n\n${linkParagraph(target)}\n\n` : line
    })
    .replace(OPENING_BLOCK, '\n\n$&')
    .replace(CLOSING_BLOCK, '$&\n\n')
  return spaced
    .split(/\n[ \t]*\n/)
    .map((chunk) => chunk.trim())
    .filter(Boolean)
    .map(paragraph)
    .join('\n')
    .replace(/\0(\d+)\0/g, (_m, i: string) => verbatim[Number(i)] ?? '')
}

/**
 * A WordPress post's raw content as HTML. Block-editor comments go (the HTML between them stays),
 * the first `<!--more-->` is kept as the excerpt's end, `<!--nextpage-->` becomes a rule between
 * the parts, shortcodes are expanded, then autop.
 */
export function wordpressToHtml(raw: string, context: ShortcodeContext = {}): ExpandedShortcodes {
  let more = false
  const marked = raw
    .replace(/\0/g, '')
    .replace(/<!--\s*\/?wp:[\s\S]*?-->/g, '')
    .replace(/<!--\s*noteaser\s*-->/gi, '')
    .replace(/<!--\s*nextpage\s*-->/gi, '\n\n<hr>\n\n')
    .replace(/<!--more[\s\S]*?-->/gi, () => {
      const first = !more
      more = true
      return first ? `\n\n${MORE_ELEMENT}\n\n` : ''
    })
  const { html, unconverted } = expandShortcodes(marked, context)
  return { html: autop(html), unconverted }
}
