// Owns where things lived on a WordPress site: each post's and page's old URLs, pages' nesting flattened into slugs, category and tag pages, feeds and author pages.
import { decodeOrKeep } from '../../lib/text.ts'
import type { ImportBundle, ImportedTag } from './model.ts'
import { oldPathKeys } from './reader-common.ts'

/** Nesting deeper than this is a loop in the file, not a site. */
const MAX_DEPTH = 20
/** WordPress's default category, on every post that has no other: not worth a Folio tag. */
export const DEFAULT_CATEGORY = 'uncategorized'

const RSS = '/rss.xml'
const ATOM = '/feed.xml'

/** A page as the hierarchy needs it: its raw (percent-encoded) slug, title and parent's id. */
export interface PageNode {
  readonly rawSlug: string
  readonly title: string
  readonly parentId: string
}

/** A page's place in the hierarchy: its ancestors' raw slugs and titles, outermost first. */
export interface PageAncestry {
  readonly rawSlugs: readonly string[]
  readonly titles: readonly string[]
}

/** The pages above `id`, outermost first; a missing parent or a loop ends the chain. */
export function ancestryOf(id: string, pages: ReadonlyMap<string, PageNode>): PageAncestry {
  const rawSlugs: string[] = []
  const titles: string[] = []
  const seen = new Set([id])
  let parentId = pages.get(id)?.parentId ?? ''
  while (parentId && !seen.has(parentId) && rawSlugs.length < MAX_DEPTH) {
    const parent = pages.get(parentId)
    if (!parent) break
    seen.add(parentId)
    rawSlugs.unshift(parent.rawSlug)
    titles.unshift(parent.title)
    parentId = parent.parentId
  }
  return { rawSlugs, titles }
}

/** A page's Folio slug: its ancestors' slugs and its own joined with '-' ("about-team-lead"). */
export function flattenedSlug(ancestry: PageAncestry, rawSlug: string): string {
  if (!rawSlug) return ''
  return [...ancestry.rawSlugs, rawSlug].filter(Boolean).map(decodeOrKeep).join('-')
}

export interface EntryPlace {
  readonly kind: 'post' | 'page'
  readonly id: string
  /** The item's <link>, absolute. */
  readonly link: string
  readonly rawSlug: string
  /** wp:post_date as written, the site's local time: what date-based permalinks show. */
  readonly localDate: string
  readonly ancestry: PageAncestry
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2}) /

/**
 * Every URL the old site may have answered for the item: its <link>, the `?p=` / `?page_id=` form
 * WordPress always understands, and for posts the common permalink structures (day and name,
 * month and name, post name, numeric).
 */
export function entryOldPaths(place: EntryPlace, basePath: string): string[] {
  const paths = [place.link]
  const numbered = /^\d+$/.test(place.id)
  if (place.kind === 'page') {
    if (numbered) paths.push(`/?page_id=${place.id}`)
    const slugs = [...place.ancestry.rawSlugs, place.rawSlug].filter(Boolean)
    if (place.rawSlug) paths.push(`/${slugs.join('/')}`)
    return oldPathKeys(basePath, paths)
  }
  if (numbered) paths.push(`/?p=${place.id}`)
  const date = LOCAL_DATE.exec(place.localDate)
  if (place.rawSlug && date && date[1] !== '0000') {
    const [, year, month, day] = date
    const slug = place.rawSlug
    paths.push(`/${year}/${month}/${day}/${slug}`, `/${year}/${month}/${slug}`, `/${slug}`)
  }
  if (numbered) paths.push(`/archives/${place.id}`)
  return oldPathKeys(basePath, paths)
}

export interface Term {
  readonly id: string
  readonly name: string
  /** As in the file: percent-encoded when not ASCII. */
  readonly rawSlug: string
  /** Categories only: the parent category's raw slug. */
  readonly parentSlug: string
}

type BundleTag = ImportBundle['tags'][number]
type PathRedirect = ImportBundle['pathRedirects'][number]

