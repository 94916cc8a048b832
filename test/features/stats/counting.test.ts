// Checks what the stats count as a page view, on the server: readers' HTML pages (cache hits too), bots apart, and nothing written by the request itself.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signIn } from '../../helpers/admin.ts'
import { rowCount } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import {
  clockAt,
  createStatsApp,
  dayRow,
  GOOGLEBOT,
  noonToday,
  pathRow,
  pathViews,
  READER,
  totalViews,
  visit,
  writeMarks,
} from './helpers.ts'

test('a reader’s page views are kept in memory and written by the flush, not by the request', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  const { slug } = createPost(db, { title: 'Counting without cookies' })
  await app.ready()

  const before = writeMarks(db)
  for (let i = 0; i < 3; i++) assert.equal((await visit(app, `/posts/${slug}`)).statusCode, 200)
  assert.equal((await visit(app, '/')).statusCode, 200)
  assert.equal(writeMarks(db), before, 'no GET wrote anything, before the flush')
  assert.equal(rowCount(db, 'stats_days'), 0)

  await app.stats.flush()

  const day = noonToday().slice(0, 10)
  assert.deepEqual(dayRow(db, day), { views: 4, visitors: 1, botViews: 0 })
  assert.deepEqual(pathRow(db, day, `/posts/${slug}`), { views: 3, visitors: 1, reads: 0 })
  assert.deepEqual(pathRow(db, day, '/'), { views: 1, visitors: 1, reads: 0 })
  const responses = await visit(app, `/posts/${slug}`)
  assert.equal(responses.headers['set-cookie'], undefined, 'counting sets no cookie')
})

test('pages served from the page cache are counted like the first one', async (t) => {
  const { app, db } = await createStatsApp(t)
  createPage(db, { title: 'About', slug: 'about' })
  let rendered = 0
  app.addHook('onSend', async (_request, _reply, payload) => {
    rendered += 1
    return payload
  })

  for (let i = 0; i < 5; i++) assert.equal((await visit(app, '/about')).statusCode, 200)
  await app.stats.flush()

  assert.equal(rendered, 1, 'four of the five came from the page cache')
  assert.equal(totalViews(db), 5)
})

test('bots are counted apart: a known crawler, a script without Accept-Language, and no User-Agent at all', async (t) => {
  const { app, db } = await createStatsApp(t)
  await visit(app, '/', { 'user-agent': GOOGLEBOT })
  await visit(app, '/', { 'accept-language': '' })
  await app.inject({ url: '/', headers: { accept: 'text/html', 'accept-language': 'en' } })
  await visit(app, '/', { 'user-agent': 'curl/8.5.0' })
  await visit(app, '/')
  await app.stats.flush()

  const row = db.$client.prepare('select sum(views) as views, sum(bot_views) as bots from stats_days').get()
  assert.deepEqual({ ...(row as object) }, { views: 1, bots: 4 })
  assert.equal(rowCount(db, 'stats_paths'), 1, 'only the reader’s view has a page row')
})

test('prefetches, HEAD requests, the signed-in author, 404s, the admin and files are not page views', async (t) => {
  const { app, db } = await createStatsApp(t)
  const { slug } = createPost(db)
  const author = await signIn(app, db)

  await visit(app, `/posts/${slug}`, { 'sec-purpose': 'prefetch' })
  await visit(app, `/posts/${slug}`, { 'sec-purpose': 'prefetch;prerender' })
  await visit(app, `/posts/${slug}`, { purpose: 'prefetch' })
  await visit(app, `/posts/${slug}`, { 'x-moz': 'prefetch' })
  await app.inject({ method: 'HEAD', url: `/posts/${slug}`, headers: READER })
  await app.inject({ url: `/posts/${slug}`, headers: READER, cookies: author.cookies })
  await app.inject({ url: '/admin', headers: READER, cookies: author.cookies })
  assert.equal((await visit(app, '/posts/no-such-post')).statusCode, 404)
  assert.equal((await visit(app, '/no-such-page')).statusCode, 404)
  await visit(app, '/admin/login')
  await visit(app, '/robots.txt')
  await visit(app, '/sitemap.xml')
  await app.stats.flush()

  assert.equal(totalViews(db), 0)
  assert.equal(rowCount(db, 'stats_paths'), 0)
})

test('one page has one path: the query and a trailing slash are dropped', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { now: clockAt(noonToday()).now } })
  createPost(db, { title: 'Many doors', slug: 'many-doors' })
  await visit(app, '/posts/many-doors')
  await visit(app, '/posts/many-doors/')
  await visit(app, '/posts/many-doors?utm_source=newsletter')
  await visit(app, '/posts/many-door%73')
  await visit(app, '/posts?page=1')
  await app.stats.flush()

  assert.deepEqual(pathViews(db), [
    { path: '/posts', views: 1 },
    { path: '/posts/many-doors', views: 4 },
  ])
})

test('counts reach the database when the app closes, without waiting for the next flush', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { flushIntervalMs: 3_600_000 } })
  createPost(db)
  await app.ready()
  for (let i = 0; i < 4; i++) await visit(app, '/')
  assert.equal(totalViews(db), 0)

  await app.close()

  assert.equal(totalViews(db), 4)
})

test('the flush runs on its own every interval', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { flushIntervalMs: 20 } })
  await app.ready()
  await visit(app, '/')
  // Polled, not timed: the interval writes it whenever it comes (the deadline only stops a hang).
  const deadline = Date.now() + 10_000
  while (totalViews(db) === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(totalViews(db), 1)
})

test('a flush with nothing counted writes nothing', async (t) => {
  const { app, db } = await createStatsApp(t)
  await app.ready()
  const before = writeMarks(db)
  await app.stats.flush()
  await app.stats.flush()
  assert.equal(writeMarks(db), before)
})
