// Proves the LiteFS consistency contract: every GET and HEAD route, crawled with real values, writes nothing and works on a read-only replica.
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { type TestContext, test } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { closeDatabase, type Db, openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { subscribers } from '../../src/db/schema.ts'
import { receiveMessage } from '../../src/features/contact/service.ts'
import { savePostWithRevision } from '../../src/features/content/revisions.ts'
import { saveUpload } from '../../src/features/media/service.ts'
import { addSubscriber } from '../../src/features/newsletter/manage.ts'
import { confirmToken, newsletterSecret, unsubscribeToken } from '../../src/features/newsletter/tokens.ts'
import { seedDemoContent } from '../../src/features/seed/demo.ts'
import { type Browser, browser, routesOf, signIn, snapshotDb } from '../helpers/admin.ts'
import { createTestDb, testConfig } from '../helpers/app.ts'
import { column, errorLog, mediaFileNames, samplePng, staticAssetNames } from '../helpers/every-route.ts'
import { createPost, createResponse, DAY } from '../helpers/fixtures.ts'
import { addFollower } from '../helpers/followers.ts'

const SITE_URL = 'https://blog.example.com'
/** SMTP is configured (so the newsletter's pages exist) but nothing listens: no mail is due during the crawl. */
const SMTP_URL = 'smtp://127.0.0.1:9'
/** How many URLs link-following may add per visitor, beyond the enumerated routes. */
const LINK_BUDGET = 200
const MISSING_ID = '999999'

interface Site {
  readonly db: Db
  readonly path: string
  readonly dir: string
  readonly mediaDir: string
  readonly sessionCookies: Record<string, string>
}

async function appOn(t: TestContext, db: Db, dir: string, log: Writable): Promise<FastifyInstance> {
  const config = testConfig(dir, { SITE_URL, SMTP_URL })
  // Counting goes on (in memory) but the timed flush never falls inside the crawl.
  const app = await buildApp({
    config,
    db,
    fastify: { logger: { level: 'error', stream: log } },
    stats: { flushIntervalMs: 60 * 60 * 1000 },
  })
  t.after(() => app.close())
  return app
}

/** A site with something behind every route: demo posts, pages, revisions, a redirect, an image, messages, a session. */
async function seededSite(t: TestContext): Promise<Site> {
  const { db, dir, path } = createTestDb(t)
  const config = testConfig(dir, { SITE_URL, SMTP_URL })
  // Building the app once on the writable file creates the secrets a replica must find already there.
  const primary = await buildApp({ config, db, fastify: { logger: false } })
  t.after(() => primary.close())
  await primary.ready()

  seedDemoContent(db, { posts: 40 })
  const png = await samplePng(1200, 800)
  const image = await saveUpload(db, config.mediaDir, {
    buffer: png,
    originalName: 'harbour at dusk.png',
    alt: 'A harbour at dusk',
  })

  // A post edited twice (two revisions) and renamed once (an old slug that redirects), showing the image.
  const now = Date.now()
  const body = `A photo from the trip.\n\n![A harbour at dusk](/media/${image.fileName})\n\n\`\`\`ts\nconst x = 1\n\`\`\``
  const edited = savePostWithRevision(
    db,
    { title: 'Harbour notes', kind: 'article', bodyMd: body, tags: ['Travel'], status: 'published' },
    { now: new Date(now - 2 * DAY) },
  )
  savePostWithRevision(
    db,
    {
      title: 'Harbour notes, revised',
      slug: 'harbour-notes-revised',
      kind: 'article',
      bodyMd: `${body}\n\nAn afterthought.`,
      tags: ['Travel', 'Photos'],
      status: 'published',
      publishedAt: new Date(now - 2 * DAY),
    },
    { id: edited, now: new Date(now - DAY) },
  )
  // Published with a date still to come: scheduled, so public pages must hide it.
  createPost(db, { title: 'Coming next week', daysAgo: -7 })
  createPost(db, { title: 'Half-written thoughts', status: 'draft' })

  const spam = { score: 0, reasons: [], isSpam: false }
  receiveMessage(
    db,
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      subject: 'A performance audit',
      body: 'Our shop takes eight seconds to load. <b>Can you help?</b>',
    },
    { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)', spam },
  )
  receiveMessage(
    db,
    {
      name: 'Buy now',
      email: 'spam@example.net',
      subject: 'Cheap pills',
      body: 'http://x.example http://y.example',
    },
    { ip: '198.51.100.9', userAgent: 'curl/8', spam: { score: 9, reasons: ['links'], isSpam: true } },
  )

  // The social web: followers (one waiting for approval) and a threaded conversation under a post.
  addFollower(db, 'https://social.example')
  addFollower(db, 'https://social.example', { status: 'pending' })
  const question = createResponse(db, edited, {
    source: 'activitypub',
    sourceUrl: 'https://social.example/users/reader/statuses/1',
    actorId: 'https://social.example/users/reader',
    status: 'approved',
  })
  createResponse(db, edited, {
    source: 'activitypub',
    sourceUrl: 'https://social.example/users/other/statuses/2',
    actorId: 'https://social.example/users/other',
    inReplyTo: question.sourceUrl,
    status: 'approved',
  })
  // Newsletter subscribers: one confirmed, one waiting for its confirmation link.
  addSubscriber(db, 'reader@example.com')
  // (Inserted directly: a queued confirmation would make the crawl app's mail worker write its failed attempt.)
  db.insert(subscribers).values({ email: 'pending@example.com', createdAt: new Date() }).run()
  const signed = await signIn(primary, db)
  return { db, path, dir, mediaDir: config.mediaDir, sessionCookies: { ...signed.cookies } }
}

