// Owns sending the contact form in tests as a visitor's browser does: open the form, keep its cookie, post it back.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Db } from '../../src/db/client.ts'
import { loadOrCreateSecret } from '../../src/features/auth/secrets.ts'
import { issueFormTimestamp } from '../../src/features/contact/form-token.ts'
import { cookiesFrom, csrfIn, encodeForm } from './admin.ts'

/** What a person in a hurry to hire someone types: every field valid, nothing spammy. */
export const GOOD_MESSAGE = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  subject: 'A performance audit',
  message: 'Hello! Our shop takes eight seconds to load on a phone. Could you have a look next month?',
} as const

export type ContactFields = Record<string, string>

/**
 * A signed `ts` value for a form served `msAgo` milliseconds ago. Ten seconds is how long a fast
 * person needs; tests would otherwise have to wait past the 3-second "too fast" check.
 */
export function signedTimestamp(db: Db, msAgo = 10_000): string {
  return issueFormTimestamp(loadOrCreateSecret(db, 'contact-form'), Date.now() - msAgo)
}

export const tsIn = (html: string): string => /name="ts" value="([^"]*)"/.exec(html)?.[1] ?? ''

/** The value attribute of the input named `name`, as it is written in the HTML (still escaped). */
export function inputValueIn(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0]
  return tag ? /\bvalue="([^"]*)"/.exec(tag)?.[1] : undefined
}

/** The whole start tag of the form control named `name`. */
export const controlTagIn = (html: string, name: string): string | undefined =>
  new RegExp(`<(?:input|textarea)[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0]

/** The text inside the message textarea, as it is written in the HTML (still escaped). */
export const textareaIn = (html: string): string | undefined =>
  /<textarea[^>]*\bname="message"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1]

export interface ContactVisitor {
  readonly cookies: Record<string, string>
  /** GETs /contact, keeping the CSRF cookie; returns the page and its hidden fields. */
  openForm(): Promise<{ res: LightMyRequestResponse; csrf: string; ts: string }>
  /**
   * POSTs the form with `fields` as typed. `_csrf` comes from a fresh GET /contact unless given
   * (pass '' to leave it out); `ts` is a signed timestamp from 10 s ago unless given ('' leaves it out).
   */
  send(
    fields: ContactFields,
    options?: { headers?: Record<string, string>; cookies?: Record<string, string> },
  ): Promise<LightMyRequestResponse>
  /** POSTs `payload` to /contact as `contentType`: for bodies no form would send (JSON, plain text…). */
  sendBody(contentType: string, payload: string): Promise<LightMyRequestResponse>
  /** Sends anything with this visitor's cookies and address. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
}

/** A visitor with no session: only a cookie jar, an IP address and a browser's headers. */
export function contactVisitor(
  app: FastifyInstance,
  db: Db,
  options: { remoteAddress?: string } = {},
): ContactVisitor {
  const cookies: Record<string, string> = {}
  const remoteAddress = options.remoteAddress ?? '203.0.113.7'
  const keep = (res: LightMyRequestResponse) => {
    for (const [name, value] of Object.entries(cookiesFrom(res.headers['set-cookie']))) {
      if (value) cookies[name] = value
      else delete cookies[name]
    }
    return res
  }
  const self: ContactVisitor = {
    cookies,
    async inject(inject) {
      const headers = { 'user-agent': 'Mozilla/5.0 (test)', accept: 'text/html', ...(inject.headers ?? {}) }
      return keep(
        await app.inject({ ...inject, headers, cookies: { ...cookies, ...inject.cookies }, remoteAddress }),
      )
    },
    async openForm() {
      const res = await self.inject({ method: 'GET', url: '/contact' })
      return { res, csrf: csrfIn(res.body), ts: tsIn(res.body) }
    },
    sendBody(contentType, payload) {
      return self.inject({
        method: 'POST',
        url: '/contact',
        headers: { 'content-type': contentType },
        payload,
      })
    },
    async send(fields, { headers = {}, cookies: extra } = {}) {
      const all: ContactFields = { ...fields }
      if (all._csrf === undefined) all._csrf = (await self.openForm()).csrf
      if (all.ts === undefined) all.ts = signedTimestamp(db)
      for (const key of ['_csrf', 'ts']) if (all[key] === '') delete all[key]
      return self.inject({
        method: 'POST',
        url: '/contact',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        ...(extra ? { cookies: extra } : {}),
        payload: encodeForm(all),
      })
    },
  }
  return self
}

export interface StoredMessage {
  readonly id: number
  readonly name: string
  readonly email: string
  readonly subject: string
  readonly body: string
  readonly folder: 'inbox' | 'archived' | 'spam'
  readonly spamScore: number
  readonly spamReasons: string[]
  readonly ip: string
  readonly userAgent: string
}

/** Every stored message, oldest first, with its spam reasons parsed. */
export function storedMessages(db: Db): StoredMessage[] {
  const rows = db.$client
    .prepare(
      `select id, name, email, subject, body, folder, spam_score as spamScore, spam_reasons as spamReasons,
              ip, user_agent as userAgent
       from messages order by id`,
    )
    .all() as (Omit<StoredMessage, 'spamReasons'> & { spamReasons: string })[]
  return rows.map((r) => ({ ...r, spamReasons: JSON.parse(r.spamReasons) as string[] }))
}
