// Owns the pages the newsletter's email links open: confirm a subscription, and unsubscribe (one-click POSTs included).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import type { Subscriber } from '../../db/schema.ts'
import { formFields } from '../../lib/form-errors.ts'
import { CONFIRM_SUBSCRIPTION_PATH, SUBSCRIBE_PATH, UNSUBSCRIBE_PATH } from '../../lib/urls.ts'
import { getSettings } from '../settings/service.ts'
import { NEWSLETTER_BODY_LIMIT, newsletterOffered } from './forms.ts'
import { confirmSubscriber, findSubscriber, unsubscribeSubscriber } from './subscribers.ts'
import { CONFIRM_TTL_LABEL, newsletterSecret, readConfirmToken, readUnsubscribeToken } from './tokens.ts'

type TokenQuery = { Querystring: { token?: string } }

/**
 * A GET here only reads: mail scanners open every link in an email, so each link opens a page
 * with a button, and the POST does the work.
 */
export default async function linkRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const secret = newsletterSecret(db)

  /** A page about a link from an email: never cached, since it depends on the token and on the subscriber. */
  function linkPage(
    reply: FastifyReply,
    template: string,
    path: string,
    data: Record<string, unknown> & { title: string },
    status = 200,
  ) {
    reply.header('cache-control', 'no-store')
    // "Subscribe again" only where there is a form to go to.
    const subscribeUrl = newsletterOffered(config, getSettings(db)) ? SUBSCRIBE_PATH : null
    return reply.page(
      template,
      { meta: { title: data.title, path, noindex: true }, subscribeUrl, ...data },
      status,
    )
  }

  const problem = (reply: FastifyReply, path: string, status: number, title: string, message: string) =>
    linkPage(reply, 'newsletter/link-problem', path, { title, message }, status)

  const tokenFromBody = (request: FastifyRequest): string | undefined => formFields(request.body).token

  /** The pending or confirmed subscriber a confirmation link names, or the page saying why it does not work. */
  function readConfirmation(
    reply: FastifyReply,
    token: unknown,
  ): { subscriber: Subscriber } | { page: Promise<FastifyReply> } {
    const reading = readConfirmToken(secret, token)
    if (!reading.ok && reading.reason === 'invalid')
      return {
        page: problem(
          reply,
          CONFIRM_SUBSCRIPTION_PATH,
          400,
          'This link does not work',
          'This confirmation link is incomplete or was changed, so it cannot be used. Copy the whole link from the email, or subscribe again to get a new one.',
        ),
      }
    const subscriber = reading.ok ? findSubscriber(db, reading.subscriberId) : undefined
    if (!subscriber)
      return {
        page: problem(
          reply,
          CONFIRM_SUBSCRIPTION_PATH,
          410,
          'This link has expired',
          `Confirmation links work for ${CONFIRM_TTL_LABEL} and this one is older, so nobody was subscribed. Subscribe again to get a new link.`,
        ),
      }
    if (subscriber.status === 'unsubscribed')
      return {
        page: problem(
          reply,
          CONFIRM_SUBSCRIPTION_PATH,
          410,
          'This link no longer works',
          'You unsubscribed after this link was sent, so it cannot sign you up again. Subscribe again to get a new link.',
        ),
      }
    return { subscriber }
  }

  app.get<TokenQuery>(CONFIRM_SUBSCRIPTION_PATH, async (request, reply) => {
    const { token } = request.query
    const read = readConfirmation(reply, token)
    if ('page' in read) return read.page
    if (read.subscriber.status === 'confirmed')
      return linkPage(reply, 'newsletter/confirm', CONFIRM_SUBSCRIPTION_PATH, {
        title: 'You’re subscribed',
        state: 'confirmed',
      })
    return linkPage(reply, 'newsletter/confirm', CONFIRM_SUBSCRIPTION_PATH, {
      title: 'Confirm your subscription',
      state: 'ask',
      token,
      email: read.subscriber.email,
    })
  })

  app.post(CONFIRM_SUBSCRIPTION_PATH, {
    bodyLimit: NEWSLETTER_BODY_LIMIT,
    // The token is the authority; the origin check keeps other sites' forms out all the same.
    preHandler: app.checkSameOrigin,
    handler: async (request, reply) => {
      const read = readConfirmation(reply, tokenFromBody(request))
      if ('page' in read) return read.page
      const outcome = confirmSubscriber(db, read.subscriber.id)
      request.log.info({ subscriberId: read.subscriber.id, outcome }, 'subscription confirmed')
      return linkPage(reply, 'newsletter/confirm', CONFIRM_SUBSCRIPTION_PATH, {
        title: 'You’re subscribed',
        state: 'confirmed',
      })
    },
  })

  /** The subscriber id an unsubscribe link names, or the 400 page for a broken or forged one. */
  function readUnsubscribe(
    reply: FastifyReply,
    token: unknown,
  ): { id: number } | { page: Promise<FastifyReply> } {
    const id = readUnsubscribeToken(secret, token)
    if (id !== null) return { id }
    return {
      page: problem(
        reply,
        UNSUBSCRIBE_PATH,
        400,
        'This link does not work',
        'This unsubscribe link is incomplete or was changed, so it cannot be used. Copy the whole link from the email: the one at the bottom of every newsletter works for as long as you keep it.',
      ),
    }
  }

  app.get<TokenQuery>(UNSUBSCRIBE_PATH, async (request, reply) => {
    const { token } = request.query
    const read = readUnsubscribe(reply, token)
    if ('page' in read) return read.page
    const subscriber = findSubscriber(db, read.id)
    if (!subscriber || subscriber.status === 'unsubscribed')
      return linkPage(reply, 'newsletter/unsubscribe', UNSUBSCRIBE_PATH, {
        title: 'You’re unsubscribed',
        state: 'already',
      })
    return linkPage(reply, 'newsletter/unsubscribe', UNSUBSCRIBE_PATH, {
      title: 'Unsubscribe',
      state: 'ask',
      token,
      email: subscriber.email,
    })
  })

  // RFC 8058 one-click: a mail client POSTs `List-Unsubscribe=One-Click` to the URL in the header,
  // from no page and with no cookie, as a form, as multipart, as text/plain or with no type at all.
  // The signed token in the URL is the authority, so this route alone has no same-origin check.
  await app.register(async function oneClick(scope) {
    // Forms (the page's button sends `token`) and JSON are parsed as everywhere; any other body
    // says only "One-Click": read up to the route's limit and dropped, never parsed.
    const discard = (_request: FastifyRequest, _body: Buffer, done: (err: null, body: object) => void) =>
      done(null, {})
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, discard)
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, discard)
    scope.post<TokenQuery>(UNSUBSCRIBE_PATH, { bodyLimit: NEWSLETTER_BODY_LIMIT }, async (request, reply) => {
      const read = readUnsubscribe(reply, request.query.token ?? tokenFromBody(request))
      if ('page' in read) return read.page
      const outcome = unsubscribeSubscriber(db, read.id)
      request.log.info({ subscriberId: read.id, outcome }, 'unsubscribed')
      return linkPage(reply, 'newsletter/unsubscribe', UNSUBSCRIBE_PATH, {
        title: 'You’re unsubscribed',
        state: 'done',
      })
    })
  })
}