/**
 * Real values for each route parameter, keyed by the path segment before it and the parameter's
 * name (`posts/:id` is the admin editor, `posts/:slug` the public post). Each list also holds a
 * value that matches nothing, so the not-found paths are crawled too.
 */
function parameterValues(db: Db): {
  values: Record<string, (chosen: Record<string, string>) => string[]>
  staticNames: string[]
} {
  // A sample of posts: every kind and status, the renamed one, and the one showing the image.
  const samplePosts = db.$client
    .prepare(
      `select id, slug from posts where id in (
         select min(id) from posts group by kind, status
         union select max(id) from posts where series_id is not null
         union select post_id from post_revisions)`,
    )
    .all() as { id: number; slug: string }[]
  const staticNames = staticAssetNames()
  return {
    staticNames,
    values: {
      'posts/:slug': () => [
        ...samplePosts.map((p) => p.slug),
        ...column(db, 'select old_slug from post_redirects'),
        'no-such-post',
      ],
      'tags/:slug': () => [...column(db, 'select slug from tags'), 'no-such-tag'],
      'series/:slug': () => [...column(db, 'select slug from series'), 'no-such-series'],
      '/:slug': () => [...column(db, 'select slug from pages'), 'no-such-page'],
      'posts/:id': () => [...samplePosts.map((p) => String(p.id)), MISSING_ID, 'abc'],
      'pages/:id': () => [...column(db, 'select id from pages'), MISSING_ID],
      'media/:id': () => [...column(db, 'select id from media'), MISSING_ID],
      'inbox/:id': () => [...column(db, 'select id from messages'), MISSING_ID, 'abc'],
      'revisions/:rev': (chosen) => [
        ...column(db, `select id from post_revisions where post_id = ${Number(chosen.id) || 0}`),
        MISSING_ID,
      ],
      'media/*': () => [...mediaFileNames(db), 'missing.png'],
      'subscribers/:id': () => [...column(db, 'select id from subscribers'), MISSING_ID],
      'read/:id': () => [...column(db, "select id from posts where status = 'published'"), MISSING_ID, 'abc'],
      'static/*': () => staticNames,
    },
  }
}

/** Every concrete URL for a declared route path, one per combination of real parameter values. */
function expand(path: string, values: ReturnType<typeof parameterValues>['values']): string[] {
  const segments = path.split('/')
  const results: string[] = []
  const walk = (i: number, built: string[], chosen: Record<string, string>) => {
    if (i === segments.length) {
      results.push(built.join('/') || '/')
      return
    }
    const segment = segments[i] ?? ''
    const param = /^:([A-Za-z0-9_]+)(\(.*\))?$/.exec(segment)
    if (!param && segment !== '*') return walk(i + 1, [...built, segment], chosen)
    const name = param ? (param[1] ?? '') : '*'
    const key = `${segments[i - 1] ?? ''}/${param ? `:${name}` : '*'}`
    // A parameter this crawl has no list for still gets requested, with a placeholder.
    const options = values[key]?.(chosen) ?? (param ? ['1', MISSING_ID] : ['x'])
    for (const option of options) {
      walk(i + 1, [...built, option.split('/').map(encodeURIComponent).join('/')], {
        ...chosen,
        [name]: option,
      })
    }
  }
  walk(0, [], {})
  return results
}

