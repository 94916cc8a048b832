// Owns HTTP caching of dynamic responses: ETags, and the shared-cache policy for public pages and feeds.
import fastifyEtag from '@fastify/etag'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * What a reader sees after the author publishes, with a CDN in front:
 * - a browser reuses its copy for a minute (max-age), then asks again with the ETag (a cheap 304);
 * - a CDN serves its copy for five minutes (s-maxage), so a spike costs the origin one request
 *   per page per edge location every five minutes;
 * - after that the CDN may hand out its old copy while it fetches the new one in the background
 *   (stale-while-revalidate), so nobody waits on the origin; the next reader gets the new page;
 * - if the origin is down (a deploy, a crash), the CDN keeps serving the last page for a day
 *   (stale-if-error) instead of an error.
 * So a new post reaches every reader within about five minutes, and at once for anyone who
 * reloads past the CDN. Admin, contact-form and error pages set no-store themselves, and anything
 * but a successful GET or HEAD gets no-store below.
 */
export const PUBLIC_HTML_CACHE =
  'public, max-age=60, s-maxage=300, stale-while-revalidate=86400, stale-if-error=86400'

export default fp(
  async function httpCache(app: FastifyInstance) {
    // A weak ETag survives compression by a proxy; fnv1a is cheap enough for every response.
    await app.register(fastifyEtag, { weak: true })

    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.hasHeader('cache-control')) return payload
      const ok = reply.statusCode === 200 || reply.statusCode === 301 || reply.statusCode === 304
      const read = request.method === 'GET' || request.method === 'HEAD'
      reply.header('cache-control', ok && read ? PUBLIC_HTML_CACHE : 'no-store')
      return payload
    })
  },
  { name: 'http-cache' },
)
