// Owns signing in for admin tests: an account, a session cookie, and a CSRF token pair.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Db } from '../../src/db/client.ts'
import { EMPTY_POST_VALUES } from '../../src/features/admin/posts/forms.ts'
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

// ---- Getting in and keeping others out: a cookie-keeping browser, route listing, database snapshots.

/** A visitor with a cookie jar, as a browser keeps one: Set-Cookie headers update it, cleared cookies leave it. */
export interface Browser {
  readonly cookies: Record<string, string>
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>
  /** GETs `url` and returns the form's _csrf value, keeping the CSRF cookie the page set. */
  csrfFrom(url: string): Promise<string>
  /**
   * POSTs a urlencoded form; the _csrf comes from `formUrl` (the login page when signed out, the
   * account page when signed in) unless `fields._csrf` is given.
   */
  post(
    url: string,
    fields: Record<string, string | string[]>,
    options?: { formUrl?: string; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>
  /** Sends anything, with the jar's cookies and this browser's address (unless the options name one). */
  send(options: InjectOptions): Promise<LightMyRequestResponse>
}

export function browser(
  app: FastifyInstance,
  options: { remoteAddress?: string; userAgent?: string; cookies?: Record<string, string> } = {},
): Browser {
  const cookies: Record<string, string> = { ...options.cookies }
  const remoteAddress = options.remoteAddress ?? '127.0.0.1'
  const userAgent = options.userAgent ?? 'node-test'
  const keep = (res: LightMyRequestResponse) => {
    for (const [name, value] of Object.entries(cookiesFrom(res.headers['set-cookie']))) {
      if (value) cookies[name] = value
      else delete cookies[name]
    }
    return res
  }
  const self: Browser = {
    cookies,
    async send(inject) {
      const headers = { 'user-agent': userAgent, accept: 'text/html', ...(inject.headers ?? {}) }
      return keep(
        await app.inject({
          ...inject,
          headers,
          cookies: { ...cookies },
          remoteAddress: inject.remoteAddress ?? remoteAddress,
        }),
      )
    },
    get(url, headers = {}) {
      return self.send({ method: 'GET', url, headers })
    },
    async csrfFrom(url) {
      const res = await self.get(url)
      const csrf = csrfIn(res.body)
      if (!csrf) throw new Error(`${url} answered ${res.statusCode} with no _csrf field`)
      return csrf
    },
    async post(url, fields, { formUrl, headers = {} } = {}) {
      // A signed-in author is sent on from the login page, so take the token from the account page.
      const from = formUrl ?? (cookies[SESSION_COOKIE] ? '/admin/account' : '/admin/login')
      const csrf = fields._csrf !== undefined ? undefined : await self.csrfFrom(from)
      return self.send({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: encodeForm(csrf === undefined ? fields : { ...fields, _csrf: csrf }),
      })
    },
  }
  return self
}

/** Signs in through the login form, as a person would; the browser keeps the session cookie. */
export async function signInWithForm(
  app: FastifyInstance,
  email: string,
  password = TEST_PASSWORD,
  options: { remoteAddress?: string; userAgent?: string; next?: string } = {},
): Promise<{ visitor: Browser; res: LightMyRequestResponse }> {
  const visitor = browser(app, options)
  const fields: Record<string, string> = { email, password }
  if (options.next !== undefined) fields.next = options.next
  const res = await visitor.post('/admin/login', fields)
  return { visitor, res }
}

export interface AppRoute {
  readonly method: string
  /** The route as declared, e.g. /admin/posts/:id */
  readonly path: string
  /** A concrete URL that reaches it: every parameter filled with 1. */
  readonly url: string
}

/**
 * Every route the app serves for `method`, read from `app.printRoutes()`. Fastify offers no list
 * of routes once they are registered, and buildApp registers them before a test could add an
 * onRoute hook, so this parses find-my-way's printed radix tree: each `├──`/`└──` line is a piece
 * of a path, indented four characters per level, so a route's path is its pieces joined from the
 * root down; a node with two variants of a route (constraints) prints the second on a line of its
 * own; a parameter named differently by two routes prints as `:id|:postId`. (The
 * `commonPrefix: false` print is easier to read but merges /static/* and /media/* into one `*`.)
 * A line this does not understand throws, and every result is checked with `app.hasRoute`, so a
 * parsing slip fails loudly instead of silently dropping a route from the security tests.
 */
export async function routesOf(app: FastifyInstance, method: string): Promise<AppRoute[]> {
  await app.ready()
  const tree = app.printRoutes({ method })
  const parents: string[] = []
  const found = new Set<string>()
  let last = ''
  for (const line of tree.split('\n')) {
    if (!line.trim() || line === '(empty tree)') continue
    const node = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, -]+)\)(?: \{.*\})?)?$/.exec(line)
    const variant = /^[│ ]*\S.*? \(([A-Z, -]+)\)(?: \{.*\})?$/.exec(line)
    if (node) {
      const depth = (node[1] ?? '').length / 4
      const segment = (node[2] ?? '').replace(/(:[A-Za-z0-9_]+)(?:\|:[A-Za-z0-9_]+)+/g, '$1')
      parents.length = depth
      last = parents.join('') + segment
      parents.push(segment)
      if (node[3]?.split(', ').includes(method)) found.add(last)
    } else if (variant) {
      if (variant[1]?.split(', ').includes(method)) found.add(last)
    } else {
      throw new Error(`routesOf cannot read this line of app.printRoutes(): ${line}`)
    }
  }
  const routes = [...found].sort().map((path) => ({
    method,
    path,
    url: path.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, '1').replace(/\*/g, 'x'),
  }))
  for (const route of routes) {
    if (!app.hasRoute({ method, url: route.path })) {
      throw new Error(`routesOf misread the route table: ${method} ${route.path} is not a route`)
    }
  }
  return routes
}