/** Query strings the routes read, which link-following alone might not reach. */
const QUERY_VARIANTS = [
  '/posts?page=2',
  '/posts?page=999',
  '/posts?page=abc',
  '/search?q=sqlite',
  '/search?q=%3Cscript%3E',
  `/search?q=${'a'.repeat(300)}`,
  '/admin/login?next=%2Fadmin%2Fposts',
  '/admin/setup?token=not-a-token',
  '/admin/posts?page=2',
  '/admin/media?page=2',
  '/admin/inbox?folder=spam',
  '/admin/inbox?folder=archived&q=audit',
  '/admin/inbox?q=%25_',
  '/admin/inbox?page=99',
  '/admin/inbox/export.csv?folder=spam',
  '/admin/inbox/export.json?folder=inbox',
  '/feed.xml?utm_source=test',
  '/admin/followers?status=pending&page=2',
  '/admin/responses?status=approved',
  `/.well-known/webfinger?resource=acct:blog@${new URL(SITE_URL).host}`,
  '/.well-known/webfinger?resource=acct:nobody@elsewhere.example',
  `/.well-known/webfinger?resource=${encodeURIComponent(`${SITE_URL}/ap/actor`)}`,
]

/** The links a subscriber's emails carry, with real tokens, and forged and stale ones. */
function newsletterLinks(db: Db): string[] {
  const secret = newsletterSecret(db)
  const ids = column(db, 'select id from subscribers').map(Number)
  const links = ids.flatMap((id) => [
    `/subscribe/confirm?token=${encodeURIComponent(confirmToken(secret, id, Date.now()))}`,
    `/unsubscribe?token=${encodeURIComponent(unsubscribeToken(secret, id))}`,
  ])
  const stale = confirmToken(secret, ids[0] ?? 1, Date.now() - 30 * DAY)
  return [
    ...links,
    `/subscribe/confirm?token=${encodeURIComponent(stale)}`,
    '/subscribe/confirm?token=1.2.forged',
    '/unsubscribe?token=1.forged',
    '/unsubscribe',
    '/admin/stats?range=7',
    '/admin/stats?range=365',
    '/admin/stats?range=abc',
    '/admin/stats.csv?range=365',
    '/admin/subscribers?status=pending&q=example',
    '/hit/view?p=%2F',
    '/hit/beacon.css?p=%2F',
  ]
}

/** What other servers ask for: every public path that has an ActivityPub form is also crawled as JSON. */
const AP_ACCEPT = 'application/activity+json'
const hasJsonForm = (url: string) => /^\/(?:$|posts\/[^/?]+$|ap\/)/.test(url)

