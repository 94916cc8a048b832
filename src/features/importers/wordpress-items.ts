// Owns what one WordPress post or page becomes: its status, date, slug, tags, format, feature image, comments, old URLs and the notes the report shows.
import { decodeOrKeep } from '../../lib/text.ts'
import { sameSiteLinksRelative } from './convert-links.ts'
import type { ImportedEntry, ImportedStatus, ImportedTag, SkippedItem } from './model.ts'
import { plainText, titleOrFallback } from './reader-common.ts'
import { readComments, wordpressDate } from './wordpress-comments.ts'
import { applyFormat, formatName } from './wordpress-formats.ts'
import {
  ancestryOf,
  DEFAULT_CATEGORY,
  entryOldPaths,
  flattenedSlug,
  type PageAncestry,
  type PageNode,
} from './wordpress-paths.ts'
import { list, ownText, text, type XmlNode } from './wordpress-xml.ts'

/** What the whole file tells each item: where the site lived, its attachments, its pages' tree. */
export interface ItemContext {
  /** The old site's address (wp:base_blog_url): links to its pages become root-relative. */
  readonly siteUrl: string
  readonly basePath: string
  readonly attachmentUrls: Readonly<Record<string, string>>
  readonly attachedImages: ReadonlyMap<string, readonly string[]>
  readonly pages: ReadonlyMap<string, PageNode>
}

export type ItemReading = { readonly entry: ImportedEntry } | { readonly skipped: SkippedItem }

const SKIPPED_STATUSES = new Map([
  ['trash', 'in the trash on the old site'],
  ['auto-draft', 'an empty draft WordPress saved on its own'],
])

/** Where SEO plugins keep a post's meta description (Yoast, Rank Math, All in One SEO, Genesis). */
const META_DESCRIPTION_KEYS = [
  '_yoast_wpseo_metadesc',
  'rank_math_description',
  '_aioseo_description',
  '_aioseop_description',
  '_genesis_description',
]

const NO_ANCESTRY: PageAncestry = { rawSlugs: [], titles: [] }

/** A post or page item: the entry it becomes, or why it is skipped (trashed, an auto-draft). */
export function readItem(item: XmlNode, kind: 'post' | 'page', ctx: ItemContext): ItemReading {
  const id = text(item, 'wp:post_id').trim()
  const wpStatus = text(item, 'wp:status').trim()
  const skipReason = SKIPPED_STATUSES.get(wpStatus)
  if (skipReason) {
    return { skipped: { kind, sourceId: id, title: plainText(text(item, 'title')), reason: skipReason } }
  }
  const notes: string[] = []
  const status = statusOf(wpStatus, text(item, 'wp:post_password') !== '', notes)
  const localDate = text(item, 'wp:post_date').trim()
  const { date, guessed } = wordpressDate(text(item, 'wp:post_date_gmt'), localDate)
  if (guessed && status !== 'draft') notes.push('the export gave no GMT date: its local date was read as UTC')

  const rawSlug = text(item, 'wp:post_name').trim()
  const ancestry = kind === 'page' ? ancestryOf(id, ctx.pages) : NO_ANCESTRY
  const slug = kind === 'page' ? flattenedSlug(ancestry, rawSlug) : decodeOrKeep(rawSlug)
  if (ancestry.titles.length > 0) notes.push(`was under ${ancestry.titles.join(' › ')}`)
  if (text(item, 'wp:is_sticky').trim() === '1') notes.push('sticky on the old site')

  const terms = itemTerms(item)
  const formatted = applyFormat(terms.format, text(item, 'content:encoded'))
  if (formatted.note) notes.push(formatted.note)
  const titled = titleOrFallback(plainText(text(item, 'title')), formatted.body, formatted.linkUrl)
  if (titled.note) notes.push(titled.note)

  const meta = postmeta(item)
  const thumbnailId = meta.get('_thumbnail_id') ?? ''
  const featureImageUrl = Object.hasOwn(ctx.attachmentUrls, thumbnailId)
    ? (ctx.attachmentUrls[thumbnailId] ?? '')
    : ''
  if (thumbnailId && !featureImageUrl) notes.push('its featured image is not in the export')
  const { comments, note: commentsNote } = readComments(item)
  if (commentsNote) notes.push(commentsNote)

  const ownLinks = (html: string) => sameSiteLinksRelative(html, ctx.siteUrl)
  const entry: ImportedEntry = {
    kind,
    sourceId: id,
    title: titled.title,
    slug,
    status,
    publishedAt: date,
    body: ownLinks(formatted.body),
    bodyFormat: 'wordpress',
    excerpt: ownLinks(text(item, 'excerpt:encoded').trim()),
    tags: terms.tags,
    linkUrl: formatted.linkUrl,
    quoteHtml: ownLinks(formatted.quoteHtml),
    featureImageUrl,
    metaDescription: plainText(META_DESCRIPTION_KEYS.map((key) => meta.get(key) ?? '').find(Boolean) ?? ''),
    oldPaths: entryOldPaths(
      { kind, id, link: text(item, 'link').trim(), rawSlug, localDate, ancestry },
      ctx.basePath,
    ),
    comments,
    attachedImages: ctx.attachedImages.get(id) ?? [],
    notes,
  }
  return { entry }
}

function statusOf(wpStatus: string, hasPassword: boolean, notes: string[]): ImportedStatus {
  if (hasPassword) {
    notes.push('password-protected on the old site: imported as a draft')
    return 'draft'
  }
  switch (wpStatus) {
    case 'publish':
      return 'published'
    case 'future':
      return 'scheduled'
    case 'draft':
      return 'draft'
    case 'pending':
      notes.push('pending review on the old site: imported as a draft')
      return 'draft'
    case 'private':
      notes.push('private on the old site: imported as a draft')
      return 'draft'
    default:
      notes.push(`status “${wpStatus || 'none'}” on the old site: imported as a draft`)
      return 'draft'
  }
}

/** The item's categories and tags (both Folio tags, once each by name) and its post format. */
function itemTerms(item: XmlNode): { tags: ImportedTag[]; format: string } {
  const tags = new Map<string, ImportedTag>()
  let format = ''
  for (const node of list(item, 'category')) {
    const domain = text(node, 'domain')
    const nicename = text(node, 'nicename').trim()
    if (domain === 'post_format') format = formatName(nicename)
    if ((domain !== 'category' && domain !== 'post_tag') || !nicename) continue
    if (domain === 'category' && nicename === DEFAULT_CATEGORY) continue
    const name = plainText(ownText(node)) || decodeOrKeep(nicename)
    const key = name.toLowerCase()
    if (!tags.has(key)) tags.set(key, { name, oldSlug: decodeOrKeep(nicename) })
  }
  return { tags: [...tags.values()], format: format === 'standard' ? '' : format }
}

/** The item's custom fields, first value per key. */
function postmeta(item: XmlNode): Map<string, string> {
  const meta = new Map<string, string>()
  for (const node of list(item, 'wp:postmeta')) {
    const key = text(node, 'wp:meta_key').trim()
    if (key && !meta.has(key)) meta.set(key, text(node, 'wp:meta_value').trim())
  }
  return meta
}
