// Owns answering an imported blog's query-string permalinks (`/?p=123`, `/index.php?p=…`, its search `/?s=words`) with 301s before the page cache sees them.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/client.ts'
import { resolveRedirect } from './redirects.ts'

const QUESTION_MARK = 63
const LOWER_I = 105

/**
 * Whether a request target could be one of WordPress's old permalinks on the home page: `/?…`,
 * or anything under `/index.php`. Two character tests for every ordinary URL, nothing more.
 */
export function looksLikeOldPermalink(url: string): boolean {
  const second = url.charCodeAt(1)
  if (second === QUESTION_MARK) return true
  return second === LOWER_I && url.startsWith('/index.php')
}

/**
 * Other old URLs (`/2019/03/slug/`, `/category/x/`) match no route and are answered by the 404
 * handler (plugins/error-pages.ts); these would otherwise get the (cached) home page.
 */
export default fp(
  async function redirectRoutes(app: FastifyInstance, options: { db: Db }) {
    app.addHook('onRequest', (request, reply, done) => {
      if (!looksLikeOldPermalink(request.url)) return done()
      if (request.method !== 'GET' && request.method !== 'HEAD') return done()
      const location = resolveRedirect(options.db, request.url, new Date())
      if (location === undefined) return done()
      // Answered here, so no later hook runs: like a page-cache hit, only onSend and onResponse follow.
      reply.redirect(location, 301)
    })
  },
  { name: 'old-url-redirects' },
)
