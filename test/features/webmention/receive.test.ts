// Checks POST /webmention: a clear 400 for every bad request with nothing queued, 403 for a blocked source, the per-sender limit, and 202 with no CSRF token needed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { blockedSenders } from '../../../src/db/schema.ts'
import {
  checkMention,
  createSenderLimit,
  MAX_QUEUED_MENTIONS,
  MENTIONS_PER_SENDER_PER_HOUR,
  queueMention,
} from '../../../src/features/webmention/receive.ts'
import { senderOf } from '../../../src/lib/window-limit.ts'
import { createTestApp, createTestDb, rowCount } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import {
  hEntryPage,
  queuedMentions,
  sendWebmention,
  startMentionSource,
} from '../../helpers/mention-source.ts'

const SITE = 'https://blog.example.com'
const SOURCE = 'https://alice.example/notes/1'

async function siteWithPost(t: import('node:test').TestContext) {
  const built = await createTestApp(t, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true' })
  const post = createPost(built.db, { title: 'Hello world' })
  return { ...built, post, target: `${SITE}/posts/${post.slug}` }
}

function assertRefused(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  message: RegExp,
) {
  assert.equal(res.statusCode, status, res.body)
  assert.match(String(res.headers['content-type']), /^text\/plain/)
  assert.match(res.body, message)
}

test('a valid Webmention is answered 202 at once, from another site, without a cookie or CSRF token', async (t) => {
  const { app, db, target } = await siteWithPost(t)
  const source = await startMentionSource(t)
  source.serve('/note', hEntryPage(target, { property: 'u-in-reply-to' }))
  const res = await sendWebmention(
    app,
    { source: source.url('/note'), target },
    { headers: { origin: 'https://alice.example', 'sec-fetch-site': 'cross-site' } },
  )
  assert.equal(res.statusCode, 202)
  assert.match(String(res.headers['content-type']), /^text\/plain/)
  assert.match(res.body, /^Accepted/)
  await app.webmentions.drain()
  assert.deepEqual(source.requests, ['/note'], 'the worker fetched the source after the answer')
  assert.equal(rowCount(db, 'responses'), 1)
  assert.equal(rowCount(db, 'incoming_mentions'), 0)
})

test('missing, malformed, overlong or identical URLs get a 400 saying what is wrong, and nothing is queued', async (t) => {
  const { app, db, target } = await siteWithPost(t)
  const cases: [Record<string, string>, RegExp][] = [
    [{ target }, /^source is required/],
    [{ source: SOURCE }, /^target is required/],
    [{ source: '', target }, /^source is required/],
    [{ source: '/notes/1', target }, /^source must be an absolute http:\/\/ or https:\/\/ URL/],
    [{ source: 'javascript:alert(1)', target }, /^source must be an absolute http/],
    [{ source: 'ftp://alice.example/x', target }, /^source must be an absolute http/],
    [
      { source: `https://alice.example/${'a'.repeat(2100)}`, target },
      /^source is longer than 2048 characters/,
    ],
    [{ source: SOURCE, target: 'not a url' }, /^target must be an absolute http/],
    [{ source: target, target }, /^source and target must be different URLs/],
  ]
  for (const [fields, message] of cases) {
    assertRefused(await sendWebmention(app, fields), 400, message)
  }
  assert.equal(rowCount(db, 'incoming_mentions'), 0)
})

test('a target that is not a public post on this site gets 400 "target is not a post on this site"', async (t) => {
  const { app, db, target } = await siteWithPost(t)
  const draft = createPost(db, { title: 'Unfinished', status: 'draft' })
  const scheduled = createPost(db, { title: 'Next week', daysAgo: -7 })
  const targets = [
    `https://other.example/posts/${target.split('/').pop()}`,
    `http://blog.example.com/posts/${target.split('/').pop()}`,
    `${SITE}/`,
    `${SITE}/tags/web`,
    `${SITE}/about`,
    `${SITE}/posts/no-such-post`,
    `${SITE}/posts/${draft.slug}`,
    `${SITE}/posts/${scheduled.slug}`,
    `${SITE}/posts/%E0%A4%A`,
  ]
  for (const bad of targets) {
    assertRefused(
      await sendWebmention(app, { source: SOURCE, target: bad }),
      400,
      /^target is not a post on this site\n$/,
    )
  }
  assert.equal(rowCount(db, 'incoming_mentions'), 0)
})

test("a post's URL with a trailing slash, a fragment or a renamed slug is still its target; a query string is refused", async (t) => {
  const { db } = createTestDb(t)
  const post = createPost(db, { title: 'Old name' })
  db.$client
    .prepare('insert into post_redirects (old_slug, post_id, created_at) values (?, ?, ?)')
    .run('old-name-before', post.id, Date.now())
  for (const target of [
    `${SITE}/posts/${post.slug}/`,
    `${SITE}/posts/${post.slug}#comments`,
    `${SITE}/posts/old-name-before`,
  ]) {
    const check = checkMention(db, SITE, { source: SOURCE, target })
    assert.ok(check.ok, target)
    assert.equal(check.postId, post.id)
  }
  // Each query string would be one more queue row and one more fetch of the same source.
  const query = checkMention(db, SITE, { source: SOURCE, target: `${SITE}/posts/${post.slug}?utm_source=x` })
  assert.deepEqual(query, {
    ok: false,
    status: 400,
    message: 'target must be the post’s address, without a query string',
  })
  // A fragment on the source names a part of one page: one page, one response.
  const fragment = checkMention(db, SITE, {
    source: `${SOURCE}#reply-3`,
    target: `${SITE}/posts/${post.slug}`,
  })
  assert.equal(fragment.ok && fragment.source, SOURCE)
})

test('a blocked domain, its subdomains and a blocked address are refused with 403', async (t) => {
  const { app, db, target } = await siteWithPost(t)
  db.insert(blockedSenders).values({ kind: 'domain', value: 'spam.example', createdAt: new Date() }).run()
  db.insert(blockedSenders)
    .values({ kind: 'actor', value: 'https://blog.example.net/bad-page', createdAt: new Date() })
    .run()
  for (const source of [
    'https://spam.example/a',
    'https://www.spam.example/b',
    'https://blog.example.net/bad-page',
  ]) {
    assertRefused(await sendWebmention(app, { source, target }), 403, /not accepted/)
  }
  assert.equal(rowCount(db, 'incoming_mentions'), 0)
  const elsewhere = checkMention(db, SITE, { source: 'https://notspam.example/a', target })
  assert.ok(elsewhere.ok, 'a domain that only ends the same way is not blocked')
})

test(`mention number ${MENTIONS_PER_SENDER_PER_HOUR + 1} from one address within an hour gets 429 with Retry-After; others are unaffected`, async (t) => {
  const { app, target } = await siteWithPost(t)
  const source = await startMentionSource(t)
  for (let i = 1; i <= MENTIONS_PER_SENDER_PER_HOUR; i++) {
    const res = await sendWebmention(
      app,
      { source: source.url(`/n/${i}`), target },
      { remoteAddress: '192.0.2.50' },
    )
    assert.equal(res.statusCode, 202, `mention ${i}`)
  }
  const over = await sendWebmention(
    app,
    { source: source.url('/n/over'), target },
    { remoteAddress: '192.0.2.50' },
  )
  assertRefused(over, 429, /^Too many Webmentions from your address/)
  const retryAfter = Number(over.headers['retry-after'])
  assert.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`)
  const other = await sendWebmention(
    app,
    { source: source.url('/n/other'), target },
    { remoteAddress: '192.0.2.51' },
  )
  assert.equal(other.statusCode, 202)
  await app.webmentions.drain()
})

test('the limit counts accepted mentions only, in a window that ends an hour after the first', () => {
  const limit = createSenderLimit(2)
  const start = Date.UTC(2024, 0, 1)
  limit.count('a', start)
  limit.count('a', start + 1000)
  assert.deepEqual(limit.check('a', start + 2000), { allowed: false, retryAfterSeconds: 3598 })
  assert.deepEqual(limit.check('b', start + 2000), { allowed: true })
  assert.deepEqual(limit.check('a', start + 60 * 60 * 1000), { allowed: true })
})

test('sending the same source and target again keeps one queue row, due now, with its attempts reset', (t) => {
  const { db } = createTestDb(t)
  const pair = { source: SOURCE, target: `${SITE}/posts/x` }
  queueMention(db, { ...pair, senderIp: '192.0.2.1' }, new Date(1000))
  db.$client
    .prepare(
      "update incoming_mentions set attempts = 3, last_error = 'timed out', next_attempt_at = 99999999",
    )
    .run()
  queueMention(db, { ...pair, senderIp: '192.0.2.2' }, new Date(5000))
  const rows = queuedMentions(db)
  assert.equal(rows.length, 1)
  assert.deepEqual(
    { ...rows[0], id: 0 },
    {
      id: 0,
      ...{ sourceUrl: pair.source, targetUrl: pair.target },
      senderIp: '192.0.2.2',
      attempts: 0,
      nextAttemptAt: 5000,
      lastError: '',
    },
  )
})

test('a body that is not a form gets 415 in plain text; an oversized one 413', async (t) => {
  const { app, db, target } = await siteWithPost(t)
  const json = await app.inject({
    method: 'POST',
    url: '/webmention',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ source: SOURCE, target }),
  })
  assertRefused(json, 415, /application\/x-www-form-urlencoded/)
  const huge = await sendWebmention(app, { source: SOURCE, target, padding: 'x'.repeat(20_000) })
  assertRefused(huge, 413, /too large/)
  assert.equal(rowCount(db, 'incoming_mentions'), 0)
})

test('when thousands of mentions are already waiting, a new one gets 503 with Retry-After and is not queued', async (t) => {
  const { app, db, target } = await siteWithPost(t)
  db.$client
    .prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${MAX_QUEUED_MENTIONS})
       insert into incoming_mentions (source_url, target_url, received_at, next_attempt_at)
       select 'https://flood.example/' || i, ?, 0, ? from n`,
    )
    .run(target, Date.now() + 60 * 60 * 1000)
  const res = await sendWebmention(app, { source: SOURCE, target })
  assertRefused(res, 503, /try again later/)
  assert.ok(Number(res.headers['retry-after']) > 0)
  assert.equal(rowCount(db, 'incoming_mentions'), MAX_QUEUED_MENTIONS)
})

test('the per-sender limit counts an IPv6 /64 as one sender, and IPv4 addresses one by one', () => {
  assert.equal(senderOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  assert.equal(senderOf('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64')
  assert.equal(senderOf('2001:db8::1'), '2001:db8:0:0::/64')
  assert.equal(senderOf('::ffff:203.0.113.9'), '203.0.113.9')
  assert.equal(senderOf('203.0.113.9'), '203.0.113.9')
})