/** The /admin routes for the given methods. */
export async function adminRoutesOf(app: FastifyInstance, methods: string[]): Promise<AppRoute[]> {
  const all: AppRoute[] = []
  for (const method of methods) all.push(...(await routesOf(app, method)))
  return all.filter((r) => r.path === '/admin' || r.path.startsWith('/admin/'))
}

/** Every method that changes state; forms only POST, but a PUT or DELETE added later must be protected too. */
export const UNSAFE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']

/**
 * Everything in the database, plus the connection's count of changed rows: equal snapshots mean
 * nothing was written (total_changes also catches a write that stored the same values again).
 */
export function snapshotDb(db: Db): { changes: number; rows: string } {
  const client = db.$client
  const tables = client
    .prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[]
  const rows: Record<string, unknown[]> = {}
  for (const table of tables) rows[table] = client.prepare(`select * from "${table}"`).all()
  return {
    changes: client.prepare('select total_changes()').pluck().get() as number,
    rows: JSON.stringify(rows),
  }
}

/** A complete post editor submission, every field the form sends: a published article unless `fields` say otherwise. */
export function postForm(fields: Record<string, string> = {}): Record<string, string> {
  return {
    ...EMPTY_POST_VALUES,
    title: 'A post about caching',
    body: 'The first paragraph.\n\nThe second paragraph.',
    status: 'published',
    ...fields,
  }
}

/** The text of the form-wide error paragraph on an admin form page, or undefined. */
export const formErrorIn = (html: string): string | undefined =>
  /<p class="form-error" role="alert">([^<]*)<\/p>/.exec(html)?.[1]

/** The message shown beside a field (views/partials/field-error.eta), or undefined. */
export const fieldErrorIn = (html: string, field: string): string | undefined =>
  new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(html)?.[1]

/** The parameters of an argon2 PHC string such as $argon2id$v=19$m=19456,t=2,p=1$salt$hash (in any order). */
export function argonParams(hash: string): { type: string; m: number; t: number; p: number } {
  const m = /^\$(argon2(?:id|i|d))\$v=\d+\$([a-z]=\d+(?:,[a-z]=\d+)*)\$/.exec(hash)
  if (!m) throw new Error('not an argon2 hash')
  const params = Object.fromEntries((m[2] ?? '').split(',').map((kv) => kv.split('=')))
  return { type: m[1] ?? '', m: Number(params.m), t: Number(params.t), p: Number(params.p) }
}
