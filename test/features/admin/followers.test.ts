// Checks the author's followers screen: the blog's address, the Accepted and Pending tabs with counts, approving, refusing, removing and blocking followers (each answered to their server), and its refusals.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.ts'
import { blockedSenders, followers } from '../../../src/db/schema.ts'
import { isBlockedSender } from '../../../src/features/responses/moderation.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { formatDateTime } from '../../../src/lib/dates.ts'
import { browser, formErrorIn, signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { addFollower, queuedActivities } from '../../helpers/followers.ts'

const SOCIAL = 'https://social.example'
const ELSEWHERE = 'https://elsewhere.example'

const statusOf = (db: Db, id: number) =>
  db.select({ status: followers.status }).from(followers).where(eq(followers.id, id)).get()?.status

/** Every follower, block and queued delivery, to show a refused request changed none of them. */
const followState = (db: Db) => ({
  followers: db.select().from(followers).all(),
  blocked: db.select().from(blockedSenders).all(),
  deliveries: queuedActivities(db),
})

/** Ids of the rows in a rendered list, top to bottom. */
const idsIn = (html: string): number[] =>
  [...html.matchAll(/name="ids" value="(\d+)"/g)].map((m) => Number(m[1]))

const tabCount = (html: string, label: string): number | undefined => {
  const m = new RegExp(`>${label} <span class="inbox-count">(\\d+)</span>`).exec(html)
  return m ? Number(m[1]) : undefined
}

const flashIn = (html: string): string | undefined =>
  /<p class="flash" role="status">([^<]*)<\/p>/.exec(html)?.[1]

/** What the blog's server told each follower's server: type, inbox, and the Follow it answers. */
const answers = (db: Db) =>
  queuedActivities(db).map((q) => {
    const object = q.activity.object as { id?: string; actor?: string }
    return { type: q.type, inbox: q.inboxUrl, follow: object.id, to: q.activity.to }
  })

test('an author who is not signed in is sent to the login page, and a POST changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const f = addFollower(db, SOCIAL, { status: 'pending' })
  const visitor = browser(app)
  for (const url of ['/admin/followers', '/admin/followers?status=pending&page=2']) {
    const res = await visitor.get(url)
    assert.equal(res.statusCode, 303, url)
    assert.match(String(res.headers.location), /^\/admin\/login\?next=%2Fadmin%2Ffollowers/, url)
  }
  const before = snapshotDb(db)
  for (const url of [
    `/admin/followers/${f.id}/approve`,
    `/admin/followers/${f.id}/block-domain`,
    '/admin/followers/bulk',
  ]) {
    const res = await visitor.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `ids=${f.id}&action=approve`,
    })
    assert.ok(res.statusCode === 401 || res.statusCode === 403, `${url}: ${res.statusCode}`)
  }
  assert.deepEqual(snapshotDb(db), before)
})

test('the screen shows the blog’s fediverse address and how people find it, in the navigation as Followers', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.get('/admin/followers')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.match(res.body, /<p class="followers-address__handle"><bdi>@blog@blog\.example\.com<\/bdi><\/p>/)
  assert.match(res.body, /search for this address and press Follow/)
  assert.match(res.body, /New followers are accepted at once\./)
  assert.match(res.body, /<a href="\/admin\/followers" aria-current="page">Followers<\/a>/)
  // With nobody following yet, the empty list says what to search for.
  assert.match(
    res.body,
    /No one follows the blog yet\. People on Mastodon and other fediverse servers can search for @blog@blog\.example\.com and press Follow\./,
  )

  saveSettings(db, { fediverseHandle: 'sam_writes', followApproval: 'manual' })
  const renamed = await author.get('/admin/followers?status=pending')
  assert.match(renamed.body, /<bdi>@sam_writes@blog\.example\.com<\/bdi>/)
  assert.match(renamed.body, /You approve each new follower here, under Pending\./)
  assert.match(renamed.body, /New follow requests wait here until you approve or refuse them\./)
})

