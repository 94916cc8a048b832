// Owns the site the fuzz tests attack: content behind every route, a signed-in author, real route parameters, and the forms its pages offer.
import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import type { Db } from '../../src/db/client.ts'
import { createSession, findSession, SESSION_COOKIE } from '../../src/features/auth/sessions.ts'
import { seedDemoContent } from '../../src/features/seed/demo.ts'
import { type AppRoute, csrfIn, routesOf, signIn } from '../helpers/admin.ts'
import { createTestDb, testConfig } from '../helpers/app.ts'
import { contactVisitor, GOOD_MESSAGE } from '../helpers/contact.ts'
import {
  column,
  type ErrorLog,
  errorLog,
  mediaFileNames,
  samplePng,
  staticAssetNames,
} from '../helpers/every-route.ts'
import { formsIn } from './forms.ts'

/** The author as the fuzz drives them: a session cookie and a CSRF pair that stay valid whatever the fuzz does. */
export interface Author {
  readonly userId: number
  readonly cookies: Record<string, string>
  readonly csrf: string
  /** Starts a new session when a fuzzed request signed the author out (logout, ending sessions, a new password). */
  keepSignedIn(): void
}

export interface FuzzSite {
  readonly app: FastifyInstance
  readonly db: Db
  readonly log: ErrorLog
  readonly author: Author | undefined
  /** A small real PNG, for uploads. */
  readonly png: Buffer
}

/**
 * A site with content behind every route: demo posts (articles, link posts, a series, tags,
 * drafts, pages), an uploaded image, a renamed post with revisions, and messages in the inbox.
 * Without `account`, no author exists yet (so the first-run setup page is live).
 */
export async function fuzzSite(t: TestContext, options: { account?: boolean } = {}): Promise<FuzzSite> {
  const { db, dir } = createTestDb(t)
  const config = testConfig(dir)
  const log = errorLog()
  const app = await buildApp({ config, db, fastify: { logger: { level: 'error', stream: log.stream } } })
  t.after(() => app.close())
  await app.ready()
  seedDemoContent(db, { posts: 24 })
  const png = await samplePng(64, 48)

  const visitor = contactVisitor(app, db)
  await visitor.send(GOOD_MESSAGE)
  await visitor.send({
    ...GOOD_MESSAGE,
    subject: 'Cheap pills',
    message: 'http://x.example http://y.example <b>buy</b>',
  })

  if (options.account === false) return { app, db, log, author: undefined, png }

  const signed = await signIn(app, db)
  const { csrf } = await signed.csrfFrom('/admin')
  const cookies = signed.cookies
  const author: Author = {
    userId: signed.userId,
    cookies,
    csrf,
    keepSignedIn() {
      if (findSession(db, cookies[SESSION_COOKIE] ?? '')) return
      cookies[SESSION_COOKIE] = createSession(db, signed.userId, { userAgent: 'fuzz', ip: '127.0.0.1' }).token
    },
  }
  await seedThroughForms(app, author, png)
  return { app, db, log, author, png }
}

/** An upload and an edited, renamed post, made through the admin's own forms so no service import can go stale. */
async function seedThroughForms(app: FastifyInstance, author: Author, png: Buffer): Promise<void> {
  const library = await app.inject({ url: '/admin/media', cookies: author.cookies })
  const uploadForm = formsIn(library.body).find((f) => f.action === '/admin/media' && f.files.length > 0)
  if (!uploadForm) throw new Error('seeding: no upload form on /admin/media')
  const boundary = '----folio-seed'
  const part = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const upload = Buffer.concat([
    Buffer.from(
      uploadForm.fields
        .map((f) =>
          part(f.name, f.name === '_csrf' ? author.csrf : f.name === 'alt' ? 'A harbour at dusk' : ''),
        )
        .join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="${uploadForm.files[0]}"; filename="harbour.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  const uploaded = await app.inject({
    method: 'POST',
    url: '/admin/media',
    cookies: author.cookies,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: upload,
  })
  if (uploaded.statusCode !== 303) throw new Error(`seeding: the upload answered ${uploaded.statusCode}`)

  const id = (await app.inject({ url: '/admin/posts', cookies: author.cookies })).body.match(
    /href="\/admin\/posts\/(\d+)"/,
  )?.[1]
  const editor = await app.inject({ url: `/admin/posts/${id}`, cookies: author.cookies })
  const form = formsIn(editor.body).find((f) => f.action === `/admin/posts/${id}`)
  if (!form) throw new Error('seeding: no post editor form')
  const fields = new URLSearchParams()
  for (const field of form.fields) fields.append(field.name, field.values[0] ?? '')
  fields.set('_csrf', csrfIn(editor.body))
  fields.set('title', 'Harbour notes, revised')
  fields.set('slug', 'harbour-notes-revised')
  fields.set('body', 'A photo from the trip.\n\n![A harbour at dusk](/media/harbour.png)')
  const saved = await app.inject({
    method: 'POST',
    url: `/admin/posts/${id}`,
    cookies: author.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: fields.toString(),
  })
  if (saved.statusCode !== 303) throw new Error(`seeding: saving a post answered ${saved.statusCode}`)
}

/**
 * Real values for a route parameter, keyed by the path segment before it and its name, read at
 * the moment of asking (the fuzz deletes things). Parameters nobody listed get a placeholder.
 */
export function realValues(db: Db, previous: string, name: string): string[] {
  const key = `${previous}/${name}`
  switch (key) {
    case 'posts/:slug':
      return [
        ...column(db, 'select slug from posts where id in (select min(id) from posts group by kind, status)'),
        ...column(db, 'select old_slug from post_redirects limit 2'),
      ]
    case 'tags/:slug':
      return column(db, 'select slug from tags limit 3')
    case 'series/:slug':
      return column(db, 'select slug from series limit 2')
    case '/:slug':
      return column(db, 'select slug from pages')
    case 'posts/:id':
      return column(db, 'select min(id) from posts group by kind, status')
    case 'pages/:id':
      return column(db, 'select id from pages limit 3')
    case 'media/:id':
      return column(db, 'select id from media')
    case 'inbox/:id':
      return column(db, 'select id from messages')
    case 'sessions/:id':
      return column(db, 'select id from sessions')
    case 'revisions/:rev':
      return column(db, 'select id from post_revisions limit 3')
    case 'media/*':
      return mediaFileNames(db)
    case 'static/*':
      return staticAssetNames()
    default:
      return [name.startsWith(':') ? '1' : 'x']
  }
}

/** Every route for these methods, read from the app itself, so a route added later is fuzzed too. */
export async function routesFor(app: FastifyInstance, methods: readonly string[]): Promise<AppRoute[]> {
  const all: AppRoute[] = []
  for (const method of methods) all.push(...(await routesOf(app, method)))
  return all
}

/** A concrete URL for each declared path, every parameter filled with its first real value. */
export function concreteUrls(db: Db, routes: readonly AppRoute[]): string[] {
  return routes.map((route) => {
    const segments = route.path.split('/')
    return segments
      .map((segment, i) => {
        const param = /^:([A-Za-z0-9_]+)/.exec(segment)
        if (!param && segment !== '*') return segment
        return encodeURIComponent(
          realValues(db, segments[i - 1] ?? '', param ? `:${param[1]}` : '*')[0] ?? '1',
        )
      })
      .join('/')
  })
}