/** Same-site links in a page: href and src attributes and srcset entries, as paths with their query. */
function linksIn(html: string, from: string): string[] {
  const found: string[] = []
  const raw = [
    ...[...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? ''),
    ...[...html.matchAll(/\ssrcset="([^"]*)"/g)].flatMap((m) =>
      (m[1] ?? '').split(',').map((part) => part.trim().split(/\s+/)[0] ?? ''),
    ),
  ]
  for (const value of raw) {
    const href = value
      .replace(/&amp;/g, '&')
      .replace(/&#x2F;/g, '/')
      .replace(/&#39;/g, "'")
    if (!href || href.startsWith('#') || /^(mailto|tel|javascript|data):/i.test(href)) continue
    let url: URL
    try {
      url = new URL(href, `${SITE_URL}${from}`)
    } catch {
      continue
    }
    if (url.origin !== SITE_URL) continue
    found.push(url.pathname + url.search)
  }
  return found
}

interface Visit {
  readonly who: string
  readonly method: 'GET' | 'HEAD'
  readonly url: string
  readonly res: LightMyRequestResponse
  /** Rows this request changed, by the connection's own count (which also counts a write of equal values). */
  readonly changes: number
}

/**
 * Requests every enumerated GET route with real values, then follows same-site links from the home
 * page, a post and (signed in) the dashboard, within LINK_BUDGET new URLs. Each URL is sent as GET
 * and as HEAD.
 */
async function crawl(app: FastifyInstance, db: Db, who: string, visitor: Browser): Promise<Visit[]> {
  const routes = await routesOf(app, 'GET')
  const { values } = parameterValues(db)
  const urls = [...routes.flatMap((route) => expand(route.path, values)), ...QUERY_VARIANTS]
  const visits: Visit[] = []
  const seen = new Set<string>()
  const bodies = new Map<string, string>()
  const totalChanges = db.$client.prepare('select total_changes()').pluck()
  const visit = async (url: string) => {
    seen.add(url)
    const requests = [
      { method: 'GET' as const, accept: 'text/html' },
      { method: 'HEAD' as const, accept: 'text/html' },
      ...(hasJsonForm(url) ? [{ method: 'GET' as const, accept: AP_ACCEPT }] : []),
    ]
    for (const { method, accept } of requests) {
      const before = totalChanges.get() as number
      const res = await visitor.send({ method, url, headers: { accept } })
      const label = accept === AP_ACCEPT ? `${url} (as ActivityPub JSON)` : url
      visits.push({ who, method, url: label, res, changes: (totalChanges.get() as number) - before })
      if (method === 'GET' && /^text\/html/.test(String(res.headers['content-type'])))
        bodies.set(url, res.body)
    }
  }
  for (const url of [...urls, ...newsletterLinks(db)]) if (!seen.has(url)) await visit(url)

  const post = column(db, "select slug from posts where status = 'published' order by id desc limit 1")[0]
  const queue = ['/', `/posts/${post}`, ...(who === 'author' ? ['/admin'] : [])]
  let added = 0
  while (queue.length > 0 && added < LINK_BUDGET) {
    const from = queue.shift() as string
    if (!seen.has(from)) {
      await visit(from)
      added += 1
    }
    for (const link of linksIn(bodies.get(from) ?? '', from)) {
      if (!seen.has(link) && !queue.includes(link)) queue.push(link)
    }
  }
  return visits
}

const failures = (visits: Visit[], errors: string[]): string[] => [
  ...visits
    .filter((v) => v.res.statusCode >= 500)
    .map((v) => `${v.who} ${v.method} ${v.url}: ${v.res.statusCode}`),
  ...errors.map((e) => `logged: ${e}`),
]

test('GET never writes: a crawl of every GET route, signed out and signed in', async (t) => {
  const site = await seededSite(t)
  const log = errorLog()
  const app = await appOn(t, site.db, site.dir, log.stream)
  const before = snapshotDb(site.db)
  const mediaBefore = readdirSync(site.mediaDir).sort()

  const visitorVisits = await crawl(app, site.db, 'visitor', browser(app))
  const authorVisits = await crawl(app, site.db, 'author', browser(app, { cookies: site.sessionCookies }))
  const visits = [...visitorVisits, ...authorVisits]

  await t.test('the crawl reached every route with real content', () => {
    const routes = new Set(visits.map((v) => v.url.split('?')[0]))
    for (const expected of [
      '/',
      '/admin',
      '/admin/inbox/export.csv',
      '/feed.xml',
      '/sitemap.xml',
      '/healthz',
      '/subscribe',
      '/subscribe/confirm',
      '/unsubscribe',
      '/admin/stats',
      '/admin/stats.csv',
      '/admin/subscribers',
      '/admin/subscribers.csv',
    ]) {
      assert.ok(routes.has(expected), expected)
    }
    const ok = (pattern: RegExp, who: string) =>
      visits.some((v) => v.who === who && v.res.statusCode === 200 && pattern.test(v.url))
    // Real values, not just 404s: a post, a tag, a series, a page, an image and each admin detail page.
    const json = (pattern: RegExp) =>
      visits.some(
        (v) =>
          v.res.statusCode === 200 &&
          pattern.test(v.url) &&
          /^application\/(activity|jrd)\+json/.test(String(v.res.headers['content-type'])),
      )
    // The ActivityPub forms too: the actor, a post, its object, and WebFinger.
    for (const pattern of [
      /^\/ap\/actor \(as ActivityPub JSON\)$/,
      /^\/posts\/[^/?]+ \(as ActivityPub JSON\)$/,
      /^\/ap\/posts\/\d+ \(as ActivityPub JSON\)$/,
      /^\/ap\/outbox/,
      /^\/\.well-known\/webfinger\?resource=acct/,
    ])
      assert.ok(json(pattern), `JSON from ${pattern}`)
    for (const pattern of [
      /^\/posts\/[^/?]+$/,
      /^\/tags\/[^/?]+$/,
      /^\/series\/[^/?]+$/,
      /^\/about$/,
      /^\/media\/./,
    ])
      assert.ok(ok(pattern, 'visitor'), `a visitor got 200 from ${pattern}`)
    for (const pattern of [
      /^\/admin\/posts\/\d+$/,
      /^\/admin\/posts\/\d+\/revisions\/\d+$/,
      /^\/admin\/pages\/\d+$/,
      /^\/admin\/media\/\d+$/,
      /^\/admin\/inbox\/\d+$/,
    ])
      assert.ok(ok(pattern, 'author'), `the author got 200 from ${pattern}`)
    assert.ok(visits.length > 400, `${visits.length} requests`)
  })

  await t.test('no response is a server error', () => {
    assert.deepEqual(failures(visits, log.lines), [])
  })

  await t.test('the database and the media folder are exactly as before', () => {
    const writers = visits
      .filter((v) => v.changes > 0)
      .map((v) => `${v.who} ${v.method} ${v.url}: ${v.changes} rows`)
    assert.deepEqual(writers, [], 'these requests wrote')
    const after = snapshotDb(site.db)
    assert.equal(after.changes, before.changes, 'total_changes() moved: some GET wrote')
    assert.ok(after.rows === before.rows, 'a row changed during the crawl')
    assert.deepEqual(readdirSync(site.mediaDir).sort(), mediaBefore)
  })

  await t.test('what a CDN may cache is the same for everyone and sets no cookie', () => {
    const problems: string[] = []
    const byUrl = new Map<string, Visit>()
    for (const v of visitorVisits) if (v.method === 'GET') byUrl.set(v.url, v)
    for (const v of visits) {
      const cache = String(v.res.headers['cache-control'] ?? '')
      const label = `${v.who} ${v.method} ${v.url} (${v.res.statusCode}, ${cache})`
      const path = v.url.split('?')[0] ?? ''
      // The form carries a per-visitor CSRF token; the thanks page after it is the same for everyone.
      if (/^\/(admin(\/|$)|contact$)/.test(path) && !/no-store/.test(cache))
        problems.push(`${label}: not no-store`)
      if (!/\bpublic\b/.test(cache)) continue
      // Pages and feeds (not the immutable /static and /media files): a CDN keeps them briefly.
      if (
        v.res.statusCode === 200 &&
        !/^\/(static|media)\//.test(path) &&
        !/s-maxage=\d+.*stale-while-revalidate=\d+/.test(cache)
      )
        problems.push(`${label}: no s-maxage and stale-while-revalidate`)
      if (v.res.headers['set-cookie']) problems.push(`${label}: sets a cookie`)
      const vary = String(v.res.headers.vary ?? '').toLowerCase()
      // A page with an ActivityPub form varies on Accept too; nothing varies on a cookie.
      if (vary && vary !== 'accept-encoding' && vary !== 'accept, accept-encoding')
        problems.push(`${label}: Vary: ${vary}`)
      // A CDN ignores cookies: a shared page must not differ for the signed-in author.
      const seenByVisitor = byUrl.get(v.url)
      if (v.who === 'author' && v.method === 'GET' && v.res.statusCode === 200 && seenByVisitor) {
        if (seenByVisitor.res.headers.etag !== v.res.headers.etag)
          problems.push(`${label}: differs for the author`)
      }
    }
    assert.deepEqual(problems, [])
  })
})

test('a read-only replica starts and serves every GET route', async (t) => {
  const site = await seededSite(t)
  // WAL lets a read-only connection read beside the writer, as a LiteFS replica's app does.
  const replicaDb = openDatabase(site.path, { readonly: true })
  t.after(() => closeDatabase(replicaDb))
  assert.equal(replicaDb.$client.pragma('journal_mode', { simple: true }), 'wal')
  assert.throws(() => replicaDb.$client.exec("insert into tags (slug, name) values ('x', 'x')"), /readonly/)

  // server.ts migrates on every start: with nothing pending that must not need a write.
  migrateDatabase(replicaDb)

  const log = errorLog()
  const replica = await appOn(t, replicaDb, site.dir, log.stream)
  const visits = [
    ...(await crawl(replica, replicaDb, 'visitor', browser(replica))),
    ...(await crawl(replica, replicaDb, 'author', browser(replica, { cookies: site.sessionCookies }))),
  ]
  assert.deepEqual(failures(visits, log.lines), [])
  assert.equal(replicaDb.$client.prepare('select total_changes()').pluck().get(), 0)
  assert.ok(visits.some((v) => v.url === '/admin' && v.who === 'author' && v.res.statusCode === 200))

  await t.test('a post published on the primary shows on the replica at its next request', async () => {
    const home = await replica.inject('/')
    assert.doesNotMatch(home.body, /Fresh from the primary/)
    const { slug } = createPost(site.db, { title: 'Fresh from the primary', daysAgo: 0 })
    // The replica's page cache watches data_version, which moves with another connection's commit.
    const again = await replica.inject('/')
    assert.match(again.body, /Fresh from the primary/)
    assert.equal((await replica.inject(`/posts/${slug}`)).statusCode, 200)
  })
})