test('Accepted and Pending are tabs with counts, newest first, and a tab that does not exist falls back to Accepted', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const older = addFollower(db, SOCIAL, { createdAt: new Date('2026-01-01T10:00:00Z') })
  const newer = addFollower(db, ELSEWHERE, { createdAt: new Date('2026-02-01T10:00:00Z') })
  const waiting = addFollower(db, SOCIAL, { status: 'pending' })

  const accepted = await author.get('/admin/followers')
  assert.deepEqual(idsIn(accepted.body), [newer.id, older.id])
  assert.equal(tabCount(accepted.body, 'Accepted'), 2)
  assert.equal(tabCount(accepted.body, 'Pending'), 1)
  assert.match(accepted.body, /<a href="\/admin\/followers" aria-current="page">Accepted/)
  assert.match(
    accepted.body,
    /<button type="submit" name="action" value="remove" class="button-secondary">Remove<\/button>/,
  )
  assert.doesNotMatch(accepted.body, /value="approve"/)

  const pending = await author.get('/admin/followers?status=pending')
  assert.deepEqual(idsIn(pending.body), [waiting.id])
  assert.match(pending.body, /<a href="\/admin\/followers\?status=pending" aria-current="page">Pending/)
  assert.match(pending.body, /value="approve" class="button-secondary">Approve<\/button>/)
  assert.match(pending.body, /value="reject" class="button-secondary">Refuse<\/button>/)

  assert.deepEqual(idsIn((await author.get('/admin/followers?status=bogus&page=x')).body), [
    newer.id,
    older.id,
  ])
})

test('a row shows the name linked to the profile as user content, the handle and since when', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { timezone: 'America/New_York' })
  const author = await signIn(app, db)
  const since = new Date('2026-03-04T15:05:00Z')
  addFollower(db, SOCIAL, {
    name: 'Jane Doe',
    handle: '@jane@social.example',
    profileUrl: 'https://social.example/@jane',
    createdAt: since,
  })
  const html = (await author.get('/admin/followers')).body
  assert.match(
    html,
    /<a href="https:\/\/social\.example\/@jane" rel="nofollow ugc noopener"><bdi>Jane Doe<\/bdi><\/a> <span class="muted follower-item__handle"><bdi>@jane@social\.example<\/bdi><\/span>/,
  )
  const label = formatDateTime(since, 'America/New_York')
  assert.match(
    html,
    new RegExp(
      `Following since <time datetime="2026-03-04T15:05:00.000Z" title="2026-03-04 15:05 UTC">${label}</time>`,
    ),
  )
})

test('hostile names, handles and profile addresses stay inert', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  addFollower(db, SOCIAL, {
    name: '<script>alert(1)</script>Mallory',
    handle: '@"><img src=x onerror=alert(1)>@social.example',
    profileUrl: 'javascript:alert(1)',
    actorId: 'https://social.example/users/mallory"><b>',
  })
  const html = (await author.get('/admin/followers')).body
  assert.doesNotMatch(html, /<script>alert/)
  assert.doesNotMatch(html, /<img/)
  assert.doesNotMatch(html, /href="javascript:/)
  assert.match(html, /<bdi>&lt;script&gt;alert\(1\)&lt;\/script&gt;Mallory<\/bdi>/)
  assert.match(html, /<bdi>@&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;@social\.example<\/bdi>/)
  // The profile is not a web address, so the link goes to the actor, escaped.
  assert.match(
    html,
    /href="https:\/\/social\.example\/users\/mallory&quot;&gt;&lt;b&gt;" rel="nofollow ugc noopener"/,
  )
})

test('approving a pending follower accepts it and queues an Accept of their Follow to their inbox', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const f = addFollower(db, SOCIAL, { status: 'pending' })
  const other = addFollower(db, SOCIAL, { status: 'pending' })

  const res = await author.post(
    `/admin/followers/${f.id}/approve`,
    { status: 'pending', page: '1' },
    '/admin/followers?status=pending',
  )
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/followers?status=pending&done=followers-approved')
  assert.equal(statusOf(db, f.id), 'accepted')
  assert.equal(statusOf(db, other.id), 'pending')
  assert.deepEqual(answers(db), [
    { type: 'Accept', inbox: f.inboxUrl, follow: f.followActivityId, to: [f.actorId] },
  ])
  const [queued] = queuedActivities(db)
  assert.equal(queued?.activity.actor, 'https://blog.example.com/ap/actor')

  const flash = flashIn((await author.get('/admin/followers?status=pending&done=followers-approved')).body)
  assert.match(String(flash), /^Approved\./)

  // Approving again sends nothing more.
  await author.post(`/admin/followers/${f.id}/approve`, {}, '/admin/followers')
  assert.equal(queuedActivities(db).length, 1)
})

