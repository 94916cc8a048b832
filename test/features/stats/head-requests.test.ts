// Checks that only a page a reader's browser shows counts: no HEAD (beacons and cached pages included), no other representation of a page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { clockAt, createStatsApp, dayRow, noonToday, pathRow, READER, totalViews, visit } from './helpers.ts'

/** About 800 words: a four-minute read, so the post carries the read mark. */
const LONG_BODY = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} ${'word '.repeat(20)}`).join('\n\n')

test('a HEAD on the read mark or the view beacon is answered but counts nothing', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, {
    prepare: (db) => saveSettings(db, { statsBeacon: true }),
    stats: { now: clock.now },
  })
  const { id, slug } = createPost(db, { bodyMd: LONG_BODY })

  const read = await app.inject({ method: 'HEAD', url: `/hit/read/${id}`, headers: READER })
  const view = await app.inject({ method: 'HEAD', url: `/hit/view?p=%2Fposts%2F${slug}`, headers: READER })
  await app.stats.flush()

  assert.equal(read.statusCode, 200)
  assert.equal(view.statusCode, 200)
  const day = noonToday().slice(0, 10)
  assert.deepEqual(pathRow(db, day, `/posts/${slug}`), { views: 0, visitors: 0, reads: 0 })
  assert.deepEqual(dayRow(db, day), { views: 0, visitors: 0, botViews: 0 })
})

test('a HEAD answered from the page cache is not a page view', async (t) => {
  const { app, db } = await createStatsApp(t)
  createPage(db, { title: 'About', slug: 'about' })
  await visit(app, '/about')
  const head = await app.inject({ method: 'HEAD', url: '/about', headers: READER })
  await app.stats.flush()

  assert.equal(head.statusCode, 200)
  assert.equal(totalViews(db), 1, 'the GET that filled the cache, not the HEAD')
})

test('a post fetched as ActivityPub JSON (a 200 that is not HTML) is not a page view', async (t) => {
  const { app, db } = await createStatsApp(t)
  const { slug } = createPost(db)
  const json = await visit(app, `/posts/${slug}`, { accept: 'application/activity+json' })
  await app.stats.flush()

  assert.equal(json.statusCode, 200)
  assert.match(String(json.headers['content-type']), /activity\+json/)
  assert.equal(totalViews(db), 0)
  // Served again from the page cache: still not HTML, still not a view.
  await visit(app, `/posts/${slug}`, { accept: 'application/activity+json' })
  await app.stats.flush()
  assert.equal(totalViews(db), 0)
})
