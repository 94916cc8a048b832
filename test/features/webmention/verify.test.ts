// Checks verifying queued Webmentions against a real source site on a loopback port: what is stored, updated, removed, retried, refused (SSRF) and logged.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { type TestContext, test } from 'node:test'
import { buildApp } from '../../../src/app.ts'
import { queueMention } from '../../../src/features/webmention/receive.ts'
import { processDueMentions, RETRY_DELAYS_MS } from '../../../src/features/webmention/worker.ts'
import { createTestDb, testConfig } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import {
  hEntryPage,
  htmlPage,
  queuedMentions,
  sendWebmention,
  startMentionSource,
  storedResponses,
} from '../../helpers/mention-source.ts'

const SITE = 'https://blog.example.com'
/** The wait after the `attempt`-th failure. */
const delayAfter = (attempt: number): number => RETRY_DELAYS_MS[attempt - 1] ?? Number.NaN

/** The app with a log to read back; private addresses are fetchable unless `allowPrivate` is false. */
async function mentionSite(t: TestContext, options: { allowPrivate?: boolean } = {}) {
  const { db, dir } = createTestDb(t)
  const config = testConfig(dir, {
    SITE_URL: SITE,
    FETCH_ALLOW_PRIVATE: options.allowPrivate === false ? 'false' : 'true',
  })
  const logs: { msg: string; reason?: string; source?: string }[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line))
      done()
    },
  })
  const app = await buildApp({ config, db, fastify: { logger: { level: 'info', stream } } })
  t.after(() => app.close())
  const post = createPost(db, { title: 'Hello world' })
  const target = `${SITE}/posts/${post.slug}`
  const source = await startMentionSource(t)
  /** Sends a mention of the post from `path` on the source site and waits until the worker is done with it. */
  const mention = async (path: string) => {
    const res = await sendWebmention(app, { source: source.url(path), target })
    assert.equal(res.statusCode, 202, res.body)
    await app.webmentions.drain()
  }
  return { app, db, config, post, target, source, logs, mention }
}

test('a reply with an h-entry becomes a pending response: kind, author and content, hostile markup gone', async (t) => {
  const { db, post, target, source, mention } = await mentionSite(t)
  source.serve(
    '/reply',
    hEntryPage(target, {
      property: 'u-in-reply-to',
      authorName: 'Alice Example',
      authorUrl: 'https://alice.example/',
      contentHtml:
        '<p>Great post!<script>alert(1)</script></p><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">me</a>',
    }),
  )
  await mention('/reply')
  const [response, ...others] = storedResponses(db)
  assert.equal(others.length, 0)
  assert.ok(response)
  assert.equal(response.postId, post.id)
  assert.equal(response.source, 'webmention')
  assert.equal(response.sourceUrl, source.url('/reply'))
  assert.equal(response.kind, 'reply')
  assert.equal(response.status, 'pending')
  assert.equal(response.authorName, 'Alice Example')
  assert.equal(response.authorUrl, 'https://alice.example/')
  assert.equal(response.publishedAt, Date.parse('2024-05-01T10:00:00Z'))
  assert.equal(response.contentHtml, '<p>Great post!</p><a rel="nofollow ugc noopener">me</a>')
  assert.deepEqual(queuedMentions(db), [], 'the queue row is done')
})

test('a like is stored as a like, with no content', async (t) => {
  const { db, target, source, mention } = await mentionSite(t)
  source.serve('/like', hEntryPage(target, { property: 'u-like-of' }))
  await mention('/like')
  const [like] = storedResponses(db)
  assert.equal(like?.kind, 'like')
  assert.equal(like?.contentHtml, '')
  assert.equal(like?.authorName, 'Alice Example')
})

test('a page without microformats that links is a mention with its title, signed by its host', async (t) => {
  const { db, target, source, mention } = await mentionSite(t)
  source.serve('/links', htmlPage(`<ul><li><a href="${target}">A good read</a></li></ul>`, 'Weekly links'))
  await mention('/links')
  const [row] = storedResponses(db)
  assert.equal(row?.kind, 'mention')
  assert.equal(row?.contentHtml, '<p>Weekly links</p>')
  assert.equal(row?.authorName, '127.0.0.1')
  assert.equal(row?.authorUrl, source.origin)
})

