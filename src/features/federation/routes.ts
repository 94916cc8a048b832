// Owns what other servers read to find and follow the blog: WebFinger, host-meta, NodeInfo, the actor, its outbox and followers, and each post's object.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { escapeHtml } from '../../lib/html.ts'
import {
  ACTOR_PATH,
  absoluteUrl,
  FOLLOWERS_PATH,
  HOST_META_PATH,
  NODEINFO_DOCUMENT_PATH,
  NODEINFO_PATH,
  OUTBOX_PATH,
  postUrl,
  WEBFINGER_PATH,
} from '../../lib/urls.ts'
import { FOLIO_VERSION } from '../../lib/user-agent.ts'
import { countFeedPosts, findFeedPost } from '../feeds/queries.ts'
import { getSettings } from '../settings/service.ts'
import { ACTIVITY_JSON, actorId } from './activities.ts'
import { actorKeyPair } from './keys.ts'
import { NEGOTIATED, sendActivityJson, varyOnAccept, wantsActivityJson } from './negotiate.ts'
import {
  actorDocument,
  articleOf,
  followersCollection,
  objectGeneration,
  outboxCollection,
} from './objects.ts'
import { findWebfingerSubject } from './webfinger.ts'

const NODEINFO_SCHEMA = 'http://nodeinfo.diaspora.software/ns/schema/2.1'

/** Discovery documents are read by other sites' scripts too (WebFinger requires it). */
const sendJson = (reply: FastifyReply, type: string, document: unknown) =>
  reply.type(type).header('access-control-allow-origin', '*').send(JSON.stringify(document))

/** A refusal other servers read: short plain text, never a page. */
const refuse = (reply: FastifyReply, status: number, message: string) =>
  reply
    .code(status)
    .type('text/plain; charset=utf-8')
    .header('access-control-allow-origin', '*')
    .send(message)

export default async function federationRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const { siteUrl } = config
  const home = `${siteUrl}/`

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
    WEBFINGER_PATH,
    { config: { pageCacheQuery: ['resource'] } },
    async (request, reply) => {
      const settings = getSettings(db)
      const found = findWebfingerSubject(request.query.resource, settings.fediverseHandle, siteUrl)
      if (found === 'bad') {
        return refuse(reply, 400, 'Ask for one resource, like ?resource=acct:name@host or the actor URL.')
      }
      if (found === 'unknown') return refuse(reply, 404, 'No such account here.')
      return sendJson(reply, 'application/jrd+json; charset=utf-8', {
        subject: found,
        aliases: [home, actorId(siteUrl)],
        links: [
          { rel: 'self', type: ACTIVITY_JSON, href: actorId(siteUrl) },
          { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: home },
        ],
      })
    },
  )

  app.get(HOST_META_PATH, async (_request, reply) => {
    const template = `${absoluteUrl(siteUrl, WEBFINGER_PATH)}?resource={uri}`
    return reply
      .type('application/xrd+xml; charset=utf-8')
      .header('access-control-allow-origin', '*')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${escapeHtml(template)}"/>\n</XRD>\n`,
      )
  })

  app.get(NODEINFO_PATH, async (_request, reply) =>
    sendJson(reply, 'application/json; charset=utf-8', {
      links: [{ rel: NODEINFO_SCHEMA, href: absoluteUrl(siteUrl, NODEINFO_DOCUMENT_PATH) }],
    }),
  )

  app.get(NODEINFO_DOCUMENT_PATH, async (_request, reply) => {
    const settings = getSettings(db)
    return sendJson(reply, `application/json; profile="${NODEINFO_SCHEMA}#"; charset=utf-8`, {
      version: '2.1',
      software: { name: 'folio', version: FOLIO_VERSION },
      protocols: ['activitypub'],
      services: { inbound: [], outbound: ['atom1.0', 'rss2.0'] },
      openRegistrations: false,
      usage: {
        users: { total: 1, activeMonth: 1, activeHalfyear: 1 },
        localPosts: countFeedPosts(db, new Date()),
      },
      metadata: { nodeName: settings.title },
    })
  })

  // A person who opens the actor's address in a browser wants the blog, not its JSON.
  app.get(ACTOR_PATH, NEGOTIATED, async (request, reply) => {
    varyOnAccept(reply)
    if (!wantsActivityJson(request.headers.accept)) return reply.redirect('/', 302)
    const key = actorKeyPair(db)
    // Only on a replica the primary's key has not reached yet: ask again shortly.
    if (!key) return refuse(reply.header('retry-after', '60'), 503, 'The blog is not ready to federate yet.')
    return sendActivityJson(reply, actorDocument(siteUrl, getSettings(db), key))
  })

  app.get(OUTBOX_PATH, async (_request, reply) => sendActivityJson(reply, outboxCollection(db, siteUrl)))

  app.get(FOLLOWERS_PATH, async (_request, reply) =>
    sendActivityJson(reply, followersCollection(db, siteUrl)),
  )

  /** A post's object, at its current generation only: an earlier one was deleted from the fediverse. */
  const postObjectRoute = async (
    request: FastifyRequest<{ Params: { id: string; generation?: string } }>,
    reply: FastifyReply,
  ) => {
    varyOnAccept(reply)
    const number = (value: string | undefined) =>
      value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined
    const id = number(request.params.id)
    const generation = request.params.generation === undefined ? 0 : number(request.params.generation)
    const post = id === undefined ? undefined : findFeedPost(db, id, new Date())
    const current = post !== undefined && generation === objectGeneration(db, post.id)
    const wantsJson = wantsActivityJson(request.headers.accept)
    if (!post || !current) return wantsJson ? refuse(reply, 404, 'No such post here.') : reply.callNotFound()
    if (!wantsJson) return reply.redirect(postUrl(post.slug), 302)
    return sendActivityJson(reply, articleOf(siteUrl, post, generation))
  }
  app.get('/ap/posts/:id', NEGOTIATED, postObjectRoute)
  app.get('/ap/posts/:id/:generation', NEGOTIATED, postObjectRoute)
}
