// Owns the subscription feeds: Atom, RSS 2.0 and JSON Feed 1.1 built with the `feed` package.
import type { Feed } from 'feed'
import { escapeHtml } from '../../lib/html.ts'
import { toXmlText } from '../../lib/text.ts'
import { absoluteUrl, absolutizeHtml, postUrl, tagUrl } from '../../lib/urls.ts'
import { descriptionOf } from '../content/descriptions.ts'
import type { Settings } from '../settings/service.ts'
import type { FeedPost } from './queries.ts'

export const FEED_PATHS = { atom: '/feed.xml', rss: '/rss.xml', json: '/feed.json' } as const

/**
 * The `feed` package escapes `&` and `"` in attribute values but not `<`, so a tag named `Vec<T>`
 * would end the document's well-formedness in Atom's `<category label term>`. Attribute values it
 * wrote hold no raw `"`, so each is found exactly and only its `<` needs escaping.
 */
export function escapeCategoryAttributes(xml: string): string {
  return xml.replace(/<category\b[\s\S]*?\/>/g, (element) =>
    element.replace(/="([^"]*)"/g, (_attr, value: string) => `="${value.replaceAll('<', '&lt;')}"`),
  )
}

/** The full post as a feed reader shows it: its feature image first, absolute URLs, and no "#" heading anchors. */
function feedContent(post: FeedPost, siteUrl: string): string {
  const parts = [post.bodyHtml.replace(/ ?<a class="anchor"[^>]*>#<\/a>/g, '')]
  const image = post.image
  if (image)
    parts.unshift(
      `<p><img src="${escapeHtml(image.url)}" alt="${escapeHtml(image.alt)}" width="${image.width}" height="${image.height}"></p>`,
    )
  if (post.kind === 'link' && post.linkUrl) {
    if (post.quoteHtml)
      parts.push(`<blockquote cite="${escapeHtml(post.linkUrl)}">${post.quoteHtml}</blockquote>`)
    parts.push(`<p><a href="${escapeHtml(post.linkUrl)}">${escapeHtml(post.linkUrl)}</a></p>`)
  }
  return absolutizeHtml(siteUrl, parts.join('\n'))
}

/**
 * The `feed` package writes item titles and summaries as CDATA (Atom marks them `type="html"`,
 * RSS readers treat them alike), so text must arrive escaped there; JSON Feed's are plain text.
 */
let feedPackage: Promise<typeof import('feed')> | undefined

/** Builds a feed; the `feed` package loads on the first one, since served feeds come from the page cache. */
export async function buildFeed(
  site: Settings,
  siteUrl: string,
  items: readonly FeedPost[],
  format: 'xml' | 'json',
): Promise<Feed> {
  feedPackage ??= import('feed')
  const { Feed } = await feedPackage
  const text = format === 'xml' ? (value: string) => escapeHtml(toXmlText(value)) : toXmlText
  const home = `${siteUrl}/`
  const feed = new Feed({
    id: home,
    title: toXmlText(site.title),
    description: toXmlText(site.description),
    link: home,
    language: site.language,
    updated: new Date(Math.max(0, ...items.map((p) => p.updatedAt.getTime()))),
    generator: 'Folio',
    feedLinks: {
      atom: absoluteUrl(siteUrl, FEED_PATHS.atom),
      rss: absoluteUrl(siteUrl, FEED_PATHS.rss),
      json: absoluteUrl(siteUrl, FEED_PATHS.json),
    },
    author: { name: toXmlText(site.authorName), link: home },
    copyright: `© ${toXmlText(site.authorName)}`,
  })
  for (const post of items) {
    const url = absoluteUrl(siteUrl, postUrl(post.slug))
    feed.addItem({
      title: text(post.title),
      id: url,
      link: url,
      date: post.updatedAt,
      published: post.publishedAt,
      description: text(descriptionOf(post)),
      content: toXmlText(feedContent(post, siteUrl)),
      author: [{ name: toXmlText(site.authorName), link: home }],
      category: post.tags.map((tag) => ({
        name: toXmlText(tag.name),
        term: toXmlText(tag.name),
        domain: absoluteUrl(siteUrl, tagUrl(tag.slug)),
      })),
    })
  }
  return feed
}

/** The `feed` package writes JSON Feed 1.0; this lifts it to 1.1 (authors[], language, external_url). */
export function toJsonFeed11(feed: Feed, site: Settings, items: readonly FeedPost[]): string {
  const json = JSON.parse(feed.json1()) as Record<string, unknown> & { items: Record<string, unknown>[] }
  json.version = 'https://jsonfeed.org/version/1.1'
  json.language = site.language
  if (json.author) {
    json.authors = [json.author]
    delete json.author
  }
  json.items.forEach((item, i) => {
    if (item.author) {
      item.authors = [item.author]
      delete item.author
    }
    const post = items[i]
    if (post?.kind === 'link' && post.linkUrl) item.external_url = post.linkUrl
    // JSON Feed's own field for the picture a reader shows beside the item; its URL beside the post's.
    if (post?.image) item.image = new URL(post.image.url, String(item.url)).href
  })
  return JSON.stringify(json)
}
