// Checks LiteFS replicas: their counts are forwarded to the primary as signed batches, merged into its flush, and nothing else gets in.
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { buildApp } from '../../../src/app.ts'
import { closeDatabase, openDatabase } from '../../../src/db/client.ts'
import { loadOrCreateSecret } from '../../../src/features/auth/secrets.ts'
import { dayNumber } from '../../../src/features/stats/days.ts'
import {
  BATCH_CONTENT_TYPE,
  FORWARDING_SECRET,
  MAX_BODY_BYTES,
  SIGNATURE_HEADER,
  signBody,
} from '../../../src/features/stats/forwarding.ts'
import { scratchDir, testConfig } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { freePort } from '../../helpers/processes.ts'
import {
  all,
  clockAt,
  createStatsApp,
  dayRow,
  noonToday,
  pathRow,
  type StatsApp,
  sourceRows,
  visit,
  writeMarks,
} from './helpers.ts'

const DAY = noonToday().slice(0, 10)
/** The same day as forwarded batches carry it. */
const DAY_NUMBER = dayNumber(DAY)

/** A replica of `primary`'s database, as LiteFS keeps one: the same file, and `.primary` beside it. */
async function replicaOf(t: TestContext, primary: StatsApp, siteUrl: string) {
  primary.db.$client.pragma('wal_checkpoint(TRUNCATE)')
  const dir = scratchDir(t)
  mkdirSync(join(dir, 'media'), { recursive: true })
  copyFileSync(primary.path, join(dir, 'folio.db'))
  writeFileSync(join(dir, '.primary'), 'primary-machine\n')
  const db = openDatabase(join(dir, 'folio.db'))
  const clock = clockAt(noonToday())
  const app = await buildApp({
    config: testConfig(dir, { SITE_URL: siteUrl }),
    db,
    stats: { now: clock.now, flushIntervalMs: 3_600_000 },
  } as never)
  t.after(async () => {
    await app.close()
    closeDatabase(db)
  })
  return { app, db, dir }
}

/** A primary listening on a port of its own, its SITE_URL that address (which replicas share). */
async function listeningPrimary(t: TestContext): Promise<StatsApp & { url: string }> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const primary = await createStatsApp(t, {
    env: { SITE_URL: url },
    stats: { now: clockAt(noonToday()).now },
  })
  await primary.app.listen({ port, host: '127.0.0.1' })
  return { ...primary, url }
}

test('views on a replica reach the primary’s tables through a signed batch; the replica writes nothing', async (t) => {
  const primary = await listeningPrimary(t)
  const { slug } = createPost(primary.db, { title: 'Read far away' })
  const replica = await replicaOf(t, primary, primary.url)

  const before = writeMarks(replica.db)
  await visit(replica.app, `/posts/${slug}`, { referer: 'https://news.ycombinator.com/item?id=9' })
  await visit(replica.app, `/posts/${slug}`)
  await visit(replica.app, '/', {}, '198.51.100.4')
  await replica.app.inject({ url: '/feed.xml', headers: { 'user-agent': 'Feedly/1.0 (; 5 subscribers;)' } })
  await replica.app.stats.flush()
  assert.equal(writeMarks(replica.db), before, 'the replica wrote nothing')

  await primary.app.stats.flush()
  assert.deepEqual(dayRow(primary.db, DAY), { views: 3, visitors: 2, botViews: 0 })
  assert.deepEqual(pathRow(primary.db, DAY, `/posts/${slug}`), { views: 2, visitors: 1, reads: 0 })
  assert.deepEqual(
    sourceRows(primary.db).map(({ value, views }) => ({ value, views })),
    [{ value: 'news.ycombinator.com/item', views: 1 }],
  )
  assert.deepEqual(
    all(primary.db, 'select reader, fetches, subscribers from stats_feeds').map((r) => ({
      ...(r as object),
    })),
    [{ reader: 'Feedly', fetches: 1, subscribers: 5 }],
  )
})

test('a replica uses the day’s salt the primary stored, so a reader on both machines is one visitor', async (t) => {
  const primary = await listeningPrimary(t)
  await visit(primary.app, '/')
  await primary.app.stats.flush()
  const replica = await replicaOf(t, primary, primary.url)

  await visit(replica.app, '/')
  await replica.app.stats.flush()
  await primary.app.stats.flush()

  assert.deepEqual(dayRow(primary.db, DAY), { views: 2, visitors: 1, botViews: 0 })
})

test('when the primary cannot be reached, the replica drops that batch and carries on', async (t) => {
  const primary = await createStatsApp(t)
  const closedPort = await freePort()
  const replica = await replicaOf(t, primary, `http://127.0.0.1:${closedPort}`)
  await visit(replica.app, '/')
  await replica.app.stats.flush()
  assert.equal((await visit(replica.app, '/')).statusCode, 200)
  await replica.app.stats.flush()
})

/** A forwarded body as a replica sends it, signed with `secret`. */
function forwarded(secret: string, batch: object, overrides: Record<string, unknown> = {}) {
  const body = JSON.stringify({ id: crypto.randomUUID(), sentAt: Date.now(), batch, ...overrides })
  return { body, signature: signBody(secret, body) }
}

const EMPTY = { days: [], paths: [], sources: [], feeds: [], visitors: [] }

