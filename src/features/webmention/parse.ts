// Owns reading a mention from its source page: whether it links to the target, the microformats2 h-entry (kind, author, content, date), or the page's title when it has none.
import { mf2 } from 'microformats-parser'
import type { ResponseKind } from '../../db/schema.ts'
import { escapeHtml } from '../../lib/html.ts'
import { htmlToText } from '../../lib/markdown.ts'
import { linksIn, resolveUrl, sanitizeRemoteHtml } from '../../lib/remote-html.ts'
import { replaceControlCharacters, truncateText } from '../../lib/text.ts'
import { displayHost, isHttpUrl } from '../../lib/urls.ts'

/** Where links count: a link to the target in <head> (a canonical, say) is not the page linking to it. */
const LINKING_TAGS = new Set(['a', 'area', 'img', 'video', 'audio', 'source'])

/** Whether `html` links to `target` exactly, relative links resolved against the page's own URL. */
export function linksTo(html: string, pageUrl: string, target: string): boolean {
  return linksIn(html, pageUrl).some((link) => LINKING_TAGS.has(link.tag) && link.url === target)
}

/** A response's words are a comment, not an article: longer text is cut (and shown as plain text). */
export const MAX_CONTENT_CHARS = 5000
/** Sanitised HTML this long is mostly markup; the text alone is kept instead. */
const MAX_CONTENT_HTML = 4 * MAX_CONTENT_CHARS
/** A name longer than this is not a name: it is cut (Webmention authors, imported commenters). */
export const MAX_NAME_CHARS = 200

export interface ReadMention {
  readonly kind: ResponseKind
  readonly authorName: string
  readonly authorUrl: string
  readonly contentHtml: string
  /** The content as text, for the spam filter. */
  readonly text: string
  readonly publishedAt: Date | null
}

type Item = ReturnType<typeof mf2>['items'][number]
type Property = NonNullable<Item['properties'][string]>[number]

const isItem = (value: Property | undefined): value is Item =>
  typeof value === 'object' && value !== null && 'properties' in value

/** A property's first plain value: the string itself, an embedded item's `value`, or an html property's text. */
function firstText(item: Item | undefined, name: string): string | undefined {
  const value = item?.properties[name]?.[0]
  if (typeof value === 'string') return value
  if (isItem(value)) return typeof value.value === 'string' ? value.value : undefined
  return value && 'value' in value && typeof value.value === 'string' ? value.value : undefined
}

/** Whether any of an entry's `name` values (a URL, or an h-cite with a url) is `target`. */
function pointsAt(entry: Item, name: string, target: string, base: string): boolean {
  return (entry.properties[name] ?? []).some((value) => {
    const urls = isItem(value)
      ? (value.properties.url ?? []).filter((u): u is string => typeof u === 'string')
      : typeof value === 'string'
        ? [value]
        : []
    return urls.some((url) => resolveUrl(url, base) === target)
  })
}

/** Items and their children, depth first: an h-entry may sit inside an h-feed. */
function* walk(items: readonly Item[], parent?: Item): Generator<{ item: Item; parent: Item | undefined }> {
  for (const item of items) {
    yield { item, parent }
    yield* walk(item.children ?? [], item)
  }
}

const isEntry = (item: Item): boolean => item.type?.includes('h-entry') ?? false

const RESPONSE_PROPERTIES = ['in-reply-to', 'like-of', 'repost-of']

/** Whether the entry's own words link to the target (its sanitised content, links made absolute). */
const contentLinksTo = (entry: Item, target: string, base: string): boolean => {
  const content = entry.properties.content?.[0]
  return Boolean(
    content &&
      typeof content === 'object' &&
      'html' in content &&
      sanitizeRemoteHtml(content.html, base).includes(`href="${escapeHtml(target)}"`),
  )
}

/**
 * The entry that responds to the target: the one whose url is the source, else one that replies
 * to, likes or reposts the target or links to it in its content, else the page's only entry. On a
 * feed of many entries, none of which is about the target, there is none: the page's title speaks.
 */
