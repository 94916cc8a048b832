// Owns reading a Ghost export (JSON from Ghost 2 to 6, `{"db":[{"data":…}]}` or a bare `{"data":…}`) into an ImportBundle: its tables joined, its tags, authors and old URLs.
import { cell, type GhostRow, ghostDate, type PostContext, readPost, sourceIdOf } from './ghost-posts.ts'
import {
  type ImportBundle,
  type ImportedComment,
  type ImportedEntry,
  type ImportedTag,
  ImportFileError,
  type SkippedItem,
} from './model.ts'
import {
  authorsNote,
  basePathOf,
  claimOldPaths,
  lineAt,
  oldPathKeys,
  plainText,
  siteAddress,
  uniqueRedirects,
} from './reader-common.ts'

export interface GhostReadOptions {
  /** The old site's address: replaces `__GHOST_URL__`, roots its old paths, and marks its own links. */
  readonly oldUrl?: string
}

type PathRedirect = ImportBundle['pathRedirects'][number]

const EXPECTED =
  'A Ghost export is the .json file from Ghost Admin → Settings → Advanced → Import/Export → Export content, shaped {"db":[{"data":{"posts":[…]}}]}.'

/** The bundle of a Ghost export's text; an ImportFileError when it is not JSON or not a Ghost export. */
export function readGhostExport(json: string, options: GhostReadOptions = {}): ImportBundle {
  const data = ghostData(parseJson(json))
  const siteUrl = siteAddress(options.oldUrl ?? '')
  if (options.oldUrl && !siteUrl) {
    throw new ImportFileError(`--old-url must be the old site's http(s) address, not “${options.oldUrl}”.`)
  }
  const basePath = basePathOf(siteUrl)
  const publicTags = rows(data, 'tags').filter(isPublicTag)
  const ctx: PostContext = {
    siteUrl,
    basePath,
    tagsByPost: tagsByPost(data, publicTags),
    metaByPost: new Map(rows(data, 'posts_meta').map((row) => [cell(row, 'post_id'), row])),
    commentsByPost: commentsByPost(data),
    permalink: permalinkSetting(data),
  }
  const entries: ImportedEntry[] = []
  const skipped: SkippedItem[] = []
  for (const post of rows(data, 'posts')) {
    const reading = readPost(post, ctx)
    if ('entry' in reading) entries.push(reading.entry)
    else skipped.push(reading.skipped)
  }
  const tags = publicTags.map((tag) => ({
    name: cell(tag, 'name').trim(),
    oldSlug: cell(tag, 'slug'),
    oldPaths: oldPathKeys(basePath, [`/tag/${cell(tag, 'slug')}`]),
  }))
  const authors = authorsOf(data)
  const claimed = claimOldPaths(entries)
  const note = authorsNote(authors.map((user) => plainText(cell(user, 'name'))))
  return {
    source: 'ghost',
    siteUrl,
    entries: claimed,
    attachmentUrls: Object.create(null),
    tags,
    pathRedirects: uniqueRedirects(claimed, tags, siteRedirects(publicTags, authors, basePath)),
    notes: note ? [note] : [],
    skipped,
  }
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json)
  } catch (error) {
    const message = (error as Error).message
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? Number.NaN)
    const where = Number.isNaN(position) ? '' : `line ${lineAt(json, position)}: `
    throw new ImportFileError(`The file is not valid JSON (${where}${message}). ${EXPECTED}`)
  }
}

/** The export's tables: `db[0].data` (Ghost 1+) or a bare `data` (Ghost 0.x and some tools). */
function ghostData(parsed: unknown): GhostRow {
  const root = isRow(parsed) ? parsed : {}
  const db = Array.isArray(root.db) ? root.db[0] : root
  const data = isRow(db) ? db.data : undefined
  if (!isRow(data) || !Array.isArray(data.posts)) {
    throw new ImportFileError(`This JSON is not a Ghost export: it has no posts table. ${EXPECTED}`)
  }
  return data
}

const isRow = (value: unknown): value is GhostRow =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function rows(data: GhostRow, table: string): GhostRow[] {
  const value = data[table]
  return Array.isArray(value) ? value.filter(isRow) : []
}

