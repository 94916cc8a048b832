// Owns what the public newsletter tests share: an app that can mail, a visitor who subscribes, and reading what arrived.
import type { TestContext } from 'node:test'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../../src/app.ts'
import type { Db } from '../../../src/db/client.ts'
import { issueFormTimestamp } from '../../../src/features/contact/form-token.ts'
import { subscribeFormSecret } from '../../../src/features/newsletter/forms.ts'
import { encodeForm } from '../../helpers/admin.ts'
import { createTestDb, type TestApp, testConfig } from '../../helpers/app.ts'
import { headerOf, textOf } from '../../helpers/smtp.ts'

/** An SMTP URL nothing listens on: the newsletter is offered, and mail simply waits in the outbox. */
export const UNREACHABLE_SMTP = 'smtp://127.0.0.1:1'

/**
 * An app on its own database, closed before its database is (the hook is registered first): its
 * onClose work (a last stats flush, say) still has a database to write to.
 */
export async function folioApp(t: TestContext, env: Record<string, string> = {}): Promise<TestApp> {
  let app: FastifyInstance | undefined
  t.after(() => app?.close())
  const { db, dir } = createTestDb(t)
  const config = testConfig(dir, env)
  app = await buildApp({ config, db })
  return { app, db, config }
}

/** An app whose newsletter is offered (SMTP_URL set). */
export const newsletterApp = (t: TestContext, smtpUrl = UNREACHABLE_SMTP) =>
  folioApp(t, { SMTP_URL: smtpUrl })

/** A signed `ts` for a form served `msAgo` ms ago: ten seconds is a person, not a bot. */
export const subscribeTimestamp = (db: Db, msAgo = 10_000): string =>
  issueFormTimestamp(subscribeFormSecret(db), Date.now() - msAgo)

export interface SubscribeVisitor {
  /** POSTs the subscribe form; `ts` is a signed 10-second-old timestamp unless given ('' leaves it out). */
  subscribe(fields: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
}

/** A reader's browser: an address, a user agent, and a form sent from the site's own page. */
export function subscribeVisitor(
  app: FastifyInstance,
  db: Db,
  { remoteAddress = '203.0.113.50' }: { remoteAddress?: string } = {},
): SubscribeVisitor {
  const self: SubscribeVisitor = {
    inject(options) {
      const headers = { 'user-agent': 'Mozilla/5.0 (test)', accept: 'text/html', ...(options.headers ?? {}) }
      return app.inject({ ...options, headers, remoteAddress })
    },
    subscribe(fields, headers = {}) {
      const all = { ...fields }
      if (all.ts === undefined) all.ts = subscribeTimestamp(db)
      if (all.ts === '') delete all.ts
      return self.inject({
        method: 'POST',
        url: '/subscribe',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://blog.example.com',
          'sec-fetch-site': 'same-origin',
          ...headers,
        },
        payload: encodeForm(all),
      })
    },
  }
  return self
}

export interface SubscriberRow {
  readonly id: number
  readonly email: string
  readonly status: string
  readonly source: string
  readonly confirmedAt: number | null
  readonly unsubscribedAt: number | null
}

export const subscriberRows = (db: Db): SubscriberRow[] =>
  db.$client
    .prepare(
      `select id, email, status, source, confirmed_at as confirmedAt, unsubscribed_at as unsubscribedAt
       from subscribers order by id`,
    )
    .all() as SubscriberRow[]

export interface QueuedMail {
  readonly to: string
  readonly kind: string
  readonly subject: string
  readonly text: string
  readonly html: string | null
}

export const queuedMail = (db: Db): QueuedMail[] =>
  db.$client.prepare('select "to", kind, subject, text, html from outbox order by id').all() as QueuedMail[]

/** The parts of a multipart message (or the message itself), each with its content type and decoded text. */
export function mailParts(raw: string): { type: string; text: string }[] {
  const boundary = /boundary="?([^";\s]+)"?/i.exec(headerOf(raw, 'content-type') ?? '')?.[1]
  const pieces = boundary
    ? raw
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((part) => part.replace(/^\r?\n/, ''))
    : [raw]
  return pieces.map((part) => ({
    type: (headerOf(part, 'content-type') ?? '').split(';')[0]?.trim() ?? '',
    text: textOf(part),
  }))
}

/** The first link to `path` (absolute, on the test site) in some text, or undefined. */
export const linkIn = (text: string, path: string): string | undefined =>
  new RegExp(`https://blog\\.example\\.com${path}\\?token=[A-Za-z0-9._%-]+`).exec(text)?.[0]

/** The request target of an absolute URL: what a browser asks the server for. */
export const targetOf = (url: string): string => {
  const parsed = new URL(url)
  return `${parsed.pathname}${parsed.search}`
}
