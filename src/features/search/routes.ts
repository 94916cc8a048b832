// Owns /search: the form, ranked results with highlighted snippets, and pagination.
import type { FastifyInstance } from 'fastify'
import * as z from 'zod'
import type { Db } from '../../db/client.ts'
import { formatDate } from '../../lib/dates.ts'
import { escapeHtml } from '../../lib/html.ts'
import { plural, replaceControlCharacters } from '../../lib/text.ts'
import { postUrl, searchUrl } from '../../lib/urls.ts'
import { searchPosts } from './queries.ts'
import { MAX_QUERY_LENGTH, MAX_TERMS, type ParsedQuery, parseSearchQuery } from './query.ts'

const PER_PAGE = 10
// Ranking costs the same on any page, but nobody reads past 1,000 results; the cap keeps links finite.
const MAX_SEARCH_PAGE = 100

const firstString = (value: unknown) => (Array.isArray(value) ? value[0] : value)

const searchQuerySchema = z.object({
  q: z.preprocess(firstString, z.string().catch('')).default(''),
  page: z.preprocess(firstString, z.coerce.number().int().min(1).max(MAX_SEARCH_PAGE).catch(1)).default(1),
})

const MARK_START = String.fromCharCode(1)
const MARK_END = String.fromCharCode(2)

/** Escapes the text first, then turns FTS5's \u0001/\u0002 markers into <mark>. */
export function markedToHtml(marked: string): string {
  return escapeHtml(marked).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>')
}

const stripMarkers = (marked: string): string => marked.replaceAll(MARK_START, '').replaceAll(MARK_END, '')

/** Tells the visitor what part of their input was not searched as typed, so a cut never goes unnoticed. */
function describeLimits(query: string, parsed: ParsedQuery): string | undefined {
  if (query && !parsed.match)
    return 'Type a word or two to search for; punctuation on its own matches nothing.'
  const notes: string[] = []
  if (parsed.truncated)
    notes.push(`Your search was long, so only its first ${MAX_QUERY_LENGTH} characters were used.`)
  if (parsed.droppedTerms > 0) notes.push(`Only the first ${MAX_TERMS} words were searched for.`)
  if (parsed.shortPrefixes.length > 0) {
    notes.push(
      `A * needs at least two letters before it, so ${parsed.shortPrefixes.join(', ')} matched whole words only.`,
    )
  }
  return notes.length > 0 ? notes.join(' ') : undefined
}

export default async function searchRoutes(app: FastifyInstance, options: { db: Db }) {
  app.get('/search', { config: { pageCacheQuery: ['q', 'page'] } }, async (request, reply) => {
    const { q, page } = searchQuerySchema.parse(request.query ?? {})
    const query = replaceControlCharacters(q).trim()
    const locals = reply.siteLocals()
    const parsed = parseSearchQuery(query)
    const shown = query.slice(0, MAX_QUERY_LENGTH)
    const results = parsed.match
      ? searchPosts(options.db, parsed.match, new Date(), { limit: PER_PAGE, offset: (page - 1) * PER_PAGE })
      : { hits: [], total: 0 }
    const totalPages = Math.min(MAX_SEARCH_PAGE, Math.max(1, Math.ceil(results.total / PER_PAGE)))
    const notice = describeLimits(query, parsed)
    const countLabel =
      results.total === 0
        ? `No posts match “${shown}”.`
        : `${plural(results.total, 'post matches', 'posts match')} “${shown}”.`
    return reply.page('blog/search', {
      searchQuery: shown,
      meta: {
        title: shown ? `Search: ${shown}` : 'Search',
        path: '/search',
        noindex: true,
      },
      query: shown,
      notice,
      countLabel,
      results: results.hits.map((hit) => ({
        url: postUrl(hit.slug),
        title: stripMarkers(hit.titleMarked),
        titleHtml: markedToHtml(hit.titleMarked),
        kind: hit.kind,
        dateIso: hit.publishedAt.toISOString(),
        dateLabel: formatDate(hit.publishedAt, locals.site.timezone),
        snippetHtml: markedToHtml(hit.snippetMarked),
      })),
      pagination: {
        page,
        totalPages,
        prevUrl: page > 1 ? searchUrl(shown, page - 1) : undefined,
        nextUrl: page < totalPages ? searchUrl(shown, page + 1) : undefined,
      },
    })
  })
}
