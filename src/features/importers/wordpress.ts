// Owns reading a WordPress export (WXR 1.0–1.2, WordPress.com's too) into an ImportBundle: the site, its terms and authors, and which items become entries.
import { isHttpUrl } from '../../lib/urls.ts'
import { isImageFileUrl } from './images-html.ts'
import type { ImportBundle, ImportedEntry, SkippedItem } from './model.ts'
import {
  authorsNote,
  basePathOf,
  claimOldPaths,
  plainText,
  siteAddress,
  uniqueRedirects,
} from './reader-common.ts'
import { type ItemContext, type ItemReading, readItem } from './wordpress-items.ts'
import {
  type AuthorPlace,
  DEFAULT_CATEGORY,
  type PageNode,
  siteRedirects,
  type Term,
  termPaths,
} from './wordpress-paths.ts'
import { list, ownText, parseWxrChannel, text, type XmlNode } from './wordpress-xml.ts'

/** Why items of the types WordPress exports besides posts, pages and attachments are left out. */
const OTHER_TYPES = new Map([
  ['nav_menu_item', 'a menu item (Folio builds its own navigation)'],
  ['revision', 'an earlier revision of a post'],
  ['wp_block', 'a reusable block: posts that used it need its content pasted in'],
  ['custom_css', "the theme's custom CSS"],
  ['customize_changeset', 'unsaved Customizer changes'],
  ['oembed_cache', 'a cached embed'],
  ['user_request', 'a personal-data request'],
  ['feedback', 'a contact-form message (it holds a visitor’s personal data)'],
  ['wp_template', 'part of the block theme'],
  ['wp_template_part', 'part of the block theme'],
  ['wp_global_styles', "the block theme's styles"],
  ['wp_navigation', 'a navigation menu (Folio builds its own)'],
  ['wp_font_family', 'a font of the theme'],
  ['wp_font_face', 'a font of the theme'],
])

/** The bundle of a WXR file's text; an ImportFileError when it is not one (see parseWxrChannel). */
export function readWordPressExport(xml: string): ImportBundle {
  const channel = parseWxrChannel(xml)
  const siteUrl = siteAddress(text(channel, 'wp:base_blog_url')) || siteAddress(text(channel, 'link'))
  const basePath = basePathOf(siteUrl)
  const items = list(channel, 'item')
  const ctx = contextOf(items, siteUrl, basePath)

  const entries: ImportedEntry[] = []
  const skipped: SkippedItem[] = []
  for (const item of items) {
    const reading = readAnyItem(item, ctx)
    if ('entry' in reading) entries.push(reading.entry)
    else skipped.push(reading.skipped)
  }

  const { categories, tags: tagTerms } = termsOf(channel, items)
  const terms = termPaths(categories, tagTerms, basePath)
  const authors = authorsOf(channel, items)
  const claimed = claimOldPaths(entries)
  const notes = [authorsNote(authors.names)]
  if (categories.has(DEFAULT_CATEGORY)) {
    notes.push('The default category “Uncategorized” became no tag; its old page now leads to /posts.')
  }
  return {
    source: siteUrl ? `wordpress ${siteUrl}` : 'wordpress',
    siteUrl,
    entries: claimed,
    attachmentUrls: ctx.attachmentUrls,
    tags: terms.tags,
    pathRedirects: uniqueRedirects(claimed, terms.tags, [
      ...terms.redirects,
      ...siteRedirects(authors.places, basePath),
    ]),
    notes: notes.filter((note): note is string => note !== null),
    skipped,
  }
}

/** What items need from the whole file: attachments by id and by parent, and the pages' tree. */
function contextOf(items: readonly XmlNode[], siteUrl: string, basePath: string): ItemContext {
  // No prototype: an id such as "constructor" in a hostile file finds nothing.
  const attachmentUrls: Record<string, string> = Object.create(null)
  const attachedImages = new Map<string, string[]>()
  const pages = new Map<string, PageNode>()
  for (const item of items) {
    const type = text(item, 'wp:post_type').trim()
    const id = text(item, 'wp:post_id').trim()
    const parentId = text(item, 'wp:post_parent').trim()
    if (type === 'attachment') {
      const url = (text(item, 'wp:attachment_url') || text(item, 'guid')).trim()
      if (!/^\d+$/.test(id) || !isHttpUrl(url)) continue
      attachmentUrls[id] = url
      if (parentId && parentId !== '0' && isImageFileUrl(url)) {
        const images = attachedImages.get(parentId) ?? []
        images.push(url)
        attachedImages.set(parentId, images)
      }
    } else if (type === 'page') {
      const title = plainText(text(item, 'title'))
      pages.set(id, { rawSlug: text(item, 'wp:post_name').trim(), title, parentId })
    }
  }
  return { siteUrl, basePath, attachmentUrls, attachedImages, pages }
}

