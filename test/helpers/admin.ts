// Owns signing in for admin tests: an account, a session cookie, and a CSRF token pair.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Db } from '../../src/db/client.ts'
import { createSession, SESSION_COOKIE } from '../../src/features/auth/sessions.ts'
import { createUser } from '../../src/features/auth/users.ts'

export const TEST_PASSWORD = 'correct horse battery staple'

export interface SignedIn {
  readonly userId: number
  readonly cookies: Record<string, string>
  /** GETs `url` as the author and returns the page with the form's _csrf value, keeping the CSRF cookie. */
  csrfFrom(url: string): Promise<{ body: string; csrf: string }>
  /** POSTs a urlencoded form as the author, with the _csrf from `formUrl` unless `fields._csrf` is given. */
  post(
    url: string,
    fields: Record<string, string | string[]>,
    formUrl?: string,
  ): Promise<LightMyRequestResponse>
  get(url: string): Promise<LightMyRequestResponse>
}

/** Reads `name=value` pairs out of Set-Cookie headers. */
export function cookiesFrom(setCookie: string | string[] | undefined): Record<string, string> {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []
  const jar: Record<string, string> = {}
  for (const line of list) {
    const [pair] = line.split(';')
    const eq = pair?.indexOf('=') ?? -1
    if (pair && eq > 0) jar[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return jar
}

export const csrfIn = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''

export function encodeForm(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v)
  }
  return params.toString()
}

/** Creates an author and a session the way sign-in does, without spending a test on the login form. */
export async function signIn(app: FastifyInstance, db: Db, email = 'author@example.com'): Promise<SignedIn> {
  const user = await createUser(db, { name: 'Sam Rivera', email, password: TEST_PASSWORD })
  const { token } = createSession(db, user.id, { userAgent: 'node-test', ip: '127.0.0.1' })
  const cookies: Record<string, string> = { [SESSION_COOKIE]: token }
  const signed: SignedIn = {
    userId: user.id,
    cookies,
    async csrfFrom(url) {
      const res = await app.inject({ url, cookies })
      Object.assign(cookies, cookiesFrom(res.headers['set-cookie']))
      return { body: res.body, csrf: csrfIn(res.body) }
    },
    async post(url, fields, formUrl = '/admin') {
      const csrf = fields._csrf !== undefined ? undefined : (await signed.csrfFrom(formUrl)).csrf
      const options: InjectOptions = {
        method: 'POST',
        url,
        cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: encodeForm(csrf === undefined ? fields : { ...fields, _csrf: csrf }),
      }
      return app.inject(options)
    },
    get(url) {
      return app.inject({ url, cookies, headers: { accept: 'text/html' } })
    },
  }
  return signed
}