test('a source that does not link to the target, or answers 404, stores nothing', async (t) => {
  const { db, target, source, mention } = await mentionSite(t)
  source.serve('/unrelated', htmlPage(`<p>I did not link to ${target}, I only wrote it.</p>`))
  await mention('/unrelated')
  await mention('/missing')
  assert.deepEqual(source.requests, ['/unrelated', '/missing'])
  assert.deepEqual(storedResponses(db), [])
  assert.deepEqual(queuedMentions(db), [])
})

test('sent again after an edit, an approved response gets the new content and waits for approval again; after the link is gone, it is removed', async (t) => {
  const { db, target, source, mention } = await mentionSite(t)
  const reply = (text: string) =>
    hEntryPage(target, { property: 'u-in-reply-to', contentHtml: `<p>${text}</p>` })
  source.serve('/reply', reply('First thoughts.'))
  await mention('/reply')
  const first = storedResponses(db)[0]
  assert.ok(first)
  db.$client.prepare("update responses set status = 'approved'").run()

  source.serve('/reply', reply('Second thoughts, edited.'))
  await mention('/reply')
  const [edited, ...others] = storedResponses(db)
  assert.equal(others.length, 0, 'still one response for the source and post')
  assert.equal(edited?.id, first.id)
  assert.equal(edited?.contentHtml, '<p>Second thoughts, edited.</p>')
  assert.equal(edited?.status, 'pending', 'what shows is what was approved, never a later edit')

  // Sent again unchanged: the decision stands.
  db.$client.prepare("update responses set status = 'approved'").run()
  await mention('/reply')
  assert.equal(storedResponses(db)[0]?.status, 'approved')

  source.serve('/reply', htmlPage('<p>I took that reply back.</p>'))
  await mention('/reply')
  assert.deepEqual(storedResponses(db), [], 'the source no longer links: the response is deleted')
})

test('a source that is gone (410) removes its response; a rejected one stays rejected', async (t) => {
  const { db, target, source, mention } = await mentionSite(t)
  source.serve('/reply', hEntryPage(target, { property: 'u-in-reply-to' }))
  await mention('/reply')
  assert.equal(storedResponses(db).length, 1)
  source.serve('/reply', { status: 410, body: 'Gone' })
  await mention('/reply')
  assert.deepEqual(storedResponses(db), [])

  // Withdrawing and sending again never turns the author's "no" back into a question.
  source.serve('/reply', hEntryPage(target, { property: 'u-in-reply-to' }))
  await mention('/reply')
  db.$client.prepare("update responses set status = 'rejected'").run()
  source.serve('/reply', { status: 404, body: 'Not found' })
  await mention('/reply')
  source.serve('/reply', hEntryPage(target, { property: 'u-in-reply-to' }))
  await mention('/reply')
  assert.deepEqual(
    storedResponses(db).map((r) => r.status),
    ['rejected'],
  )
})

test('a reply that reads as spam is kept with status spam and its reasons', async (t) => {
  const { db, target, source, mention } = await mentionSite(t)
  source.serve(
    '/spam',
    hEntryPage(target, {
      property: 'u-in-reply-to',
      contentHtml:
        '<p>Best casino bonus! Buy followers and bitcoin, click here: <a href="https://a.example">1</a> <a href="https://b.example">2</a> <a href="https://c.example">3</a></p>',
    }),
  )
  await mention('/spam')
  const [row] = storedResponses(db)
  assert.equal(row?.status, 'spam')
  assert.ok((row?.spamScore ?? 0) >= 5)
  assert.match(row?.spamReasons ?? '', /spam phrases: .*casino/)
  assert.match(row?.spamReasons ?? '', /3 links/)
})

test('with private addresses refused (production), a source on 127.0.0.1 is never fetched and its mention is dropped with the reason logged', async (t) => {
  const { db, target, source, logs, mention } = await mentionSite(t, { allowPrivate: false })
  source.serve('/reply', hEntryPage(target, { property: 'u-in-reply-to' }))
  await mention('/reply')
  assert.deepEqual(source.requests, [], 'no request reached the loopback server')
  assert.deepEqual(queuedMentions(db), [])
  assert.deepEqual(storedResponses(db), [])
  const line = logs.find((entry) => entry.msg === 'webmention dropped: its source cannot be used')
  assert.ok(line, JSON.stringify(logs.map((entry) => entry.msg)))
  assert.match(line.reason ?? '', /private address \(127\.0\.0\.1\)/)
})

