// Owns /search: the form, ranked results with highlighted snippets, and pagination.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Db } from '../../db/client.ts'
import { formatDate } from '../../lib/dates.ts'
import { escapeHtml } from '../../lib/html.ts'
import { postUrl, searchUrl } from '../../lib/urls.ts'
import { searchPosts } from './queries.ts'
import { MAX_QUERY_LENGTH, parseSearchQuery } from './query.ts'

const PER_PAGE = 10
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

/** Control characters become spaces: they can only be noise in a search box. */
const withoutControlCharacters = (text: string): string =>
  Array.from(text, (ch) => {
    const code = ch.charCodeAt(0)
    return code < 32 || code === 127 ? ' ' : ch
  }).join('')

export default async function searchRoutes(app: FastifyInstance, options: { db: Db }) {
  app.get('/search', { config: { pageCacheQuery: ['q', 'page'] } }, async (request, reply) => {
    const { q, page } = searchQuerySchema.parse(request.query ?? {})
    const query = withoutControlCharacters(q).trim()
    const locals = reply.siteLocals()
    const parsed = parseSearchQuery(query)
    const shown = query.slice(0, MAX_QUERY_LENGTH)
    const results = parsed.match
      ? searchPosts(options.db, parsed.match, new Date(), { limit: PER_PAGE, offset: (page - 1) * PER_PAGE })
      : { hits: [], total: 0 }
    const totalPages = Math.max(1, Math.ceil(results.total / PER_PAGE))
    const notice = parsed.truncated
      ? `Your search was long, so only its first ${MAX_QUERY_LENGTH} characters were used.`
      : query && !parsed.match
        ? 'Type a word or two to search for; punctuation on its own matches nothing.'
        : undefined
    const countLabel =
      results.total === 0
        ? `No posts match “${shown}”.`
        : `${results.total} ${results.total === 1 ? 'post matches' : 'posts match'} “${shown}”.`
    return reply.page('blog/search', {
      ...locals,
      searchQuery: shown,
      meta: app.meta(locals.site, {
        title: shown ? `Search: ${shown}` : 'Search',
        path: '/search',
        noindex: true,
      }),
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
