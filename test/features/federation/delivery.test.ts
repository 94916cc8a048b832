import assert from 'node:assert/strict'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import Fastify from 'fastify'
import { buildApp } from '../../../src/app.ts'
import type { Config } from '../../../src/config.ts'
import { closeDatabase, type Db, openDatabase } from '../../../src/db/client.ts'
import { followAnswer } from '../../../src/features/federation/activities.ts'
import { queueDelivery } from '../../../src/features/federation/deliveries.ts'
import deliveryWorker from '../../../src/features/federation/delivery-worker.ts'
import { actorKeyPair, ensureActorKey } from '../../../src/features/federation/keys.ts'
import { reconcileSyndication } from '../../../src/features/federation/syndication.ts'
import { createTestDb, rowCount, testConfig } from '../../helpers/app.ts'
import { createPost, DAY } from '../../helpers/fixtures.ts'
import { addFollower } from '../../helpers/followers.ts'
import { peerVerifyCavage } from '../../helpers/http-signatures.ts'
import { listenOnLoopback } from '../../helpers/loopback.ts'

const SITE = 'https://blog.example.com'
const MINUTE = 60 * 1000

interface Received {
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly status: number
}

/**
 * A remote server's inbox on a loopback port. Each path answers the statuses given for it in
 * turn (the last one from then on), 202 by default, and records every request.
 */
async function startInbox(t: TestContext) {
  const script = new Map<string, number[]>()
  const received: Received[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const path = request.url ?? '/'
      const statuses = script.get(path) ?? [202]
      const status = (statuses.length > 1 ? statuses.shift() : statuses[0]) ?? 202
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      )
      received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8'), status })
      response.writeHead(status, { 'content-type': 'text/plain' })
      response.end(status < 300 ? '' : 'not this time')
    })
  })
  const origin = await listenOnLoopback(t, server)
  return {
    origin,
    received,
    answer: (path: string, ...statuses: number[]) => script.set(path, statuses),
    /** Activities that got a 2xx, by type. */
    delivered: () => received.filter((r) => r.status < 300).map((r) => JSON.parse(r.body).type as string),
  }
}

/** A clock the test moves: retries and scheduled posts come due without waiting. */
function testClock(start = new Date()) {
  let current = start.getTime()
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms
    },
  }
}

