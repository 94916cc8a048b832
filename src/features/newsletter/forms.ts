// Owns the subscribe form: when it is offered, what it carries (honeypot, signed timestamp) and how its one field is read.
import * as z from 'zod'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { formFields } from '../../lib/form-errors.ts'
import { SUBSCRIBE_PATH } from '../../lib/urls.ts'
import { loadOrCreateSecret } from '../auth/secrets.ts'
import { elapsedSince, issueFormTimestamp } from '../contact/form-token.ts'
import { HONEYPOT_FIELD } from '../contact/forms.ts'
import type { Settings } from '../settings/service.ts'
import { normalizeSubscriberEmail, SUBSCRIBER_EMAIL_MAX } from './email-address.ts'

/**
 * Quicker than a person can load a page, click the field, let the browser fill in their address
 * and press the button. Lower than the contact form's: one field is quick to fill.
 */
export const SUBSCRIBE_MIN_FILL_MS = 2000

/**
 * The timestamp on pages a cache shares (home, posts) is the start of the hour they were rendered
 * in, so the page's bytes and ETag stay the same between renders. An earlier time only makes a
 * post look slower, never "too fast"; the /subscribe page itself carries the exact time.
 */
const SHARED_TIMESTAMP_STEP_MS = 60 * 60 * 1000

/**
 * The largest body the newsletter's forms take (subscribe, confirm, unsubscribe): an address, a
 * token and a timestamp fit many times over. A bigger one gets the 413 page before it is read.
 */
export const NEWSLETTER_BODY_LIMIT = 8 * 1024

/** What a template needs to draw the form. */
export interface SubscribeFormView {
  readonly action: string
  readonly honeypot: string
  /** The signed `ts` value. */
  readonly timestamp: string
  readonly emailMax: number
}

/** Made once, when the app is built (a GET must never be the first to create it). */
export const subscribeFormSecret = (db: Db): string => loadOrCreateSecret(db, 'subscribe-form')

/** The newsletter is offered where mail can be sent and the author has not switched the form off. */
export const newsletterOffered = (config: Config, settings: Settings): boolean =>
  Boolean(config.smtpUrl) && settings.newsletterEnabled

export function subscribeFormView(secret: string, issuedAt = Date.now()): SubscribeFormView {
  return {
    action: SUBSCRIBE_PATH,
    honeypot: HONEYPOT_FIELD,
    timestamp: issueFormTimestamp(secret, issuedAt),
    emailMax: SUBSCRIBER_EMAIL_MAX,
  }
}

/** For every public page (through the site plugin): the form to show, or null where none is offered. */
export function subscribeFormLoader(
  db: Db,
  config: Config,
): (settings: Settings) => SubscribeFormView | null {
  const secret = subscribeFormSecret(db)
  return (settings) => {
    if (!newsletterOffered(config, settings)) return null
    const now = Date.now()
    return subscribeFormView(secret, now - (now % SHARED_TIMESTAMP_STEP_MS))
  }
}

// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
export const subscribeSchema = z.lazy(() =>
  z.object({
    email: z
      .string()
      .default('')
      .pipe(
        z
          .string()
          .trim()
          .min(1, 'Please give your email address.')
          .max(SUBSCRIBER_EMAIL_MAX, 'That email address is too long.')
          .transform((value, ctx) => {
            const email = normalizeSubscriberEmail(value)
            if (email) return email
            ctx.addIssue({
              code: 'custom',
              message: 'That does not look like an email address. It should look like you@example.com.',
            })
            return z.NEVER
          }),
      ),
  }),
)

/** What was posted, as far as the form goes; `email` as typed (cut short), to give back when refused. */
export interface SubscribePost {
  readonly email: string
  readonly honeypotFilled: boolean
  /** The posted timestamp as sent (undefined when missing). */
  readonly timestamp: string | undefined
  /** Milliseconds since the form was served; null when the timestamp was missing or forged. */
  readonly elapsedMs: number | null
}

export function readSubscribePost(secret: string, body: unknown, now = Date.now()): SubscribePost {
  const fields = formFields(body)
  return {
    email: (fields.email ?? '').slice(0, SUBSCRIBER_EMAIL_MAX * 2),
    honeypotFilled: Boolean(fields[HONEYPOT_FIELD]?.trim()),
    timestamp: fields.ts,
    elapsedMs: elapsedSince(secret, fields.ts, now),
  }
}