test('refusing a pending follower or removing an accepted one deletes it and queues a Reject', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const asking = addFollower(db, SOCIAL, { status: 'pending' })
  const following = addFollower(db, ELSEWHERE)
  const staying = addFollower(db, ELSEWHERE)

  const refused = await author.post(
    `/admin/followers/${asking.id}/reject`,
    { status: 'pending' },
    '/admin/followers?status=pending',
  )
  assert.equal(refused.statusCode, 303)
  assert.equal(refused.headers.location, '/admin/followers?status=pending&done=followers-refused')
  const removed = await author.post(
    `/admin/followers/${following.id}/remove`,
    { page: '1' },
    '/admin/followers',
  )
  assert.equal(removed.statusCode, 303)
  assert.equal(removed.headers.location, '/admin/followers?done=followers-removed')

  assert.equal(statusOf(db, asking.id), undefined)
  assert.equal(statusOf(db, following.id), undefined)
  assert.equal(statusOf(db, staying.id), 'accepted')
  assert.deepEqual(answers(db), [
    { type: 'Reject', inbox: asking.inboxUrl, follow: asking.followActivityId, to: [asking.actorId] },
    {
      type: 'Reject',
      inbox: following.inboxUrl,
      follow: following.followActivityId,
      to: [following.actorId],
    },
  ])
  const list = await author.get('/admin/followers?done=followers-removed')
  assert.match(String(flashIn(list.body)), /^Removed\./)
  assert.deepEqual(idsIn(list.body), [staying.id])
})

test('blocking an account removes that follower and records the block', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const troll = addFollower(db, SOCIAL)
  const neighbour = addFollower(db, SOCIAL)

  const res = await author.post(`/admin/followers/${troll.id}/block-account`, {}, '/admin/followers')
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/followers?done=followers-blocked')
  assert.equal(statusOf(db, troll.id), undefined)
  assert.equal(statusOf(db, neighbour.id), 'accepted')
  assert.deepEqual(
    db
      .select()
      .from(blockedSenders)
      .all()
      .map((b) => [b.kind, b.value]),
    [['actor', troll.actorId]],
  )
  assert.equal(isBlockedSender(db, [troll.actorId]), true)
  // As with Mastodon's blocks, their server is not told; the blog's posts just stop reaching them.
  assert.deepEqual(answers(db), [])
  assert.match(String(flashIn((await author.get(String(res.headers.location))).body)), /^Blocked\./)
})

test('blocking a domain removes every follower on it and its subdomains, and no one else', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const one = addFollower(db, 'https://www.spam.example')
  const two = addFollower(db, 'https://eu.spam.example', { status: 'pending' })
  const lookalike = addFollower(db, 'https://notspam.example')
  const innocent = addFollower(db, SOCIAL)

  const page = (await author.get('/admin/followers')).body
  assert.match(page, /<button type="submit" class="button-danger">Block <bdi>spam\.example<\/bdi><\/button>/)

  const res = await author.post(`/admin/followers/${one.id}/block-domain`, {}, '/admin/followers')
  assert.equal(res.statusCode, 303)
  assert.deepEqual(
    [one, two, lookalike, innocent].map((f) => statusOf(db, f.id)),
    [undefined, undefined, 'accepted', 'accepted'],
  )
  assert.deepEqual(
    db
      .select()
      .from(blockedSenders)
      .all()
      .map((b) => [b.kind, b.value]),
    [['domain', 'spam.example']],
  )
  assert.deepEqual(answers(db), [])
})

test('bulk actions act on every ticked follower and return to the same tab and page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const [a, b, c] = [1, 2, 3].map(() => addFollower(db, SOCIAL, { status: 'pending' }))
  assert.ok(a && b && c)

  const approve = await author.post(
    '/admin/followers/bulk',
    { action: 'approve', ids: [String(a.id), String(b.id), '99999'], status: 'pending', page: '1' },
    '/admin/followers?status=pending',
  )
  assert.equal(approve.statusCode, 303)
  assert.equal(approve.headers.location, '/admin/followers?status=pending&done=followers-approved')
  assert.deepEqual(
    [a, b, c].map((f) => statusOf(db, f.id)),
    ['accepted', 'accepted', 'pending'],
  )
  assert.deepEqual(
    answers(db).map((x) => x.type),
    ['Accept', 'Accept'],
  )

  const remove = await author.post(
    '/admin/followers/bulk',
    { action: 'remove', ids: [String(a.id), String(b.id)], page: '2' },
    '/admin/followers',
  )
  assert.equal(remove.headers.location, '/admin/followers?page=2&done=followers-removed')
  assert.deepEqual(
    [a, b, c].map((f) => statusOf(db, f.id)),
    [undefined, undefined, 'pending'],
  )
  assert.deepEqual(
    answers(db).map((x) => x.type),
    ['Accept', 'Accept', 'Reject', 'Reject'],
  )
})