/** The delivery worker alone on a joined blog's database, on the test's clock if given; its interval never fires. */
async function startWorker(t: TestContext, options: { clock?: ReturnType<typeof testClock> } = {}) {
  const { db, dir } = createTestDb(t)
  const config = testConfig(dir, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true' })
  await ensureActorKey(db, new Date(Date.now() - 7 * DAY))
  const clock = options.clock
  const app = Fastify({ logger: false })
  await app.register(deliveryWorker, {
    db,
    config,
    intervalMs: 24 * 60 * MINUTE,
    ...(clock ? { now: clock.now } : {}),
  })
  await app.ready()
  t.after(() => app.close())
  return { app, db, config, dir }
}

const accept = (n = 1) =>
  followAnswer(SITE, 'Accept', {
    id: `https://peer.example/follows/${n}`,
    actor: 'https://peer.example/users/a',
  })

test('an activity is delivered once, signed by the blog actor over its digest and date', async (t) => {
  const { app, db } = await startWorker(t)
  const inbox = await startInbox(t)
  const activity = accept()
  queueDelivery(db, activity, [`${inbox.origin}/users/a/inbox`])
  await app.deliveries.drain()
  await app.deliveries.drain()

  assert.equal(inbox.received.length, 1)
  const [request] = inbox.received
  assert.ok(request)
  assert.equal(request.path, '/users/a/inbox')
  assert.deepEqual(JSON.parse(request.body), activity)
  assert.match(request.headers['content-type'] ?? '', /^application\/activity\+json/)
  assert.match(request.headers['user-agent'] ?? '', /^Folio\/\S+ \(\+https:\/\/blog\.example\.com\)$/)
  const publicKeyPem = actorKeyPair(db)?.publicKeyPem ?? ''
  const check = peerVerifyCavage({
    method: 'POST',
    url: `${inbox.origin}${request.path}`,
    headers: request.headers,
    body: request.body,
    publicKeyPem,
  })
  assert.ok(check.valid, 'the signature and digest verify with the public key the actor publishes')
  assert.equal(check.keyId, `${SITE}/ap/actor#main-key`)
  assert.deepEqual(check.covered, ['(request-target)', 'host', 'date', 'digest'])
  const skew = Math.abs(Date.parse(request.headers.date ?? '') - Date.now())
  assert.ok(skew < 60_000, 'the signed Date is now')
  assert.equal(rowCount(db, 'deliveries'), 0)
})

test('a server that fails three times and then accepts gets the activity exactly once', async (t) => {
  const clock = testClock()
  const { app, db } = await startWorker(t, { clock })
  const inbox = await startInbox(t)
  inbox.answer('/inbox', 500, 503, 500, 202)
  queueDelivery(db, accept(), [`${inbox.origin}/inbox`], clock.now())

  await app.deliveries.drain()
  assert.equal(inbox.received.length, 1)
  await app.deliveries.drain()
  assert.equal(inbox.received.length, 1, 'nothing is resent before its retry is due')
  const row = db.$client.prepare('select attempts, last_error from deliveries').get() as {
    attempts: number
    last_error: string
  }
  assert.deepEqual(row, { attempts: 1, last_error: 'the inbox answered 500' })

  for (const wait of [1, 5, 30]) {
    clock.advance(wait * MINUTE)
    await app.deliveries.drain()
  }
  assert.equal(inbox.received.length, 4)
  assert.deepEqual(inbox.delivered(), ['Accept'])
  clock.advance(3 * DAY)
  await app.deliveries.drain()
  assert.equal(inbox.received.length, 4, 'a delivered activity is never sent again')
  assert.equal(rowCount(db, 'deliveries'), 0)
})

test('410 Gone removes the followers at that inbox and everything queued for it', async (t) => {
  const { app, db } = await startWorker(t)
  const inbox = await startInbox(t)
  const gone = addFollower(db, inbox.origin, { sharedInboxUrl: '' })
  const staying = addFollower(db, 'https://other.example', { sharedInboxUrl: '' })
  inbox.answer(new URL(gone.inboxUrl).pathname, 410)
  queueDelivery(db, accept(1), [gone.inboxUrl])
  queueDelivery(db, accept(2), [gone.inboxUrl])

  await app.deliveries.drain()
  assert.equal(inbox.received.length, 1, 'the second activity is not tried after the first got 410')
  assert.equal(rowCount(db, 'deliveries'), 0)
  const left = db.$client.prepare('select actor_id from followers').pluck().all()
  assert.deepEqual(left, [staying.actorId])
})

test('a 404 is given up at once and the follower kept', async (t) => {
  const clock = testClock()
  const { app, db } = await startWorker(t, { clock })
  const inbox = await startInbox(t)
  const follower = addFollower(db, inbox.origin, { sharedInboxUrl: '' })
  inbox.answer(new URL(follower.inboxUrl).pathname, 404)
  queueDelivery(db, accept(), [follower.inboxUrl], clock.now())

  await app.deliveries.drain()
  clock.advance(3 * DAY)
  await app.deliveries.drain()
  assert.equal(inbox.received.length, 1)
  assert.equal(rowCount(db, 'deliveries'), 0)
  assert.equal(rowCount(db, 'followers'), 1)
})

test('429 and 408 are retried like server errors', async (t) => {
  const clock = testClock()
  const { app, db } = await startWorker(t, { clock })
  const inbox = await startInbox(t)
  inbox.answer('/inbox', 429, 408, 202)
  queueDelivery(db, accept(), [`${inbox.origin}/inbox`], clock.now())
  for (const wait of [0, 1, 5]) {
    clock.advance(wait * MINUTE)
    await app.deliveries.drain()
  }
  assert.deepEqual(
    inbox.received.map((r) => r.status),
    [429, 408, 202],
  )
})

test('an inbox that cannot be reached is retried for about two days, then given up', async (t) => {
  const clock = testClock()
  const { app, db } = await startWorker(t, { clock })
  // A port nobody listens on: every attempt is refused.
  const closed = createServer()
  closed.listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const { port } = closed.address() as AddressInfo
  closed.close()
  queueDelivery(db, accept(), [`http://127.0.0.1:${port}/inbox`], clock.now())

  const attempts = () =>
    db.$client.prepare('select attempts from deliveries').pluck().get() as number | undefined
  for (let tried = 1; tried <= 7; tried += 1) {
    await app.deliveries.drain()
    assert.equal(attempts(), tried)
    clock.advance(DAY)
  }
  const lastError = db.$client.prepare('select last_error from deliveries').pluck().get() as string
  assert.match(lastError, /could not be fetched/)
  await app.deliveries.drain()
  assert.equal(rowCount(db, 'deliveries'), 0, 'given up after the eighth attempt')
})

test('followers sharing a server inbox get one delivery; the worker publishes without being asked', async (t) => {
  const { app, db } = await startWorker(t)
  const inbox = await startInbox(t)
  addFollower(db, inbox.origin)
  addFollower(db, inbox.origin)
  createPost(db, { title: 'Hello, fediverse', daysAgo: 0 })

  await app.deliveries.drain()
  assert.deepEqual(
    inbox.received.map((r) => r.path),
    ['/inbox'],
  )
  assert.deepEqual(inbox.delivered(), ['Create'])
})

test('a scheduled post is delivered once its time has passed, with nothing else changing', async (t) => {
  const clock = testClock()
  const { app, db } = await startWorker(t, { clock })
  const inbox = await startInbox(t)
  addFollower(db, inbox.origin)
  createPost(db, { title: 'Out tomorrow', publishedAt: new Date(clock.now().getTime() + DAY) })

  await app.deliveries.drain()
  assert.deepEqual(inbox.received, [])
  clock.advance(DAY + MINUTE)
  await app.deliveries.drain()
  assert.deepEqual(inbox.delivered(), ['Create'])
})

test('a LiteFS replica neither queues nor sends', async (t) => {
  const { app, db, dir } = await startWorker(t)
  const inbox = await startInbox(t)
  addFollower(db, inbox.origin)
  queueDelivery(db, accept(), [`${inbox.origin}/inbox`])
  writeFileSync(join(dir, '.primary'), 'primary.internal')
  createPost(db, { title: 'Written on the primary', daysAgo: 0 })

  await app.deliveries.drain()
  assert.deepEqual(inbox.received, [])
  assert.equal(rowCount(db, 'deliveries'), 1)
  assert.equal(rowCount(db, 'syndicated_posts'), 0)
})

test('queued deliveries survive a restart: the next app on the same file sends them', async (t) => {
  const { path, dir } = createTestDb(t)
  const inbox = await startInbox(t)
  const config: Config = testConfig(dir, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true' })

  // The first process queues a Create and stops before sending anything.
  const first: Db = openDatabase(path)
  await ensureActorKey(first, new Date(Date.now() - DAY))
  addFollower(first, inbox.origin)
  createPost(first, { title: 'Queued before the restart', daysAgo: 0 })
  await reconcileSyndication(first, SITE, new Date())
  closeDatabase(first)

  const db = openDatabase(path)
  t.after(() => closeDatabase(db))
  const app = await buildApp({ config, db })
  t.after(() => app.close())
  await app.ready()
  await app.deliveries.drain()
  assert.deepEqual(inbox.delivered(), ['Create'])
  assert.equal(rowCount(db, 'deliveries'), 0)
})
