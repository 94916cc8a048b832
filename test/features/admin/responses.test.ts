// Checks the author's responses screen: lists by status with counts, moderating one or many, blocking and unblocking senders, and its refusals.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.ts'
import { blockedSenders, responses } from '../../../src/db/schema.ts'
import { isBlockedSender } from '../../../src/features/responses/moderation.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { formatDateTime } from '../../../src/lib/dates.ts'
import { browser, formErrorIn, signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, createResponse } from '../../helpers/fixtures.ts'

const addResponse = createResponse

const statusOf = (db: Db, id: number) =>
  db.select({ status: responses.status }).from(responses).where(eq(responses.id, id)).get()?.status

/** Every response and block, to show a refused request changed none of them. */
const moderationState = (db: Db) => ({
  responses: db.select().from(responses).all(),
  blocked: db.select().from(blockedSenders).all(),
})

/** Ids of the rows in a rendered list, top to bottom. */
const idsIn = (html: string): number[] =>
  [...html.matchAll(/name="ids" value="(\d+)"/g)].map((m) => Number(m[1]))

/** The number a status tab shows. */
const tabCount = (html: string, label: string): number | undefined => {
  const m = new RegExp(`>${label} <span class="inbox-count">(\\d+)</span>`).exec(html)
  return m ? Number(m[1]) : undefined
}

const flashIn = (html: string): string | undefined =>
  /<p class="flash" role="status">([^<]*)<\/p>/.exec(html)?.[1]

test('an author who is not signed in is sent to the login page, and a POST changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const r = addResponse(db, post.id)
  const visitor = browser(app)
  for (const url of ['/admin/responses', '/admin/responses?status=spam&page=2']) {
    const res = await visitor.get(url)
    assert.equal(res.statusCode, 303, url)
    assert.match(String(res.headers.location), /^\/admin\/login\?next=%2Fadmin%2Fresponses/, url)
  }
  const before = snapshotDb(db)
  for (const url of [`/admin/responses/${r.id}/approve`, '/admin/responses/bulk']) {
    const res = await visitor.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `ids=${r.id}&action=approve`,
    })
    assert.ok(res.statusCode === 401 || res.statusCode === 403, `${url}: ${res.statusCode}`)
  }
  assert.deepEqual(snapshotDb(db), before)
})

test('the list shows one status at a time, newest first, with a count on every tab and pending in the navigation', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db, { title: 'Caching on a small VPS' })
  const older = addResponse(db, post.id)
  const newer = addResponse(db, post.id)
  const approved = addResponse(db, post.id, { status: 'approved' })
  const spam = addResponse(db, post.id, {
    status: 'spam',
    spamScore: 7,
    spamReasons: JSON.stringify(['Too many links', 'Known spam word <b>']),
  })

  const res = await author.get('/admin/responses')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.deepEqual(idsIn(res.body), [newer.id, older.id])
  assert.equal(tabCount(res.body, 'Pending'), 2)
  assert.equal(tabCount(res.body, 'Approved'), 1)
  assert.equal(tabCount(res.body, 'Rejected'), 0)
  assert.equal(tabCount(res.body, 'Spam'), 1)
  assert.match(
    res.body,
    /href="\/admin\/responses" aria-current="page">Responses <span class="badge">2<span class="visually-hidden"> pending/,
  )
  assert.match(res.body, /<a href="\/admin\/responses" aria-current="page">Pending/)

  const spamList = await author.get('/admin/responses?status=spam')
  assert.deepEqual(idsIn(spamList.body), [spam.id])
  assert.match(
    spamList.body,
    /Spam score 7: <bdi>Too many links<\/bdi>; <bdi>Known spam word &lt;b&gt;<\/bdi>/,
  )
  assert.deepEqual(idsIn((await author.get('/admin/responses?status=approved')).body), [approved.id])

  const empty = await author.get('/admin/responses?status=rejected')
  assert.deepEqual(idsIn(empty.body), [])
  assert.match(empty.body, /Nothing rejected\./)
  // A status that does not exist falls back to Pending rather than failing.
  assert.deepEqual(idsIn((await author.get('/admin/responses?status=bogus&page=x')).body), [
    newer.id,
    older.id,
  ])
})