test('bad requests get a clear 4xx and change nothing: empty selection, junk action, unknown ids', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const f = addFollower(db, SOCIAL, { status: 'pending' })
  const before = followState(db)

  const bulk = (fields: Record<string, string | string[]>) =>
    author.post('/admin/followers/bulk', fields, '/admin/followers')
  const none = await bulk({ action: 'approve', status: 'pending' })
  assert.equal(none.statusCode, 422)
  assert.match(String(formErrorIn(none.body)), /Select at least one follower first/)
  const junk = await bulk({ action: 'follow-everyone', ids: String(f.id), status: 'pending' })
  assert.equal(junk.statusCode, 422)
  assert.match(String(formErrorIn(junk.body)), /Choose what to do with the selected followers/)
  // The refused list is the tab it came from, with the ticked box kept.
  assert.match(junk.body, new RegExp(`value="${f.id}" id="select-${f.id}" checked`))
  const gone = await bulk({ action: 'approve', ids: '99999' })
  assert.equal(gone.statusCode, 422)
  assert.match(String(formErrorIn(gone.body)), /no longer here/)

  for (const url of [
    '/admin/followers/99999/approve',
    '/admin/followers/abc/reject',
    '/admin/followers/0/remove',
    '/admin/followers/1e3/block-account',
    '/admin/followers/99999/block-domain',
  ]) {
    const res = await author.post(url, {}, '/admin/followers')
    assert.equal(res.statusCode, 404, url)
    assert.match(res.body, /Follower not found/, url)
  }
  const unknownAction = await author.post(`/admin/followers/${f.id}/promote`, {}, '/admin/followers')
  assert.equal(unknownAction.statusCode, 404)
  assert.deepEqual(followState(db), before)
})

test('every followers form sent without its CSRF token is refused with 403 and changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const f = addFollower(db, SOCIAL, { status: 'pending' })
  await author.csrfFrom('/admin/followers')
  const before = snapshotDb(db)
  const posts: [string, Record<string, string | string[]>][] = [
    [`/admin/followers/${f.id}/approve`, {}],
    [`/admin/followers/${f.id}/reject`, {}],
    [`/admin/followers/${f.id}/remove`, {}],
    [`/admin/followers/${f.id}/block-account`, {}],
    [`/admin/followers/${f.id}/block-domain`, {}],
    ['/admin/followers/bulk', { action: 'approve', ids: [String(f.id)] }],
  ]
  for (const [url, fields] of posts) {
    const missing = await author.post(url, { ...fields, _csrf: '' })
    assert.equal(missing.statusCode, 403, url)
    const forged = await author.post(url, { ...fields, _csrf: 'forged-token' })
    assert.equal(forged.statusCode, 403, url)
  }
  assert.deepEqual(snapshotDb(db), before)
})

test('many followers are shown 25 a page, with links between pages, and reading them writes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (let i = 0; i < 30; i++) addFollower(db, SOCIAL, { createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)) })
  const before = snapshotDb(db)
  const first = await author.get('/admin/followers')
  assert.equal(idsIn(first.body).length, 25)
  assert.match(first.body, /Page 1 of 2/)
  assert.match(first.body, /<a href="\/admin\/followers\?page=2" rel="next">Older followers →<\/a>/)
  const second = await author.get('/admin/followers?page=2')
  assert.equal(idsIn(second.body).length, 5)
  assert.match(second.body, /<a href="\/admin\/followers" rel="prev">← Newer followers<\/a>/)
  // A page beyond the end shows the last one.
  assert.deepEqual(idsIn((await author.get('/admin/followers?page=9')).body), idsIn(second.body))
  assert.deepEqual(snapshotDb(db), before)
})

test('the dashboard shows how many follow the blog, and how many wait when some do', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  addFollower(db, SOCIAL)
  addFollower(db, ELSEWHERE)
  const quiet = (await author.get('/admin')).body
  assert.match(quiet, /<a href="\/admin\/followers"><span class="big-number">2<\/span> on the fediverse<\/a>/)
  assert.doesNotMatch(quiet, /waiting for your approval/)

  addFollower(db, SOCIAL, { status: 'pending' })
  const busy = (await author.get('/admin')).body
  assert.match(busy, /<a href="\/admin\/followers\?status=pending">1 waiting for your approval<\/a>/)
})
