// Owns the /hit beacons (end-of-article mark, CSS view beacon) and /hit/batch, where the primary takes a replica's counts. None of them writes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import {
  BEACON_STYLESHEET_PATH,
  BEACON_VIEW_PATH,
  beaconViewUrl,
  READ_MARK_PATH,
  STATS_BATCH_PATH,
} from '../../lib/urls.ts'
import { pagePath } from './classify.ts'
import { BATCH_CONTENT_TYPE, MAX_BODY_BYTES, SIGNATURE_HEADER } from './forwarding.ts'
import { isPublicPagePath, publicPostPath } from './public-paths.ts'

/** A transparent 1×1 GIF: what the beacons answer, so nothing shows and nothing shifts. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')

/**
 * The beacon stylesheet for a page never changes, so browsers and CDNs keep it for a month (and a
 * CDN may hand out its copy while it fetches again); the image it names is never kept.
 */
const STYLESHEET_CACHE = 'public, max-age=2592000, s-maxage=2592000, stale-while-revalidate=86400'

const pixel = (reply: FastifyReply) => reply.header('cache-control', 'no-store').type('image/gif').send(PIXEL)

const refuse = (reply: FastifyReply, status: number, type: string, text: string) =>
  reply.code(status).header('cache-control', 'no-store').type(type).send(text)

/** The page a beacon names in `?p=`, when it is a public page right now. */
function beaconPath(
  db: Db,
  request: FastifyRequest<{ Querystring: { p?: unknown } }>,
  now: () => Date,
): string | undefined {
  const raw = request.query.p
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 600) return undefined
  const path = pagePath(raw)
  return path && isPublicPagePath(db, path, now()) ? path : undefined
}

const facts = (request: FastifyRequest) => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  ip: request.ip,
})

export default async function hitRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options

  // The body is kept as bytes: its signature is checked before it is parsed.
  app.addContentTypeParser(
    BATCH_CONTENT_TYPE,
    { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
    (_request, body, done) => done(null, body),
  )

  /** Loaded at the end of a long article (lazily, so only when a reader gets near it). */
  app.get<{ Params: { id: string } }>(`${READ_MARK_PATH}/:id`, async (request, reply) => {
    if (!/^\d{1,9}$/.test(request.params.id))
      return refuse(reply, 400, 'text/plain; charset=utf-8', 'The end-of-article mark needs a post number.')
    const path = publicPostPath(db, Number(request.params.id), app.stats.now())
    if (!path)
      return refuse(reply, 404, 'text/plain; charset=utf-8', 'There is no public post with that number.')
    // Fastify answers HEAD with this handler too: a HEAD loads no image, so it counts nothing.
    if (request.method === 'GET') app.stats.recordRead(facts(request), path)
    return pixel(reply)
  })

  /**
   * Linked from every page while the beacon setting is on. Its image loads when a pointer is over
   * the page (not for crawlers that only fetch), from a URL no cache keeps.
   */
  app.get<{ Querystring: { p?: unknown } }>(BEACON_STYLESHEET_PATH, async (request, reply) => {
    const path = beaconPath(db, request, app.stats.now)
    if (!path) return refuse(reply, 400, 'text/css; charset=utf-8', '/* Not a page of this site. */\n')
    return reply
      .header('cache-control', STYLESHEET_CACHE)
      .type('text/css; charset=utf-8')
      .send(`body:hover{background-image:url("${beaconViewUrl(path)}")}\n`)
  })

  app.get<{ Querystring: { p?: unknown } }>(BEACON_VIEW_PATH, async (request, reply) => {
    const path = beaconPath(db, request, app.stats.now)
    if (!path)
      return refuse(reply, 400, 'text/plain; charset=utf-8', 'The view beacon needs a page of this site.')
    if (request.method === 'GET') app.stats.recordBeaconView(facts(request), path)
    return pixel(reply)
  })

  /**
   * A LiteFS replica's counts, replayed here on the primary by LiteFS's proxy. Authenticated by
   * the shared secret's signature, so neither CSRF nor same-origin applies; a request without a
   * signature is refused before its body is read.
   */
  app.post(
    STATS_BATCH_PATH,
    {
      onRequest: async (request, reply) => {
        if (app.stats.role !== 'primary')
          return refuse(reply, 409, 'text/plain; charset=utf-8', 'This machine is not the primary.')
        if (!/^sha256=[0-9a-f]{64}$/.test(String(request.headers[SIGNATURE_HEADER] ?? '')))
          return refuse(reply, 401, 'text/plain; charset=utf-8', 'The batch is not signed.')
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body))
        return refuse(reply, 415, 'text/plain; charset=utf-8', `Send the batch as ${BATCH_CONTENT_TYPE}.`)
      const received = app.stats.receive(request.body, String(request.headers[SIGNATURE_HEADER]))
      if (!received.ok) return refuse(reply, received.status, 'text/plain; charset=utf-8', received.message)
      return reply.code(204).header('cache-control', 'no-store').send()
    },
  )
}