test('a row shows the kind, the author linked as user content, the post, the source, the time and the content', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { timezone: 'America/New_York' })
  const author = await signIn(app, db)
  const post = createPost(db, { title: 'Caching on a small VPS' })
  const receivedAt = new Date('2026-03-04T15:05:00Z')
  const r = addResponse(db, post.id, {
    authorName: 'Jane <script>alert(1)</script>',
    authorUrl: 'https://jane.example/',
    sourceUrl: 'https://jane.example/notes/1',
    contentHtml: '<p>Great post, <em>thanks</em>.</p>',
    receivedAt,
  })
  const hostile = addResponse(db, post.id, { authorName: 'Mallory', authorUrl: 'javascript:alert(1)' })

  const html = (await author.get('/admin/responses')).body
  assert.match(
    html,
    /<span class="response-kind">Reply<\/span> from <a href="https:\/\/jane\.example\/" rel="nofollow ugc noopener"><bdi>Jane &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/bdi><\/a>/,
  )
  assert.doesNotMatch(html, /<script>alert/)
  assert.match(html, /On <a href="\/posts\/caching-on-a-small-vps">Caching on a small VPS<\/a>/)
  assert.match(html, new RegExp(`href="/admin/posts/${post.id}">edit post</a>`))
  assert.match(html, /Source: <a href="https:\/\/jane\.example\/notes\/1" rel="nofollow ugc noopener">/)
  const label = formatDateTime(receivedAt, 'America/New_York')
  assert.equal(label, '4 March 2026, 10:05')
  assert.match(
    html,
    new RegExp(`<time datetime="2026-03-04T15:05:00.000Z" title="2026-03-04 15:05 UTC">${label}</time>`),
  )
  assert.match(
    html,
    new RegExp(
      `<div class="response-content" tabindex="0" role="region" aria-labelledby="response-${r.id}-head"><p>Great post, <em>thanks</em>\\.</p></div>`,
    ),
  )
  // Only http(s) addresses become links: a javascript: author is shown as plain text.
  assert.doesNotMatch(html, /href="javascript:/)
  assert.match(html, /from <bdi>Mallory<\/bdi>/)
  // Destructive actions live behind their own disclosure, away from Approve.
  const row = html.slice(html.indexOf(`value="${hostile.id}"`))
  assert.ok(row.indexOf('Approve') < row.indexOf('<details class="response-more">'))
  assert.ok(row.indexOf('<details class="response-more">') < row.indexOf('Delete for good'))
})

test('approve, reject, mark spam and delete each act on one response and return to the same tab with a message', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const r = addResponse(db, post.id)
  const other = addResponse(db, post.id)

  const steps = [
    { path: 'approve', status: 'approved', done: 'responses-approved' },
    { path: 'reject', status: 'rejected', done: 'responses-rejected' },
    { path: 'spam', status: 'spam', done: 'responses-spam' },
  ] as const
  for (const step of steps) {
    const res = await author.post(
      `/admin/responses/${r.id}/${step.path}`,
      { status: 'pending', page: '1' },
      '/admin/responses',
    )
    assert.equal(res.statusCode, 303, step.path)
    assert.equal(res.headers.location, `/admin/responses?done=${step.done}`)
    assert.equal(statusOf(db, r.id), step.status)
  }
  const flash = flashIn((await author.get('/admin/responses?done=responses-spam')).body)
  assert.match(String(flash), /Marked as spam/)

  const deleted = await author.post(
    `/admin/responses/${r.id}/delete`,
    { status: 'spam', page: '1' },
    '/admin/responses?status=spam',
  )
  assert.equal(deleted.statusCode, 303)
  assert.equal(deleted.headers.location, '/admin/responses?status=spam&done=responses-deleted')
  assert.equal(statusOf(db, r.id), undefined)
  assert.equal(statusOf(db, other.id), 'pending')
})