/**
 * Every category and tag with the old URLs of its page (`/category/parent/child`, `/?cat=3`,
 * `/tag/x`, `/?tag=x`), merged by name since both become Folio tags; their feeds, and the default
 * category's page (which becomes no tag), go to redirects of their own.
 */
export function termPaths(
  categories: ReadonlyMap<string, Term>,
  tags: ReadonlyMap<string, Term>,
  basePath: string,
): { tags: BundleTag[]; redirects: PathRedirect[] } {
  const merged = new Map<string, { tag: ImportedTag; paths: string[] }>()
  const redirects: PathRedirect[] = []
  const add = (term: Term, paths: string[], feed: string) => {
    redirects.push(...redirectsTo(RSS, basePath, [feed]))
    const name = term.name || decodeOrKeep(term.rawSlug)
    const key = name.toLowerCase()
    const found = merged.get(key)
    if (found) found.paths.push(...paths)
    else merged.set(key, { tag: { name, oldSlug: decodeOrKeep(term.rawSlug) }, paths })
  }
  for (const category of categories.values()) {
    const path = `/category/${categoryChain(category, categories).join('/')}`
    const paths = [path, `/category/${category.rawSlug}`]
    if (category.id) paths.push(`/?cat=${category.id}`)
    if (category.rawSlug === DEFAULT_CATEGORY) {
      redirects.push(
        ...redirectsTo('/posts', basePath, paths),
        ...redirectsTo(RSS, basePath, [`${path}/feed`]),
      )
    } else add(category, paths, `${path}/feed`)
  }
  for (const tag of tags.values()) {
    add(tag, [`/tag/${tag.rawSlug}`, `/?tag=${tag.rawSlug}`], `/tag/${tag.rawSlug}/feed`)
  }
  const bundleTags = [...merged.values()].map(({ tag, paths }) => ({
    ...tag,
    oldPaths: oldPathKeys(basePath, paths),
  }))
  return { tags: bundleTags, redirects }
}

/** A category's raw slugs from the outermost parent down to itself, as its URL shows them. */
function categoryChain(category: Term, categories: ReadonlyMap<string, Term>): string[] {
  const chain = [category.rawSlug]
  let parent = category.parentSlug
  while (parent && !chain.includes(parent) && chain.length < MAX_DEPTH) {
    chain.unshift(parent)
    parent = categories.get(parent)?.parentSlug ?? ''
  }
  return chain
}

/** An author as the site's URLs name them: /author/<nicename> and /?author=<id>. */
export interface AuthorPlace {
  readonly login: string
  readonly id: string
}

/** The old site's feeds (RSS, Atom, comments) and author pages, with where each now leads. */
export function siteRedirects(authors: readonly AuthorPlace[], basePath: string): PathRedirect[] {
  const redirects = [
    ...redirectsTo(RSS, basePath, [
      '/feed',
      '/feed/rss2',
      '/feed/rss',
      '/feed/rdf',
      '/comments/feed',
      '/?feed=rss2',
      '/?feed=rss',
      '/?feed=rdf',
      '/?feed=comments-rss2',
    ]),
    ...redirectsTo(ATOM, basePath, ['/feed/atom', '/comments/feed/atom', '/?feed=atom']),
  ]
  for (const author of authors) {
    const nicename = authorNicename(author.login)
    if (nicename) {
      redirects.push(...redirectsTo('/', basePath, [`/author/${nicename}`]))
      redirects.push(...redirectsTo(RSS, basePath, [`/author/${nicename}/feed`]))
    }
    if (/^\d+$/.test(author.id)) redirects.push(...redirectsTo('/', basePath, [`/?author=${author.id}`]))
  }
  return redirects
}

/** WordPress makes an author's URL name from the login as it makes slugs (sanitize_title): lower case, dots and spaces to hyphens. */
function authorNicename(login: string): string {
  return login
    .trim()
    .toLowerCase()
    .replace(/\./g, '-')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/[\s-]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** Redirects from old site paths (under `basePath`) to one Folio path. */
function redirectsTo(toPath: string, basePath: string, paths: readonly string[]): PathRedirect[] {
  return oldPathKeys(basePath, paths).map((fromPath) => ({ fromPath, toPath }))
}
