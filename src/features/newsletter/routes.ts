// Owns /subscribe and its thanks page: the form whose POST signs a reader up (the pages email links open are in link-routes.ts).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { recordStorageFailure, STORAGE_PROBLEM_TEXT } from '../../db/storage-health.ts'
import { fieldErrors, formFields } from '../../lib/form-errors.ts'
import { SUBSCRIBE_PATH, SUBSCRIBE_THANKS_PATH } from '../../lib/urls.ts'
import { createWindowLimit, senderOf } from '../../lib/window-limit.ts'
import { getSettings } from '../settings/service.ts'
import {
  NEWSLETTER_BODY_LIMIT,
  newsletterOffered,
  readSubscribePost,
  SUBSCRIBE_MIN_FILL_MS,
  type SubscribePost,
  subscribeFormSecret,
  subscribeFormView,
  subscribeSchema,
} from './forms.ts'
import linkRoutes from './link-routes.ts'
import { type SubscribeOutcome, subscribe } from './subscribers.ts'
import { CONFIRM_TTL_LABEL, newsletterSecret } from './tokens.ts'

const HOUR_MS = 60 * 60 * 1000
/** Subscribe attempts one address (an IPv6 /64) may make an hour: a family or an office, not a script. */
export const SUBSCRIBES_PER_IP_PER_HOUR = 10
/**
 * Confirmation emails the whole site queues an hour: however many addresses a botnet types in,
 * the outbox, the subscribers table and the SMTP account's reputation grow by at most this much.
 */
export const CONFIRMATIONS_PER_HOUR = 1000

interface FormState {
  readonly email?: string
  readonly errors?: Record<string, string>
  readonly notice?: string
  /** The posted timestamp when genuine: a form given back keeps it, so pressing again at once is not "too fast". */
  readonly timestamp?: string | undefined
}

