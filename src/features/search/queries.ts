// Owns the full-text search over public posts.
import type { Db } from '../../db/client.ts'

export interface SearchHit {
  readonly slug: string
  readonly kind: 'article' | 'link'
  readonly publishedAt: Date
  /** Title and snippet with matches wrapped in \u0001…\u0002, still unescaped text. */
  readonly titleMarked: string
  readonly snippetMarked: string
}

export interface SearchResults {
  readonly hits: readonly SearchHit[]
  readonly total: number
}

// Title matches weigh most, then tags, then the body.
const RANK = 'bm25(posts_fts, 10.0, 1.0, 4.0)'

export function searchPosts(
  db: Db,
  match: string,
  now: Date,
  options: { limit: number; offset: number },
): SearchResults {
  const visible = `p.status != 'draft' and p.published_at <= @now`
  const total = (
    db.$client
      .prepare(
        `select count(*) as n from posts_fts join posts p on p.id = posts_fts.rowid
         where posts_fts match @match and ${visible}`,
      )
      .get({ match, now: now.getTime() }) as { n: number }
  ).n
  if (total === 0) return { hits: [], total }
  const rows = db.$client
    .prepare(
      `select p.slug, p.kind, p.published_at as publishedAt,
              highlight(posts_fts, 0, char(1), char(2)) as titleMarked,
              snippet(posts_fts, 1, char(1), char(2), '…', 28) as snippetMarked
       from posts_fts join posts p on p.id = posts_fts.rowid
       where posts_fts match @match and ${visible}
       order by ${RANK}, p.published_at desc
       limit @limit offset @offset`,
    )
    .all({ match, now: now.getTime(), limit: options.limit, offset: options.offset }) as {
    slug: string
    kind: 'article' | 'link'
    publishedAt: number
    titleMarked: string
    snippetMarked: string
  }[]
  return { hits: rows.map((r) => ({ ...r, publishedAt: new Date(r.publishedAt) })), total }
}
