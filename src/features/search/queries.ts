// Owns the full-text search over public posts.
import type { Db } from '../../db/client.ts'
import { NOT_PUBLIC_POST_IDS_SQL } from '../content/visibility.ts'

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

/*
 * Two steps, because highlight() and snippet() are by far the dearest part of a search: built in
 * the ranking query they ran for every row before the OFFSET (seconds on a deep page). The first
 * step ranks ids and counts them in one pass over the matches; the second builds the marked text
 * for the page's rows alone (FTS5 needs the MATCH in that query too, so it is repeated).
 *
 * The first step never reads a posts row per match: joined, each one cost ~3 µs, most of a search
 * that matches thousands (a two-letter prefix, 40-60 ms at 10,000 posts). It sets aside the few
 * posts that are not public instead (visibility.ts). Equal scores go to the later post by id (the
 * publication date would be that per-row read again).
 */
const RANK_PAGE_SQL = `
  with hits as materialized (
    select rowid as id, ${RANK} as score
    from posts_fts
    where posts_fts match @match
      and rowid not in (${NOT_PUBLIC_POST_IDS_SQL})
  ),
  shown as (select id, score from hits order by score, id desc limit @limit offset @offset)
  select t.total, s.id
  from (select count(*) as total from hits) t left join shown s
  order by s.score, s.id desc`

const MARK_ROWS_SQL = `
  select p.id, p.slug, p.kind, p.published_at as publishedAt,
         highlight(posts_fts, 0, char(1), char(2)) as titleMarked,
         snippet(posts_fts, 1, char(1), char(2), '…', 28) as snippetMarked
  from posts_fts join posts p on p.id = posts_fts.rowid
  where posts_fts match @match and posts_fts.rowid in (select value from json_each(@ids))`

interface MarkedRow {
  id: number
  slug: string
  kind: 'article' | 'link'
  publishedAt: number
  titleMarked: string
  snippetMarked: string
}

export function searchPosts(
  db: Db,
  match: string,
  now: Date,
  options: { limit: number; offset: number },
): SearchResults {
  const ranked = db.$client
    .prepare(RANK_PAGE_SQL)
    .all({ match, now: now.getTime(), limit: options.limit, offset: options.offset }) as {
    total: number
    id: number | null
  }[]
  const total = ranked[0]?.total ?? 0
  const ids = ranked.flatMap((r) => (r.id === null ? [] : [r.id]))
  if (ids.length === 0) return { hits: [], total }
  const rows = db.$client.prepare(MARK_ROWS_SQL).all({ match, ids: JSON.stringify(ids) }) as MarkedRow[]
  const byId = new Map(rows.map((r) => [r.id, r]))
  const hits = ids.flatMap((id) => {
    const row = byId.get(id)
    if (!row) return []
    return [
      {
        slug: row.slug,
        kind: row.kind,
        publishedAt: new Date(row.publishedAt),
        titleMarked: row.titleMarked,
        snippetMarked: row.snippetMarked,
      },
    ]
  })
  return { hits, total }
}