test('bulk actions change every selected response and return to the same status and page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const [a, b, c] = [addResponse(db, post.id), addResponse(db, post.id), addResponse(db, post.id)]
  assert.ok(a && b && c)

  const approve = await author.post(
    '/admin/responses/bulk',
    { action: 'approve', ids: [String(a.id), String(b.id), '99999'], status: 'pending', page: '1' },
    '/admin/responses',
  )
  assert.equal(approve.statusCode, 303)
  assert.equal(approve.headers.location, '/admin/responses?done=responses-approved')
  assert.deepEqual(
    [statusOf(db, a.id), statusOf(db, b.id), statusOf(db, c.id)],
    ['approved', 'approved', 'pending'],
  )

  const spam = await author.post(
    '/admin/responses/bulk',
    { action: 'spam', ids: [String(a.id), String(b.id)], status: 'approved', page: '2' },
    '/admin/responses?status=approved',
  )
  assert.equal(spam.headers.location, '/admin/responses?status=approved&page=2&done=responses-spam')
  assert.equal(statusOf(db, a.id), 'spam')

  const unconfirmed = await author.post(
    '/admin/responses/bulk',
    { action: 'delete', ids: [String(a.id), String(b.id)], status: 'spam' },
    '/admin/responses?status=spam',
  )
  assert.equal(unconfirmed.statusCode, 422)
  assert.match(String(formErrorIn(unconfirmed.body)), /Nothing was deleted/)
  // The selection is kept so the author only has to tick the box.
  assert.match(unconfirmed.body, new RegExp(`value="${a.id}" id="select-${a.id}" checked`))
  assert.equal(statusOf(db, a.id), 'spam')

  const confirmed = await author.post(
    '/admin/responses/bulk',
    { action: 'delete', ids: [String(a.id), String(b.id)], status: 'spam', confirm: 'yes' },
    '/admin/responses?status=spam',
  )
  assert.equal(confirmed.statusCode, 303)
  assert.equal(confirmed.headers.location, '/admin/responses?status=spam&done=responses-deleted')
  assert.deepEqual(
    [statusOf(db, a.id), statusOf(db, b.id), statusOf(db, c.id)],
    [undefined, undefined, 'pending'],
  )
})

test('bad requests get a clear 4xx and change nothing: empty selection, junk action, unknown ids', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const r = addResponse(db, post.id)
  const before = moderationState(db)

  const bulk = async (fields: Record<string, string | string[]>) =>
    author.post('/admin/responses/bulk', fields, '/admin/responses')
  const none = await bulk({ action: 'approve' })
  assert.equal(none.statusCode, 422)
  assert.match(String(formErrorIn(none.body)), /Select at least one response first/)
  const junk = await bulk({ action: 'publish-everything', ids: String(r.id) })
  assert.equal(junk.statusCode, 422)
  assert.match(String(formErrorIn(junk.body)), /Choose what to do with the selected responses/)
  const malformed = await bulk({ action: 'approve', ids: ['abc', '-1', '1e3'] })
  assert.equal(malformed.statusCode, 422)
  const gone = await bulk({ action: 'approve', ids: '99999' })
  assert.equal(gone.statusCode, 422)
  assert.match(String(formErrorIn(gone.body)), /no longer here/)

  for (const url of [
    '/admin/responses/99999/approve',
    '/admin/responses/abc/reject',
    '/admin/responses/0/delete',
    '/admin/responses/99999/block-domain',
    '/admin/responses/blocked/99999/unblock',
  ]) {
    const res = await author.post(url, {}, '/admin/responses')
    assert.equal(res.statusCode, 404, url)
    assert.match(res.body, /not found/, url)
  }
  const wrongDomain = await author.post(
    `/admin/responses/${r.id}/block-domain`,
    { domain: 'innocent.example' },
    '/admin/responses',
  )
  assert.equal(wrongDomain.statusCode, 422)
  assert.match(String(formErrorIn(wrongDomain.body)), /Nothing was blocked/)
  // (A POST records the session's activity; nothing about responses or blocks changed.)
  assert.deepEqual(moderationState(db), before)
})