/** Internal tags (`#name`, visibility "internal") drive Ghost themes; they are not the author's topics. */
function isPublicTag(tag: GhostRow): boolean {
  const name = cell(tag, 'name').trim()
  return (
    name !== '' && cell(tag, 'slug') !== '' && !name.startsWith('#') && cell(tag, 'visibility') !== 'internal'
  )
}

/** Each post's public tags in the order Ghost showed them. */
function tagsByPost(data: GhostRow, publicTags: readonly GhostRow[]): Map<string, ImportedTag[]> {
  const tagById = new Map(
    publicTags.map((tag) => [
      cell(tag, 'id'),
      { name: cell(tag, 'name').trim(), oldSlug: cell(tag, 'slug') },
    ]),
  )
  const links = rows(data, 'posts_tags').sort((a, b) => Number(a.sort_order ?? 0) - Number(b.sort_order ?? 0))
  const byPost = new Map<string, ImportedTag[]>()
  for (const link of links) {
    const tag = tagById.get(cell(link, 'tag_id'))
    if (!tag) continue
    const postId = cell(link, 'post_id')
    const tags = byPost.get(postId) ?? []
    if (!tags.includes(tag)) tags.push(tag)
    byPost.set(postId, tags)
  }
  return byPost
}

/**
 * Ghost 5+'s own comments, where the export has them: published ones approved, hidden ones pending,
 * deleted left out (a reply to one stands alone).
 */
function commentsByPost(data: GhostRow): Map<string, ImportedComment[]> {
  const names = new Map(rows(data, 'members').map((m) => [cell(m, 'id'), cell(m, 'name').trim()]))
  const kept = rows(data, 'comments').filter((row) => ['published', 'hidden'].includes(cell(row, 'status')))
  const sourceIds = new Map(kept.map((row) => [cell(row, 'id'), sourceIdOf(row)]))
  const byPost = new Map<string, ImportedComment[]>()
  for (const row of kept) {
    const comment: ImportedComment = {
      sourceId: sourceIdOf(row),
      parentSourceId: sourceIds.get(cell(row, 'parent_id')) ?? '',
      kind: 'reply',
      status: cell(row, 'status') === 'published' ? 'approved' : 'pending',
      authorName: names.get(cell(row, 'member_id')) || 'A member',
      authorUrl: '',
      html: cell(row, 'html'),
      publishedAt: ghostDate(row.created_at),
    }
    const postId = cell(row, 'post_id')
    const list = byPost.get(postId)
    if (list) list.push(comment)
    else byPost.set(postId, [comment])
  }
  return byPost
}

/** Ghost 1 kept its permalink pattern in settings; later versions use routes.yaml (not in the export). */
function permalinkSetting(data: GhostRow): string {
  const row = rows(data, 'settings').find((s) => cell(s, 'key') === 'permalinks')
  const value = row ? cell(row, 'value') : ''
  return value && value !== '/:slug/' ? value.replace(/\/+$/, '') : ''
}

/** The staff who wrote the exported posts (all users when the export does not say). */
function authorsOf(data: GhostRow): GhostRow[] {
  const users = rows(data, 'users')
  const ids = new Set([
    ...rows(data, 'posts_authors').map((row) => cell(row, 'author_id')),
    ...rows(data, 'posts').map((post) => cell(post, 'author_id')),
  ])
  ids.delete('')
  const writers = users.filter((user) => ids.has(cell(user, 'id')))
  return writers.length > 0 ? writers : users
}

function siteRedirects(
  tags: readonly GhostRow[],
  authors: readonly GhostRow[],
  basePath: string,
): PathRedirect[] {
  const to = (toPath: string, paths: string[]) =>
    oldPathKeys(basePath, paths).map((fromPath) => ({ fromPath, toPath }))
  const sitemaps = ['posts', 'pages', 'tags', 'authors'].map((part) => `/sitemap-${part}.xml`)
  return [
    ...to('/rss.xml', ['/rss', ...tags.map((tag) => `/tag/${cell(tag, 'slug')}/rss`)]),
    ...authors
      .filter((user) => cell(user, 'slug'))
      .flatMap((user) => [
        ...to('/', [`/author/${cell(user, 'slug')}`]),
        ...to('/rss.xml', [`/author/${cell(user, 'slug')}/rss`]),
      ]),
    ...to('/sitemap.xml', sitemaps),
  ]
}