test('the primary refuses batches that are unsigned, forged, replayed, stale, malformed or too big', async (t) => {
  const { app, db } = await createStatsApp(t)
  const secret = loadOrCreateSecret(db, FORWARDING_SECRET)
  const send = (body: string, signature?: string, type = BATCH_CONTENT_TYPE) =>
    app.inject({
      method: 'POST',
      url: '/hit/batch',
      headers: { 'content-type': type, ...(signature ? { [SIGNATURE_HEADER]: signature } : {}) },
      payload: body,
    })
  const good = forwarded(secret, { ...EMPTY, days: [[DAY_NUMBER, 2, 0]] })

  assert.equal((await send(good.body)).statusCode, 401)
  assert.equal((await send(good.body, signBody('not the secret', good.body))).statusCode, 401)
  assert.equal((await send(good.body, 'sha256=nothex')).statusCode, 401)
  assert.equal((await send(good.body, good.signature, 'application/json')).statusCode, 415)
  assert.equal((await send(good.body, good.signature)).statusCode, 204)
  const replay = await send(good.body, good.signature)
  assert.equal(replay.statusCode, 409)
  assert.match(replay.body, /received already/)
  const stale = forwarded(secret, EMPTY, { sentAt: Date.now() - 3_600_000 })
  assert.equal((await send(stale.body, stale.signature)).statusCode, 400)
  const notJson = 'not json at all'
  assert.equal((await send(notJson, signBody(secret, notJson))).statusCode, 400)
  const hostile = forwarded(secret, { ...EMPTY, paths: [[DAY_NUMBER, '<script>', 1, 0]] })
  assert.equal((await send(hostile.body, hostile.signature)).statusCode, 400)
  const datedByText = forwarded(secret, { ...EMPTY, days: [[DAY, 1, 0]] })
  assert.equal((await send(datedByText.body, datedByText.signature)).statusCode, 400)
  const huge = 'x'.repeat(MAX_BODY_BYTES + 10)
  assert.equal((await send(huge, signBody(secret, huge))).statusCode, 413)

  await app.stats.flush()
  assert.equal(dayRow(db, DAY).views, 2, 'only the one good batch counted, once')
})

test('counts for days far from today are dropped from a forwarded batch', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { now: clockAt(noonToday()).now } })
  const secret = loadOrCreateSecret(db, FORWARDING_SECRET)
  const batch = forwarded(
    secret,
    {
      ...EMPTY,
      days: [
        [DAY_NUMBER, 1, 0],
        [dayNumber('2001-01-01'), 50, 0],
      ],
    },
    { sentAt: Date.parse(noonToday()) },
  )
  const res = await app.inject({
    method: 'POST',
    url: '/hit/batch',
    headers: { 'content-type': BATCH_CONTENT_TYPE, [SIGNATURE_HEADER]: batch.signature },
    payload: batch.body,
  })
  assert.equal(res.statusCode, 204)
  await app.stats.flush()
  assert.deepEqual(
    all(db, 'select day, views from stats_days').map((r) => ({ ...(r as object) })),
    [{ day: DAY_NUMBER, views: 1 }],
  )
})

test('a replica does not take batches itself', async (t) => {
  const primary = await createStatsApp(t)
  const replica = await replicaOf(t, primary, 'http://127.0.0.1:9')
  const secret = loadOrCreateSecret(primary.db, FORWARDING_SECRET)
  const batch = forwarded(secret, EMPTY)
  const res = await replica.app.inject({
    method: 'POST',
    url: '/hit/batch',
    headers: { 'content-type': BATCH_CONTENT_TYPE, [SIGNATURE_HEADER]: batch.signature },
    payload: batch.body,
  })
  assert.equal(res.statusCode, 409)
})

test('a replica that becomes the primary (LiteFS failover) stores its next flush itself', async (t) => {
  const primary = await createStatsApp(t)
  const replica = await replicaOf(t, primary, 'http://127.0.0.1:9')
  assert.equal(replica.app.stats.role, 'replica')

  // LiteFS promotes this machine: the `.primary` file goes away.
  rmSync(join(replica.dir, '.primary'))
  await visit(replica.app, '/')
  await visit(replica.app, '/', {}, '198.51.100.4')
  await replica.app.stats.flush()

  assert.equal(replica.app.stats.role, 'primary')
  assert.deepEqual(dayRow(replica.db, DAY), { views: 2, visitors: 2, botViews: 0 })
})

test('visitor hashes of an earlier day are dropped from a forwarded batch (that day’s salt is gone)', async (t) => {
  const { app, db } = await createStatsApp(t, { stats: { now: clockAt(noonToday()).now } })
  const secret = loadOrCreateSecret(db, FORWARDING_SECRET)
  const yesterday = DAY_NUMBER - 1
  const batch = forwarded(
    secret,
    {
      ...EMPTY,
      visitors: [
        [yesterday, 'AAAAAAAAAAAAAAAA', '/'],
        [DAY_NUMBER, 'BBBBBBBBBBBBBBBB', '/'],
      ],
    },
    { sentAt: Date.parse(noonToday()) },
  )
  const res = await app.inject({
    method: 'POST',
    url: '/hit/batch',
    headers: { 'content-type': BATCH_CONTENT_TYPE, [SIGNATURE_HEADER]: batch.signature },
    payload: batch.body,
  })
  assert.equal(res.statusCode, 204)
  await app.stats.flush()
  assert.deepEqual(
    all<{ day: number }>(db, 'select distinct day from stats_visitors').map((r) => r.day),
    [DAY_NUMBER],
  )
})
