// Owns POST /ap/inbox, the blog actor's inbox and the shared inbox: checks in the order that keeps refusals cheap and free of side effects, then inbox.ts acts.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { INBOX_PATH } from '../../lib/urls.ts'
import { isBlockedSender } from '../responses/moderation.ts'
import { ACTIVITY_JSON } from './activities.ts'
import { handleActivity, isGoneFollower } from './inbox.ts'
import { readActivity } from './inbox-activity.ts'
import { claimedHost, createInboxLimits } from './inbox-limits.ts'
import { createRemoteActors } from './remote-actors.ts'
import { verifyRequest } from './signatures.ts'

/** Mastodon caps what it sends far below this; a long reply with its context is a few kilobytes. */
export const INBOX_BODY_LIMIT = 256 * 1024
/** What servers send to an inbox; ld+json with the ActivityStreams profile means the same. */
const INBOX_TYPES = [ACTIVITY_JSON, 'application/ld+json']

/** Servers are programs; their developers read the body, so it says what went wrong in one line. */
const answer = (reply: FastifyReply, status: number, text: string) =>
  reply.code(status).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${text}\n`)

/**
 * Not behind the CSRF check: servers, not browsers, call it, with no cookie; the HTTP Signature is
 * what authenticates a request (docs/decisions/0010). The body is read raw, only here (the app
 * parses no JSON anywhere else), because the signature's digest covers its exact bytes.
 */
export default async function inboxRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const actors = createRemoteActors(db, config)
  const limits = createInboxLimits()
  const scheme = new URL(config.siteUrl).protocol.replace(/:$/, '')

  app.addContentTypeParser(
    INBOX_TYPES,
    { parseAs: 'buffer', bodyLimit: INBOX_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  )

  app.post(INBOX_PATH, {
    bodyLimit: INBOX_BODY_LIMIT,
    errorHandler: async (error: FastifyError, _request, reply) => {
      if (error.statusCode === 415)
        return answer(reply, 415, 'Send the activity as application/activity+json.')
      if (error.statusCode === 413) return answer(reply, 413, 'The activity is too large (256 KB at most).')
      // Anything else wrong with the body as sent (an encoding we do not read, a length that lies).
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return answer(reply, error.statusCode, 'The request body could not be read.')
      }
      throw error
    },
    handler: async (request, reply) => {
      const body = request.body
      // A form or an empty POST never reaches here as a Buffer: only the parser above makes one.
      if (!Buffer.isBuffer(body)) return answer(reply, 415, 'Send the activity as application/activity+json.')
      const claimed = claimedHost(request.headers)
      // A blocked server is turned away before its key is fetched: a block should cost it, not us.
      if (claimed !== undefined && isBlockedSender(db, [`https://${claimed}/`]))
        return answer(reply, 403, 'Activities from this sender are refused.')
      const limit = limits.check(claimed, request.ip)
      if (!limit.allowed) {
        reply.header('retry-after', String(limit.retryAfterSeconds))
        return answer(reply, 429, `Too many activities; try again in ${limit.retryAfterSeconds} s.`)
      }
      const verified = await verifyRequest({
        method: request.method,
        path: request.url,
        headers: request.headers,
        body,
        fetchKey: actors.fetchKey,
        scheme,
      })
      if (!verified.ok) {
        limits.countFailure(request.ip)
        // A deleted account's farewell is signed with a key that is gone too: its own server's
        // 410, asked by us, is what lets it stop following.
        if (verified.reason === 'key-not-found' && (await isGoneFollower(db, actors, body)))
          return answer(reply, 202, 'Accepted: the account is gone, and no longer follows this blog.')
        return answer(reply, 401, `${verified.reason}: ${verified.message}`)
      }
      limits.countVerified(new URL(verified.keyId).host.toLowerCase())
      let json: unknown
      try {
        json = JSON.parse(body.toString('utf8'))
      } catch {
        return answer(reply, 400, 'The body is not JSON.')
      }
      const activity = readActivity(json)
      if (!activity) return answer(reply, 400, 'An activity needs a type, an actor and an object.')
      // Relayed activities carry someone else's signature; without Linked Data Signatures they are not believed.
      if (activity.actor !== verified.owner) {
        limits.countFailure(request.ip)
        return answer(
          reply,
          401,
          'actor-not-key-owner: The activity was signed with a key its actor does not own.',
        )
      }
      if (isBlockedSender(db, [activity.actor]))
        return answer(reply, 403, 'Activities from this sender are refused.')
      const outcome = await handleActivity(
        { db, siteUrl: config.siteUrl, actors, now: new Date(), wake: () => app.deliveries?.wake() },
        activity,
      )
      return answer(reply, outcome.status, outcome.message)
    },
  })
}