test('a failing source is retried with growing delays, then given up with a log line; one failure never holds up another mention', async (t) => {
  const { app, db, config, target, source, logs } = await mentionSite(t)
  source.serve('/down', { status: 503, body: 'Maintenance' })
  source.serve('/fine', hEntryPage(target, { property: 'u-in-reply-to' }))
  const sentAt = Date.now()
  for (const path of ['/down', '/fine']) {
    assert.equal((await sendWebmention(app, { source: source.url(path), target })).statusCode, 202)
  }
  await app.webmentions.drain()
  assert.equal(storedResponses(db).length, 1, 'the working source was stored')
  const [waiting, ...rest] = queuedMentions(db)
  assert.equal(rest.length, 0)
  assert.equal(waiting?.attempts, 1)
  assert.equal(waiting?.lastError, 'the source answered 503')
  const wait = (waiting?.nextAttemptAt ?? 0) - sentAt
  assert.ok(wait >= delayAfter(1) && wait < delayAfter(1) + 5000, `retried after ${wait} ms`)

  // Time passing, without waiting: each run happens when the last retry fell due.
  const log = app.log
  for (let attempt = 2; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    const due = new Date(queuedMentions(db)[0]?.nextAttemptAt ?? 0)
    assert.equal(await processDueMentions(db, config, { now: due, log }), 1)
    const row = queuedMentions(db)[0]
    assert.equal(row?.attempts, attempt)
    assert.equal(row?.nextAttemptAt, due.getTime() + delayAfter(attempt))
  }
  const last = new Date(queuedMentions(db)[0]?.nextAttemptAt ?? 0)
  await processDueMentions(db, config, { now: last, log })
  assert.deepEqual(queuedMentions(db), [], 'given up after the last retry')
  assert.ok(logs.some((entry) => entry.msg === 'webmention given up: its source could not be fetched'))
  assert.equal(source.requests.filter((path) => path === '/down').length, RETRY_DELAYS_MS.length + 1)
})

test('a source that recovers before its retry is verified then', async (t) => {
  const { app, db, config, target, source } = await mentionSite(t)
  source.serve('/flaky', { status: 500 })
  assert.equal((await sendWebmention(app, { source: source.url('/flaky'), target })).statusCode, 202)
  await app.webmentions.drain()
  assert.equal(queuedMentions(db)[0]?.attempts, 1)
  source.serve('/flaky', hEntryPage(target, { property: 'u-repost-of' }))
  await processDueMentions(db, config, { now: new Date(Date.now() + delayAfter(1)), log: app.log })
  assert.equal(storedResponses(db)[0]?.kind, 'repost')
  assert.deepEqual(queuedMentions(db), [])
})

test('a mention whose post was unpublished before it was checked is dropped without a fetch', async (t) => {
  const { app, db, config, post, target, source } = await mentionSite(t)
  source.serve('/reply', hEntryPage(target, { property: 'u-in-reply-to' }))
  // Queued as the endpoint would, then the post goes back to draft before the worker's turn.
  queueMention(
    db,
    { source: source.url('/reply'), target, senderIp: '192.0.2.1' },
    new Date(Date.now() + 60_000),
  )
  db.$client.prepare("update posts set status = 'draft' where id = ?").run(post.id)
  await processDueMentions(db, config, { now: new Date(Date.now() + 120_000), log: app.log })
  assert.deepEqual(source.requests, [])
  assert.deepEqual(queuedMentions(db), [])
  assert.deepEqual(storedResponses(db), [])
})

test('closing the app while a source is being fetched stops the worker cleanly', async (t) => {
  const { app, db, target, source } = await mentionSite(t)
  source.serve('/slow', { body: hEntryPage(target, { property: 'u-in-reply-to' }), delayMs: 300 })
  assert.equal((await sendWebmention(app, { source: source.url('/slow'), target })).statusCode, 202)
  const draining = app.webmentions.drain()
  await new Promise((resolve) => setTimeout(resolve, 50))
  await app.close()
  await draining
  assert.equal(storedResponses(db).length, 1, 'the fetch in flight was allowed to finish')
})