test('blocking a domain rejects its pending responses (subdomains too), keeps approved ones, and unblocking lifts it', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const spammy = addResponse(db, post.id, {
    authorUrl: 'https://www.spam.example/me',
    sourceUrl: 'https://www.spam.example/p/1',
  })
  const sub = addResponse(db, post.id, { authorUrl: '', sourceUrl: 'https://blog.spam.example/x' })
  const kept = addResponse(db, post.id, {
    status: 'approved',
    authorUrl: 'https://spam.example/',
    sourceUrl: 'https://spam.example/old',
  })
  const lookalike = addResponse(db, post.id, {
    authorUrl: 'https://notspam.example/',
    sourceUrl: 'https://notspam.example/spam.example',
  })
  const innocent = addResponse(db, post.id)

  const page = (await author.get('/admin/responses')).body
  assert.match(
    page,
    /<input type="hidden" name="domain" value="spam\.example">\s*<button type="submit" class="button-danger">Block <bdi>spam\.example<\/bdi><\/button>/,
  )

  const res = await author.post(
    `/admin/responses/${spammy.id}/block-domain`,
    { domain: 'spam.example', status: 'pending', page: '1' },
    '/admin/responses',
  )
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/responses?done=responses-blocked')
  assert.deepEqual(
    [spammy, sub, kept, lookalike, innocent].map((r) => statusOf(db, r.id)),
    ['rejected', 'rejected', 'approved', 'pending', 'pending'],
  )
  assert.equal(isBlockedSender(db, ['https://deep.blog.spam.example/post']), true)
  assert.equal(isBlockedSender(db, ['https://notspam.example/']), false)

  // Blocking again is harmless: still one entry.
  await author.post(
    `/admin/responses/${spammy.id}/block-domain`,
    { domain: 'spam.example' },
    '/admin/responses',
  )
  const blocks = db.select().from(blockedSenders).all()
  assert.deepEqual(
    blocks.map((b) => [b.kind, b.value]),
    [['domain', 'spam.example']],
  )

  const list = await author.get('/admin/responses?done=responses-blocked')
  assert.match(String(flashIn(list.body)), /^Blocked\./)
  assert.match(
    list.body,
    /Domain <bdi class="response-address">spam\.example<\/bdi> <span class="muted">and its subdomains<\/span>/,
  )

  const block = blocks[0]
  assert.ok(block)
  const unblock = await author.post(
    `/admin/responses/blocked/${block.id}/unblock`,
    { status: 'rejected' },
    '/admin/responses',
  )
  assert.equal(unblock.statusCode, 303)
  assert.equal(unblock.headers.location, '/admin/responses?status=rejected&done=responses-unblocked')
  assert.equal(db.select().from(blockedSenders).all().length, 0)
  assert.equal(isBlockedSender(db, ['https://spam.example/']), false)
  assert.equal(statusOf(db, spammy.id), 'rejected')
})

test('blocking one sender rejects only what that address sent', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const troll = addResponse(db, post.id, {
    authorUrl: 'https://social.example/@troll',
    source: 'activitypub',
  })
  const again = addResponse(db, post.id, {
    authorUrl: 'https://social.example/@troll',
    sourceUrl: 'https://social.example/2',
  })
  const neighbour = addResponse(db, post.id, { authorUrl: 'https://social.example/@friend' })

  const res = await author.post(`/admin/responses/${troll.id}/block-sender`, {}, '/admin/responses')
  assert.equal(res.statusCode, 303)
  assert.deepEqual(
    [troll, again, neighbour].map((r) => statusOf(db, r.id)),
    ['rejected', 'rejected', 'pending'],
  )
  assert.deepEqual(
    db
      .select()
      .from(blockedSenders)
      .all()
      .map((b) => [b.kind, b.value]),
    [['actor', 'https://social.example/@troll']],
  )
  assert.equal(isBlockedSender(db, ['https://social.example/@troll']), true)
  assert.equal(isBlockedSender(db, ['https://social.example/@friend']), false)
})

