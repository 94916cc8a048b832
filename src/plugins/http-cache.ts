// Owns HTTP caching of dynamic responses: ETags, and a short shared cache for public HTML.
import fastifyEtag from '@fastify/etag'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** Short enough that a new post shows within a minute; long enough for a CDN to absorb a spike. */
export const PUBLIC_HTML_CACHE = 'public, max-age=60, stale-while-revalidate=300'

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