export default async function newsletterRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  // Both made here, at start-up: a GET must never be the first to create a secret.
  const formSecret = subscribeFormSecret(db)
  const linkSecret = newsletterSecret(db)
  const perSender = createWindowLimit(SUBSCRIBES_PER_IP_PER_HOUR, HOUR_MS)
  const confirmations = createWindowLimit(CONFIRMATIONS_PER_HOUR, HOUR_MS, 1)

  const offered = () => newsletterOffered(config, getSettings(db))

  /** Without SMTP (or with the form switched off) there is no newsletter to join: a 404 that says so. */
  const notOffered = (request: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'no-store').page(
      'errors/error',
      {
        meta: { title: 'No newsletter here', path: request.url.split('?')[0] ?? '/', noindex: true },
        heading: 'No newsletter here',
        message:
          'This site does not send its posts by email at the moment. You can follow it with a feed reader instead.',
      },
      404,
    )

  function renderForm(reply: FastifyReply, state: FormState = {}, status = 200) {
    // The page carries a fresh timestamp and, when refused, what the visitor typed.
    reply.header('cache-control', 'no-store')
    const form = subscribeFormView(formSecret)
    return reply.page(
      'newsletter/subscribe',
      {
        meta: {
          title: 'Subscribe',
          description: `Get new posts from ${reply.siteLocals().site.title} by email.`,
          path: SUBSCRIBE_PATH,
          noindex: status !== 200,
        },
        form: state.timestamp ? { ...form, timestamp: state.timestamp } : form,
        email: state.email ?? '',
        errors: state.errors ?? {},
        notice: state.notice,
      },
      status,
    )
  }

  app.get(SUBSCRIBE_PATH, async (request, reply) =>
    offered() ? renderForm(reply) : notOffered(request, reply),
  )

  /** What keeps a post from subscribing anyone: the status, what to tell the visitor, and when to come back. */
  interface Refusal {
    readonly status: number
    readonly notice?: string
    readonly errors?: Record<string, string>
    readonly retryAfter?: number | undefined
  }

  /** The form given back with the address typed, and why nobody was subscribed. */
  function refuseForm(reply: FastifyReply, posted: SubscribePost, refusal: Refusal) {
    if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter))
    const { notice, errors } = refusal
    const timestamp = posted.elapsedMs === null ? undefined : posted.timestamp
    return renderForm(reply, { email: posted.email, notice, errors, timestamp }, refusal.status)
  }

  /**
   * Whether a post may subscribe anyone: the address to sign up, a refusal, or 'pretend' for a
   * bot (the honeypot, or faster than a person), which sees exactly what a person sees.
   */
  function screen(request: FastifyRequest, posted: SubscribePost): { email: string } | Refusal | 'pretend' {
    const sender = senderOf(request.ip)
    const limit = perSender.check(sender)
    if (!limit.allowed)
      return {
        status: 429,
        retryAfter: limit.retryAfterSeconds,
        notice: `This form has been sent ${SUBSCRIBES_PER_IP_PER_HOUR} times from your network in the last hour, which is all it accepts. Your address is still here: please try again later.`,
      }
    perSender.count(sender)
    if (posted.honeypotFilled) return 'pretend'
    const parsed = subscribeSchema.safeParse(formFields(request.body))
    if (!parsed.success) return { status: 422, errors: fieldErrors(parsed.error) }
    if (posted.elapsedMs === null)
      return {
        status: 400,
        notice:
          'This form arrived without the check it carries (something between your browser and this site may have changed it), so nobody was subscribed yet. Your address is still here: please press Subscribe again.',
      }
    if (posted.elapsedMs < SUBSCRIBE_MIN_FILL_MS) return 'pretend'
    return { email: parsed.data.email }
  }

  /** Signs the address up and queues its confirmation, within the site's hourly budget. */
  function signUp(request: FastifyRequest, reply: FastifyReply, email: string): SubscribeOutcome | Refusal {
    const budget = confirmations.check('all')
    if (!budget.allowed)
      return {
        status: 503,
        retryAfter: budget.retryAfterSeconds,
        notice:
          'So many people are subscribing right now that confirmation emails are paused for a while. Your address is still here: please try again later.',
      }
    const site = reply.siteLocals().site
    try {
      return subscribe(db, email, { title: site.title, siteUrl: config.siteUrl, secret: linkSecret })
    } catch (err) {
      // A full or read-only disk: say so, and give the address back rather than a 500 page.
      const storage = recordStorageFailure(db, err)
      if (!storage) throw err
      request.log.error({ err }, 'subscriber could not be stored')
      return {
        status: 503,
        retryAfter: storage === 'damaged' ? undefined : 60,
        notice: `Sorry: ${STORAGE_PROBLEM_TEXT[storage]}, so nobody was subscribed. Your address is still here: please try again later.`,
      }
    }
  }

  app.post(SUBSCRIBE_PATH, {
    bodyLimit: NEWSLETTER_BODY_LIMIT,
    // Home and post pages are shared by caches and carry no per-visitor token: where the browser
    // says the form came from, the honeypot, the signed timestamp and the limits guard this one.
    preHandler: app.checkSameOrigin,
    errorHandler: async (error: FastifyError, request, reply) => {
      if (error.code !== 'FOLIO_CROSS_SITE') throw error
      if (!offered()) return notOffered(request, reply)
      request.log.info('subscribe form sent from another site')
      return refuseForm(reply, readSubscribePost(formSecret, request.body), {
        status: 403,
        notice:
          'This form was sent from another site, so nobody was subscribed. If you want new posts by email, check your address and press Subscribe.',
      })
    },
    handler: async (request, reply) => {
      if (!offered()) return notOffered(request, reply)
      const posted = readSubscribePost(formSecret, request.body)
      const screened = screen(request, posted)
      if (screened === 'pretend') return reply.redirect(SUBSCRIBE_THANKS_PATH, 303)
      if (!('email' in screened)) return refuseForm(reply, posted, screened)
      const outcome = signUp(request, reply, screened.email)
      if (typeof outcome !== 'string') return refuseForm(reply, posted, outcome)
      // Logged without the address: the outcome is what an operator needs.
      request.log.info({ outcome }, 'subscribe form')
      if (outcome === 'queued') {
        confirmations.count('all')
        app.outbox?.wake()
      }
      return reply.redirect(SUBSCRIBE_THANKS_PATH, 303)
    },
  })

  app.get(SUBSCRIBE_THANKS_PATH, async (request, reply) => {
    if (!offered()) return notOffered(request, reply)
    return reply.page('newsletter/thanks', {
      meta: { title: 'Check your inbox', path: SUBSCRIBE_THANKS_PATH, noindex: true },
      linkLifetime: CONFIRM_TTL_LABEL,
    })
  })

  // The links in emails: confirm and unsubscribe.
  await app.register(linkRoutes, { db, config })
}