function mainEntry(items: readonly Item[], source: string, base: string, target: string) {
  const entries = [...walk(items)].filter(({ item }) => isEntry(item))
  const ownUrl = entries.find(({ item }) =>
    (item.properties.url ?? []).some((u) => typeof u === 'string' && resolveUrl(u, base) === source),
  )
  const responding = entries.find(
    ({ item }) =>
      RESPONSE_PROPERTIES.some((name) => pointsAt(item, name, target, base)) ||
      contentLinksTo(item, target, base),
  )
  return ownUrl ?? responding ?? (entries.length === 1 ? entries[0] : undefined)
}

const oneLine = (text: string, max: number): string =>
  truncateText(replaceControlCharacters(text).replace(/\s+/g, ' ').trim(), max)

const httpUrl = (value: string | undefined, base: string): string => {
  const url = value === undefined ? undefined : resolveUrl(value, base)
  return url && isHttpUrl(url) && url.length <= 2048 ? url : ''
}

/** Who wrote it: the entry's author (an h-card, a name or a URL), else its feed's, else rel=author; never a photo. */
function authorOf(entry: Item, feed: Item | undefined, authorRel: string | undefined, base: string) {
  const author = entry.properties.author?.[0] ?? feed?.properties.author?.[0]
  let name = ''
  let url = ''
  if (isItem(author)) {
    name = firstText(author, 'name') ?? (typeof author.value === 'string' ? author.value : '')
    url = httpUrl(firstText(author, 'url'), base)
  } else if (typeof author === 'string') {
    url = httpUrl(author, base)
    if (!url) name = author
  } else {
    url = httpUrl(authorRel, base)
  }
  return { name, url }
}

/** Sanitised content, or its text alone when it is too long to keep as HTML. */
function contentOf(entry: Item, base: string): { html: string; text: string } {
  const content = entry.properties.content?.[0]
  if (content && typeof content === 'object' && 'html' in content) {
    const html = sanitizeRemoteHtml(content.html, base)
    const text = htmlToText(html)
    if (text.length <= MAX_CONTENT_CHARS && html.length <= MAX_CONTENT_HTML) return { html, text }
    return asParagraph(text)
  }
  return asParagraph(
    firstText(entry, 'content') ?? firstText(entry, 'summary') ?? firstText(entry, 'name') ?? '',
  )
}

function asParagraph(text: string): { html: string; text: string } {
  const cut = oneLine(text, MAX_CONTENT_CHARS)
  return { html: cut ? `<p>${escapeHtml(cut)}</p>` : '', text: cut }
}

/** A date the page claims; none when it is unreadable or more than a day ahead of ours. */
function dateOf(value: string | undefined, now = Date.now()): Date | null {
  const time = value ? Date.parse(value) : Number.NaN
  return Number.isNaN(time) || time > now + 24 * 60 * 60 * 1000 ? null : new Date(time)
}

/** The page's <title>, as text. */
function titleOf(html: string): string {
  const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? ''
  return htmlToText(title)
}

/**
 * What the page at `source` (fetched from `pageUrl`, after redirects) says about `target`. A reply,
 * like or repost only when that property names the target; anything else that links is a mention.
 */
export function readMention(
  html: string,
  page: { source: string; pageUrl: string; target: string },
): ReadMention {
  const { source, pageUrl: base, target } = page
  const parsed = mf2(html, { baseUrl: base })
  const found = mainEntry(parsed.items, source, base, target)
  const host = displayHost(source)
  if (!found) {
    const title = asParagraph(titleOf(html))
    return {
      kind: 'mention',
      authorName: host,
      authorUrl: new URL(source).origin,
      contentHtml: title.html,
      text: title.text,
      publishedAt: null,
    }
  }
  const { item: entry, parent } = found
  const kind: ResponseKind = pointsAt(entry, 'in-reply-to', target, base)
    ? 'reply'
    : pointsAt(entry, 'like-of', target, base)
      ? 'like'
      : pointsAt(entry, 'repost-of', target, base)
        ? 'repost'
        : 'mention'
  const author = authorOf(entry, parent, parsed.rels.author?.[0], base)
  // A like or repost says nothing of its own: its text is the liked post's title, not theirs.
  const content = kind === 'like' || kind === 'repost' ? { html: '', text: '' } : contentOf(entry, base)
  return {
    kind,
    authorName: oneLine(author.name, MAX_NAME_CHARS) || (author.url ? displayHost(author.url) : host),
    authorUrl: author.url,
    contentHtml: content.html,
    text: content.text,
    publishedAt: dateOf(firstText(entry, 'published')),
  }
}