test('every responses form sent without its CSRF token is refused with 403 and changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const r = addResponse(db, post.id)
  const block = db
    .insert(blockedSenders)
    .values({ kind: 'domain', value: 'blocked.example', createdAt: new Date() })
    .returning()
    .get()
  await author.csrfFrom('/admin/responses') // the CSRF cookie is there; only the form field is missing
  const before = snapshotDb(db)
  const posts: [string, Record<string, string | string[]>][] = [
    [`/admin/responses/${r.id}/approve`, {}],
    [`/admin/responses/${r.id}/reject`, {}],
    [`/admin/responses/${r.id}/spam`, {}],
    [`/admin/responses/${r.id}/delete`, {}],
    [`/admin/responses/${r.id}/block-domain`, { domain: 'example.net' }],
    [`/admin/responses/${r.id}/block-sender`, {}],
    [`/admin/responses/blocked/${block.id}/unblock`, {}],
    ['/admin/responses/bulk', { action: 'delete', ids: [String(r.id)], confirm: 'yes' }],
  ]
  for (const [url, fields] of posts) {
    const missing = await author.post(url, { ...fields, _csrf: '' })
    assert.equal(missing.statusCode, 403, url)
    const forged = await author.post(url, { ...fields, _csrf: 'forged-token' })
    assert.equal(forged.statusCode, 403, url)
  }
  assert.deepEqual(snapshotDb(db), before)
})

test('reading the list, any tab or page, and a refused GET to an action never write to the database', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const r = addResponse(db, post.id)
  addResponse(db, post.id, { status: 'spam' })
  db.insert(blockedSenders)
    .values({ kind: 'actor', value: 'https://x.example/@a', createdAt: new Date() })
    .run()
  await author.get('/admin/responses') // the CSRF cookie is set once
  const before = snapshotDb(db)
  for (const url of [
    '/admin/responses',
    '/admin/responses?status=approved',
    '/admin/responses?status=rejected',
    '/admin/responses?status=spam&page=3',
    '/admin/responses?done=responses-approved',
    `/admin/responses/${r.id}/approve`,
    `/admin/responses/${r.id}/delete`,
  ]) {
    const res = await author.get(url)
    assert.ok(res.statusCode === 200 || res.statusCode === 404, `${url}: ${res.statusCode}`)
  }
  assert.deepEqual(snapshotDb(db), before)
  assert.equal(statusOf(db, r.id), 'pending')
})

test('long lists are paged 25 at a time, with page links that keep the status', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const all = Array.from({ length: 30 }, () => addResponse(db, post.id, { status: 'rejected' }))
  const newestFirst = all.map((r) => r.id).reverse()

  const first = await author.get('/admin/responses?status=rejected')
  assert.deepEqual(idsIn(first.body), newestFirst.slice(0, 25))
  assert.match(first.body, /<nav class="pagination" aria-label="Pages of responses">/)
  assert.match(
    first.body,
    /href="\/admin\/responses\?status=rejected&amp;page=2" rel="next">Older responses →/,
  )
  const second = await author.get('/admin/responses?status=rejected&page=2')
  assert.deepEqual(idsIn(second.body), newestFirst.slice(25))
  assert.match(second.body, /Page 2 of 2/)
  assert.match(second.body, /href="\/admin\/responses\?status=rejected" rel="prev">← Newer responses/)
  // The forms on page 2 send back to page 2.
  assert.match(second.body, /name="page" value="2"/)
  // Beyond the end shows the last page.
  assert.deepEqual(
    idsIn((await author.get('/admin/responses?status=rejected&page=9')).body),
    newestFirst.slice(25),
  )
})

test('the dashboard says how many responses wait, linking to them', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  addResponse(db, post.id)
  addResponse(db, post.id)
  addResponse(db, post.id, { status: 'approved' })
  const card = /<section class="card" aria-labelledby="responses-title">([\s\S]*?)<\/section>/.exec(
    (await author.get('/admin')).body,
  )?.[1]
  assert.match(
    String(card),
    /<a href="\/admin\/responses"><span class="big-number">2<\/span> waiting for you<\/a>/,
  )
})
