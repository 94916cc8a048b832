// Owns POST /webmention: the public endpoint other sites notify, answered at once in plain text; the checking happens later, in worker.ts.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { formFields } from '../../lib/form-errors.ts'
import { WEBMENTION_PATH } from '../../lib/urls.ts'
import { senderOf } from '../../lib/window-limit.ts'
import {
  checkMention,
  createSenderLimit,
  MAX_QUEUED_MENTIONS,
  MAX_URL_LENGTH,
  queuedMentionCount,
  queueMention,
} from './receive.ts'

/** Two URLs and their names: anything much larger is not a Webmention. */
const BODY_LIMIT = 4 * MAX_URL_LENGTH + 1024

/** Senders are programs; their developers read the body, so it says what to fix in one line. */
const answer = (reply: FastifyReply, status: number, text: string) =>
  reply.code(status).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${text}\n`)

/**
 * Not behind the CSRF check: the Webmention protocol is a cross-site POST by design, it carries
 * no cookie, and nothing it does is more than a request to look at a public page later.
 */
export default async function webmentionRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const senders = createSenderLimit()

  app.post(WEBMENTION_PATH, {
    bodyLimit: BODY_LIMIT,
    // Body errors get a line a developer can act on, not the site's HTML error page.
    errorHandler: async (error: FastifyError, _request, reply) => {
      if (error.statusCode === 415)
        return answer(reply, 415, 'Send source and target as application/x-www-form-urlencoded fields.')
      if (error.statusCode === 413) return answer(reply, 413, 'The request body is too large.')
      throw error
    },
    handler: async (request, reply) => {
      const sender = senderOf(request.ip)
      const limit = senders.check(sender)
      if (!limit.allowed) {
        reply.header('retry-after', String(limit.retryAfterSeconds))
        return answer(
          reply,
          429,
          `Too many Webmentions from your address; try again in ${limit.retryAfterSeconds} s.`,
        )
      }
      const fields = formFields(request.body)
      const mention = checkMention(db, config.siteUrl, { source: fields.source, target: fields.target })
      if (!mention.ok) return answer(reply, mention.status, mention.message)
      if (queuedMentionCount(db) >= MAX_QUEUED_MENTIONS) {
        reply.header('retry-after', '600')
        return answer(reply, 503, 'Too many Webmentions are waiting to be checked; try again later.')
      }
      queueMention(db, { ...mention, senderIp: request.ip })
      senders.count(sender)
      app.webmentions.wake()
      return answer(reply, 202, 'Accepted: the source will be checked shortly.')
    },
  })
}
