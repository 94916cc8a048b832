// Owns where library images are used: posts, pages and settings that mention or feature them, for a whole page of images at once.
import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Media, pages, posts } from '../../db/schema.ts'
import { plural } from '../../lib/text.ts'
import { adminPageUrl, adminPostUrl } from '../../lib/urls.ts'
import { getSettings } from '../settings/service.ts'
import { fileNamesOf } from './files.ts'

export interface UsageRef {
  readonly title: string
  readonly editUrl: string
}

export interface MediaUsage {
  readonly posts: UsageRef[]
  readonly pages: UsageRef[]
  readonly settings: UsageRef[]
  readonly total: number
}

type UsageSubject = Pick<Media, 'id' | 'fileName' | 'variants'>

const SETTINGS_MARKDOWN = [
  ['introMd', 'Settings: home intro'],
  ['authorBioMd', 'Settings: author bio'],
  ['servicesMd', 'Settings: services block'],
  ['contactIntroMd', 'Settings: contact intro'],
  ['contactThanksMd', 'Settings: contact thanks message'],
] as const

interface MentionRow {
  mediaId: number
  kind: 'post' | 'page'
  id: number
  title: string
}

/**
 * Every post and page whose Markdown mentions one of the images, drafts included, and with
 * `features` every post it is the feature image of: one query for them all.
 */
function mentionsOf(db: Db, rows: readonly UsageSubject[], features: boolean): MentionRow[] {
  const needles = rows.flatMap((row) => fileNamesOf(row).map((name) => [row.id, `/media/${name}`]))
  if (needles.length === 0) return []
  return db.all<MentionRow>(sql`
    with needles(media_id, needle) as materialized (
      select json_extract(value, '$[0]'), json_extract(value, '$[1]') from json_each(${JSON.stringify(needles)})
    )
    select needles.media_id as mediaId, 'post' as kind, ${posts.id} as id, ${posts.title} as title, ${posts.updatedAt} as updatedAt
    from ${posts} cross join needles
    where (instr(${posts.bodyMd}, '/media/') > 0 or instr(${posts.excerptMd}, '/media/') > 0 or instr(${posts.quoteMd}, '/media/') > 0)
      and (instr(${posts.bodyMd}, needles.needle) > 0 or instr(${posts.excerptMd}, needles.needle) > 0 or instr(${posts.quoteMd}, needles.needle) > 0)
    union
    select ${posts.featureImageId}, 'post', ${posts.id}, ${posts.title}, ${posts.updatedAt}
    from ${posts}
    where ${features ? 1 : 0} and ${posts.featureImageId} in (select media_id from needles)
    union
    select needles.media_id, 'page', ${pages.id}, ${pages.title}, ${pages.updatedAt}
    from ${pages} cross join needles
    where instr(${pages.bodyMd}, '/media/') > 0 and instr(${pages.bodyMd}, needles.needle) > 0
    order by updatedAt desc, id desc`)
}

/**
 * The ids of the posts and pages whose Markdown mentions the image: what to render again when its
 * alt text changes. A feature image is drawn when the page is, so its posts need nothing.
 */
export function contentUsingImage(db: Db, row: UsageSubject): { postIds: number[]; pageIds: number[] } {
  const mentions = mentionsOf(db, [row], false)
  const idsOf = (kind: MentionRow['kind']) => mentions.filter((m) => m.kind === kind).map((m) => m.id)
  return { postIds: idsOf('post'), pageIds: idsOf('page') }
}

/**
 * Where each image is used: posts, pages and settings whose Markdown mentions its URL (or one of
 * its WebP copies' URLs, which an author may have copied from a page), drafts included. One query
 * for the whole list: every post and page is read once, however many images are asked about, and
 * one that mentions no /media/ URL at all is passed over before any image is compared.
 */
export function mediaUsageFor(db: Db, rows: readonly UsageSubject[]): Map<number, MediaUsage> {
  const mentions = mentionsOf(db, rows, true)
  const site = getSettings(db)
  const usage = new Map<number, MediaUsage>()
  for (const row of rows) {
    const own = mentions.filter((m) => m.mediaId === row.id)
    const urls = fileNamesOf(row).map((name) => `/media/${name}`)
    const result = {
      posts: own
        .filter((m) => m.kind === 'post')
        .map((m) => ({ title: m.title, editUrl: adminPostUrl(m.id) })),
      pages: own
        .filter((m) => m.kind === 'page')
        .map((m) => ({ title: m.title, editUrl: adminPageUrl(m.id) })),
      settings: SETTINGS_MARKDOWN.filter(([key]) => urls.some((url) => site[key].includes(url))).map(
        ([, title]) => ({ title, editUrl: '/admin/settings' }),
      ),
    }
    usage.set(row.id, {
      ...result,
      total: result.posts.length + result.pages.length + result.settings.length,
    })
  }
  return usage
}

/** Where one image is used; see mediaUsageFor. */
export function mediaUsage(db: Db, row: UsageSubject): MediaUsage {
  return mediaUsageFor(db, [row]).get(row.id) as MediaUsage
}

/** "2 posts and 1 page", for warnings. */
export function describeUsage(usage: MediaUsage): string {
  const parts = [
    usage.posts.length ? plural(usage.posts.length, 'post', 'posts') : '',
    usage.pages.length ? plural(usage.pages.length, 'page', 'pages') : '',
    usage.settings.length ? 'the site settings' : '',
  ].filter(Boolean)
  if (parts.length <= 1) return parts[0] ?? 'nothing'
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}