/** Posts and pages are read; every other item is skipped with the reason the report gives. */
function readAnyItem(item: XmlNode, ctx: ItemContext): ItemReading {
  const type = text(item, 'wp:post_type').trim()
  const sourceId = text(item, 'wp:post_id').trim()
  const title = () => plainText(text(item, 'title'))
  if (type !== 'post' && type !== 'page') {
    return {
      skipped: { kind: type || 'item', sourceId, title: title(), reason: skipReason(type, ctx, sourceId) },
    }
  }
  if (!sourceId)
    return { skipped: { kind: type, sourceId, title: title(), reason: 'it has no post ID in the export' } }
  return readItem(item, type, ctx)
}

function skipReason(type: string, ctx: ItemContext, id: string): string {
  if (type === 'attachment') {
    const url = Object.hasOwn(ctx.attachmentUrls, id) ? (ctx.attachmentUrls[id] ?? '') : ''
    return isImageFileUrl(url)
      ? 'attachment (its image comes in with the posts that use it)'
      : 'attachment (a file: posts that link to it keep the link)'
  }
  return OTHER_TYPES.get(type) ?? `a “${type || 'untyped'}” item, which Folio has no place for`
}

/** Categories and tags by raw slug: from the file's header, then any only the items name. */
function termsOf(channel: XmlNode, items: readonly XmlNode[]) {
  const categories = new Map<string, Term>()
  const tags = new Map<string, Term>()
  const add = (terms: Map<string, Term>, term: Term) => {
    if (term.rawSlug && !terms.has(term.rawSlug)) terms.set(term.rawSlug, term)
  }
  for (const node of list(channel, 'wp:category')) {
    add(categories, {
      id: text(node, 'wp:term_id').trim(),
      name: plainText(text(node, 'wp:cat_name')),
      rawSlug: text(node, 'wp:category_nicename').trim(),
      parentSlug: text(node, 'wp:category_parent').trim(),
    })
  }
  for (const node of list(channel, 'wp:tag')) {
    const [id, name] = [text(node, 'wp:term_id').trim(), plainText(text(node, 'wp:tag_name'))]
    add(tags, { id, name, rawSlug: text(node, 'wp:tag_slug').trim(), parentSlug: '' })
  }
  for (const node of list(channel, 'wp:term')) {
    const taxonomy = text(node, 'wp:term_taxonomy').trim()
    const terms = taxonomy === 'category' ? categories : taxonomy === 'post_tag' ? tags : null
    if (!terms) continue
    add(terms, {
      id: text(node, 'wp:term_id').trim(),
      name: plainText(text(node, 'wp:term_name')),
      rawSlug: text(node, 'wp:term_slug').trim(),
      parentSlug: text(node, 'wp:term_parent').trim(),
    })
  }
  for (const item of items) {
    for (const node of list(item, 'category')) {
      const domain = text(node, 'domain')
      const terms = domain === 'category' ? categories : domain === 'post_tag' ? tags : null
      const rawSlug = text(node, 'nicename').trim()
      if (terms) add(terms, { id: '', name: plainText(ownText(node)), rawSlug, parentSlug: '' })
    }
  }
  return { categories, tags }
}

/** The file's authors (display names for the note; logins and ids for their old pages). */
function authorsOf(channel: XmlNode, items: readonly XmlNode[]) {
  const nodes = list(channel, 'wp:author')
  if (nodes.length > 0) {
    const places: AuthorPlace[] = nodes.map((n) => ({
      login: text(n, 'wp:author_login').trim(),
      id: text(n, 'wp:author_id').trim(),
    }))
    const names = nodes.map(
      (n) => plainText(text(n, 'wp:author_display_name')) || text(n, 'wp:author_login').trim(),
    )
    return { names, places }
  }
  const logins = [...new Set(items.map((item) => text(item, 'dc:creator').trim()).filter(Boolean))]
  return { names: logins, places: logins.map((login) => ({ login, id: '' })) }
}
