// Checks the end-of-article mark: a lazy, invisible image after long articles, and /hit/read counting readers who got there.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { carriesReadMark, READ_MARK_MINUTES } from '../../../src/features/stats/read-mark.ts'
import { signIn } from '../../helpers/admin.ts'
import { createPost, DAY } from '../../helpers/fixtures.ts'
import { clockAt, createStatsApp, GOOGLEBOT, noonToday, pathRow, READER, visit } from './helpers.ts'

/** About 800 words: a four-minute read. */
const LONG_BODY = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${'word '.repeat(20)}`).join('\n\n')

test('a read of a public post is counted under its path, answered with an uncached 1×1 GIF', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  const { id, slug } = createPost(db, { bodyMd: LONG_BODY })
  const author = await signIn(app, db)

  const res = await visit(app, `/hit/read/${id}`, { accept: 'image/*' })
  await visit(app, `/hit/read/${id}`, {}, '198.51.100.9')
  await visit(app, `/hit/read/${id}`, { 'user-agent': GOOGLEBOT })
  await visit(app, `/hit/read/${id}`, { 'accept-language': '' })
  await app.inject({ url: `/hit/read/${id}`, headers: READER, cookies: author.cookies })
  await app.stats.flush()

  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'image/gif')
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.equal(res.rawPayload.subarray(0, 6).toString('latin1'), 'GIF89a')
  assert.deepEqual(pathRow(db, noonToday().slice(0, 10), `/posts/${slug}`), {
    views: 0,
    visitors: 0,
    reads: 2,
  })
})

test('a read mark for a draft, a scheduled post, an unknown post or a malformed number is refused and counts nothing', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  const draft = createPost(db, { status: 'draft' })
  const later = createPost(db, { status: 'scheduled', publishedAt: new Date(clock.now().getTime() + DAY) })

  for (const [url, status] of [
    [`/hit/read/${draft.id}`, 404],
    [`/hit/read/${later.id}`, 404],
    ['/hit/read/999999', 404],
    ['/hit/read/abc', 400],
    ['/hit/read/1e3', 400],
    ['/hit/read/99999999999999999999', 400],
  ] as const) {
    const res = await visit(app, url)
    assert.equal(res.statusCode, status, url)
    assert.equal(res.headers['cache-control'], 'no-store')
  }
  await app.stats.flush()
  assert.equal(db.$client.prepare('select count(*) from stats_paths').pluck().get(), 0)
})

test('articles of three minutes or more carry the read mark; shorter ones and link posts do not', () => {
  assert.equal(READ_MARK_MINUTES, 3)
  assert.equal(carriesReadMark({ kind: 'article', readingMinutes: 3 }), true)
  assert.equal(carriesReadMark({ kind: 'article', readingMinutes: 12 }), true)
  assert.equal(carriesReadMark({ kind: 'article', readingMinutes: 2 }), false)
  assert.equal(carriesReadMark({ kind: 'link', readingMinutes: 9 }), false)
})

test('the read-mark partial draws a lazy, hidden, sized image only when the post has a mark', async (t) => {
  const { app } = await createStatsApp(t)
  await app.ready()
  const render = (post: object) => app.view('partials/read-mark', { post })

  const mark = await render({ kind: 'article', id: 7, readMark: '/hit/read/7' })
  assert.match(
    mark,
    /<img class="visually-hidden" src="\/hit\/read\/7" alt="" aria-hidden="true" width="1" height="1" loading="lazy"/,
  )
  assert.equal((await render({ kind: 'article', id: 7, readMark: null })).trim(), '')
  assert.equal((await render({})).trim(), '')
})

test('a long article ends with the read mark; a short one has none', async (t) => {
  const { app, db } = await createStatsApp(t)
  const long = createPost(db, { bodyMd: LONG_BODY })
  const short = createPost(db, { bodyMd: 'Just a few words.' })

  const longPage = (await visit(app, `/posts/${long.slug}`)).body
  assert.match(longPage, new RegExp(`<img class="visually-hidden" src="/hit/read/${long.id}"`))
  const article = longPage.slice(longPage.indexOf('<article'), longPage.indexOf('</article>'))
  assert.ok(article.includes(`/hit/read/${long.id}`), 'inside the article')
  assert.doesNotMatch((await visit(app, `/posts/${short.slug}`)).body, /\/hit\/read\//)
})
