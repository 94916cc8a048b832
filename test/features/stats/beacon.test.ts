// Checks the CSS beacon option: pages link a cacheable stylesheet whose hover image counts the view, for sites whose HTML a CDN serves.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { signIn } from '../../helpers/admin.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { linkRel } from '../../helpers/html.ts'
import { clockAt, createStatsApp, dayRow, GOOGLEBOT, noonToday, pathRow, READER, visit } from './helpers.ts'

const beaconOn = {
  prepare: (db: Parameters<typeof saveSettings>[0]) => saveSettings(db, { statsBeacon: true }),
}

test('with the beacon off (the default), pages link no beacon stylesheet', async (t) => {
  const { app } = await createStatsApp(t)
  const home = await visit(app, '/')
  assert.deepEqual(
    linkRel(home.body, 'stylesheet').filter((href) => href.includes('/hit/')),
    [],
  )
})

test('with the beacon on, every page links its own beacon stylesheet, and serving the page counts nothing', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { ...beaconOn, stats: { now: clock.now } })
  const { slug } = createPost(db, { title: 'Behind a CDN' })

  const page = await visit(app, `/posts/${slug}`)
  const sheets = linkRel(page.body, 'stylesheet').filter((href) => href.startsWith('/hit/'))
  assert.deepEqual(sheets, [`/hit/beacon.css?p=%2Fposts%2F${slug}`])
  await app.stats.flush()
  assert.equal(dayRow(db, noonToday().slice(0, 10)).views, 0)
})

test('the beacon stylesheet is cacheable for a long time and names an uncached image for that page', async (t) => {
  const { app, db } = await createStatsApp(t, beaconOn)
  const { slug } = createPost(db)

  const css = await app.inject(`/hit/beacon.css?p=%2Fposts%2F${slug}`)

  assert.equal(css.statusCode, 200)
  assert.match(String(css.headers['content-type']), /^text\/css/)
  assert.match(String(css.headers['cache-control']), /^public, max-age=\d{7,}/)
  assert.equal(css.body, `body:hover{background-image:url("/hit/view?p=%2Fposts%2F${slug}")}\n`)
})

test('the beacon image counts a reader’s view of a public page (not a bot’s, nor the author’s) and is never cached', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { ...beaconOn, stats: { now: clock.now } })
  const { slug } = createPost(db)
  const author = await signIn(app, db)
  const url = `/hit/view?p=%2Fposts%2F${slug}`

  const res = await visit(app, url, {
    accept: 'image/avif,image/webp,*/*',
    referer: `https://blog.example.com/hit/beacon.css?p=x`,
  })
  await visit(app, url, { 'user-agent': GOOGLEBOT })
  await app.inject({ url, headers: READER, cookies: author.cookies })
  await app.stats.flush()

  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'image/gif')
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.equal(res.rawPayload.subarray(0, 6).toString('latin1'), 'GIF89a')
  const day = noonToday().slice(0, 10)
  assert.deepEqual(dayRow(db, day), { views: 1, visitors: 1, botViews: 1 })
  assert.deepEqual(pathRow(db, day, `/posts/${slug}`), { views: 1, visitors: 1, reads: 0 })
})

test('a beacon for something that is not a public page is refused with a 400 and counts nothing', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { ...beaconOn, stats: { now: clock.now } })
  const draft = createPost(db, { status: 'draft' })
  for (const p of [
    '',
    '%2Fposts%2Fno-such-post',
    `%2Fposts%2F${draft.slug}`,
    '%2Fadmin',
    'https%3A%2F%2Fevil.example%2F',
    '%2F%22%29%7Dbody%7Bcolor%3Ared',
    encodeURIComponent(`/${'a'.repeat(700)}`),
  ]) {
    const view = await visit(app, `/hit/view?p=${p}`)
    assert.equal(view.statusCode, 400, p)
    assert.equal(view.headers['cache-control'], 'no-store')
    const css = await visit(app, `/hit/beacon.css?p=${p}`)
    assert.equal(css.statusCode, 400, p)
    assert.doesNotMatch(css.body, /url\(/)
  }
  await app.stats.flush()
  assert.equal(dayRow(db, noonToday().slice(0, 10)).views, 0)
})

test('with the beacon off, a stale beacon image from a cached stylesheet counts nothing (the server already did)', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  await visit(app, '/')
  assert.equal((await visit(app, '/hit/view?p=%2F')).statusCode, 200)
  await app.stats.flush()
  assert.equal(dayRow(db, noonToday().slice(0, 10)).views, 1)
})
