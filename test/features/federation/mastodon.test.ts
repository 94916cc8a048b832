// Checks Folio against a Mastodon-like peer over real sockets: discovery, following, publishing, replies, likes and boosts, refusals, blocking, and the delivery queue's retries and 410.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { saveUpload } from '../../../src/features/media/service.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { postForm, type SignedIn, signIn } from '../../helpers/admin.ts'
import { rowCount } from '../../helpers/app.ts'
import { type LiveSite, startSite } from '../../helpers/browser.ts'
import { createPost, testImage } from '../../helpers/fixtures.ts'
import {
  type Discovered,
  type Json,
  type MastodonPeer,
  type Received,
  startMastodonPeer,
} from '../../helpers/mastodon-peer.ts'

const HOUR = 60 * 60 * 1000

interface Blog extends LiveSite {
  /** 127.0.0.1:port */
  readonly host: string
  /** @blog@127.0.0.1:port, what a Mastodon user types */
  readonly handle: string
  readonly author: SignedIn
}

/** A real Folio listening on a loopback port, allowed to fetch loopback addresses (the peer lives there). */
async function startBlog(t: TestContext): Promise<Blog> {
  const site = await startSite(t, { FETCH_ALLOW_PRIVATE: 'true' })
  const host = new URL(site.baseUrl).host
  const author = await signIn(site.app, site.db)
  return { ...site, host, handle: `@blog@${host}`, author }
}

/**
 * Runs the delivery worker until nothing is due, then waits for the peer to have what `found`
 * looks for (the worker also runs on its own, so the wait covers a worker that is not drained).
 */
async function deliver<T>(
  blog: Blog,
  peer: MastodonPeer,
  found: (received: Received[]) => T | undefined | false,
): Promise<T> {
  await blog.app.deliveries?.drain()
  return peer.waitFor(found)
}

/** Makes every queued delivery due now, as if the retry delay had passed. */
const retryNow = (db: Db) => db.$client.prepare('update deliveries set next_attempt_at = 0').run()

const followerRows = (db: Db) =>
  db.$client
    .prepare('select actor_id, handle, status, inbox_url, shared_inbox_url from followers order by id')
    .all() as {
    actor_id: string
    handle: string
    status: string
    inbox_url: string
    shared_inbox_url: string
  }[]

const responseRows = (db: Db) =>
  db.$client
    .prepare(
      'select id, kind, status, source, source_url, actor_id, author_name, in_reply_to, content_html from responses order by id',
    )
    .all() as {
    id: number
    kind: string
    status: string
    source: string
    source_url: string
    actor_id: string
    author_name: string
    in_reply_to: string
    content_html: string
  }[]

/** What a refused request must leave untouched. */
const counts = (db: Db) => ({
  followers: rowCount(db, 'followers'),
  responses: rowCount(db, 'responses'),
  deliveries: rowCount(db, 'deliveries'),
})

/** The activities of `type` the peer accepted (answered 2xx), whose object has `objectId`. */
const accepted = (received: Received[], type: string, objectId?: string) =>
  received.filter(
    (r) =>
      r.status < 300 &&
      r.activity?.type === type &&
      (objectId === undefined || (r.activity.object?.id ?? r.activity.object) === objectId),
  )

/** The blog followed by `as` (alice unless told), with the Accept delivered. */
async function followed(
  blog: Blog,
  peer: MastodonPeer,
  username = 'alice',
): Promise<{ target: Discovered; follow: Json }> {
  const { follow, response, target } = await peer.follow(blog.handle, peer.user(username))
  assert.ok(
    response.status >= 200 && response.status < 300,
    `the Follow got ${response.status}: ${response.body}`,
  )
  await deliver(blog, peer, (received) => accepted(received, 'Accept', follow.id)[0])
  return { target, follow }
}

/** Publishes through the editor, as the author does; returns the post's id, page and object id. */
async function publish(blog: Blog, fields: Record<string, string>) {
  const res = await blog.author.post('/admin/posts', postForm(fields))
  assert.equal(res.statusCode, 303, res.body)
  const id = Number(/^\/admin\/posts\/(\d+)/.exec(String(res.headers.location))?.[1])
  const slug = blog.db.$client.prepare('select slug from posts where id = ?').pluck().get(id) as string
  return { id, path: `/posts/${slug}`, objectId: `${blog.baseUrl}/ap/posts/${id}` }
}

/** The post page's "Responses" section, or '' when it has none. */
async function responsesSection(blog: Blog, path: string): Promise<string> {
  const page = await blog.app.inject({ url: path, headers: { accept: 'text/html' } })
  assert.equal(page.statusCode, 200)
  return /<section class="responses"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? ''
}

async function approve(blog: Blog, id: number) {
  const res = await blog.author.post(`/admin/responses/${id}/approve`, {}, '/admin/responses')
  assert.equal(res.statusCode, 303, res.body)
}

test('a Mastodon user finds the blog by its handle: WebFinger, then the actor with its inbox and key', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t)

  const found = await peer.discover(blog.handle)
  assert.equal(found.actorId, `${blog.baseUrl}/ap/actor`)
  const actor = found.actor
  assert.equal(actor.type, 'Person')
  assert.equal(actor.preferredUsername, 'blog')
  assert.equal(typeof actor.name, 'string')
  assert.equal(actor.inbox, `${blog.baseUrl}/ap/inbox`)
  assert.equal(actor.endpoints?.sharedInbox, `${blog.baseUrl}/ap/inbox`)
  assert.equal(actor.url, `${blog.baseUrl}/`)
  assert.equal(actor.publicKey?.id, `${blog.baseUrl}/ap/actor#main-key`)
  assert.equal(actor.publicKey?.owner, actor.id)
  assert.match(actor.publicKey?.publicKeyPem ?? '', /^-----BEGIN PUBLIC KEY-----/)

  const home = await blog.app.inject({ url: '/', headers: { accept: 'text/html' } })
  // The page may offer line breaks inside the handle (<wbr>); a reader sees the handle whole.
  assert.ok(
    home.body.replace(/<wbr>/g, '').includes(blog.handle),
    'the home page shows the handle people type',
  )

  await assert.rejects(peer.discover(`@nobody@${blog.host}`), /WebFinger .* answered 404/)
})

test('following: a signed Accept names the Follow, the follower is listed, and Undo removes them', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t)
  const alice = peer.user('alice')

  const { follow, response, target } = await peer.follow(blog.handle, alice)
  assert.equal(response.status, 202, response.body)
  const accept = await deliver(blog, peer, (received) => accepted(received, 'Accept', follow.id)[0])
  assert.equal(accept.verified, true, accept.problems.join('; '))
  assert.deepEqual(accept.problems, [])
  assert.equal(accept.keyId, `${blog.baseUrl}/ap/actor#main-key`)
  assert.equal(accept.activity.actor, target.actorId)

  assert.deepEqual(followerRows(blog.db), [
    {
      actor_id: alice.actorId,
      handle: alice.handle,
      status: 'accepted',
      inbox_url: alice.inbox,
      shared_inbox_url: peer.sharedInbox,
    },
  ])
  const listed = await blog.author.get('/admin/followers')
  assert.equal(listed.statusCode, 200)
  assert.ok(listed.body.includes(alice.handle), 'the follower appears in /admin/followers')

  // The blog fetched alice's key with a signed GET (authorized fetch), and the peer could verify it.
  const keyFetches = peer.fetched.filter((f) => f.path === `/users/${alice.username}`)
  assert.ok(keyFetches.length > 0, 'the blog fetched the follower’s actor')
  assert.ok(
    keyFetches.every((f) => f.signed),
    'every actor fetch was signed',
  )
  assert.deepEqual(
    await Promise.all(keyFetches.map((f) => f.verified)),
    keyFetches.map(() => true),
  )

  const undo = await peer.undo(follow, target, alice)
  assert.ok(undo.status >= 200 && undo.status < 300, `Undo got ${undo.status}`)
  assert.equal(rowCount(blog.db, 'followers'), 0)
})

test('with manual approval a Follow waits for the author: approving sends Accept, removing sends Reject', async (t) => {
  const blog = await startBlog(t)
  saveSettings(blog.db, { followApproval: 'manual' })
  const peer = await startMastodonPeer(t)
  const alice = peer.user('alice')

  const { follow, response, target } = await peer.follow(blog.handle, alice)
  assert.equal(
    target.actor.manuallyApprovesFollowers,
    true,
    'Mastodon shows a padlock and "Request to follow"',
  )
  assert.equal(response.status, 202, response.body)
  await blog.app.deliveries?.drain()
  assert.deepEqual(accepted(peer.received, 'Accept'), [], 'no Accept before the author decides')
  assert.deepEqual(
    followerRows(blog.db).map((f) => [f.actor_id, f.status]),
    [[alice.actorId, 'pending']],
  )

  const id = blog.db.$client.prepare('select id from followers').pluck().get() as number
  const approved = await blog.author.post(`/admin/followers/${id}/approve`, {}, '/admin/followers')
  assert.equal(approved.statusCode, 303, approved.body)
  const accept = await deliver(blog, peer, (received) => accepted(received, 'Accept', follow.id)[0])
  assert.deepEqual(accept.problems, [])
  assert.equal(followerRows(blog.db)[0]?.status, 'accepted')

  const removed = await blog.author.post(`/admin/followers/${id}/remove`, {}, '/admin/followers')
  assert.equal(removed.statusCode, 303, removed.body)
  const reject = await deliver(blog, peer, (received) => accepted(received, 'Reject', follow.id)[0])
  assert.deepEqual(reject.problems, [])
  assert.equal(rowCount(blog.db, 'followers'), 0)
})

test('publishing, editing and deleting a post send signed Create, Update and Delete of an Article, once per server', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t, ['alice', 'bob'])
  await followed(blog, peer, 'alice')
  await followed(blog, peer, 'bob')

  const image = await saveUpload(blog.db, blog.config.mediaDir, {
    buffer: await testImage('jpeg', 1200, 630),
    originalName: 'rack.jpg',
    alt: 'A server rack <glowing>',
  })
  const post = await publish(blog, {
    title: 'Caching on a small VPS',
    body: 'How I cache **everything**.\n\nSecond paragraph.',
    tags: 'Caching, Web performance',
    feature_image: String(image.id),
  })
  const create = await deliver(blog, peer, (received) => accepted(received, 'Create', post.objectId)[0])
  assert.equal(create.verified, true, create.problems.join('; '))
  assert.deepEqual(create.problems, [])
  assert.equal(create.path, '/inbox', 'delivered to the shared inbox')
  const article = create.activity.object
  assert.equal(article.type, 'Article')
  assert.equal(article.name, 'Caching on a small VPS')
  assert.equal(article.url, `${blog.baseUrl}${post.path}`)
  assert.equal(article.attributedTo, `${blog.baseUrl}/ap/actor`)
  assert.match(article.content, /<strong>everything<\/strong>/)
  const hashtags = (article.tag as Json[]).filter((tag) => tag.type === 'Hashtag')
  // Mastodon matches hashtags without regard to case.
  assert.deepEqual(hashtags.map((tag) => tag.name.toLowerCase()).sort(), ['#caching', '#webperformance'])
  for (const tag of hashtags) assert.ok(String(tag.href).startsWith(`${blog.baseUrl}/tags/`), tag.href)
  const [attachment, ...more] = article.attachment as Json[]
  assert.deepEqual(more, [])
  assert.equal(attachment.type, 'Image')
  assert.equal(attachment.mediaType, 'image/jpeg')
  assert.equal(attachment.name, 'A server rack <glowing>', 'alt text travels as plain text')
  assert.ok(String(attachment.url).startsWith(`${blog.baseUrl}/`), attachment.url)
  const picture = await fetch(attachment.url)
  assert.equal(picture.status, 200, 'Mastodon can fetch the image')
  assert.match(String(picture.headers.get('content-type')), /^image\//)

  // Two followers on one server: one delivery to its shared inbox.
  assert.equal(accepted(peer.received, 'Create', post.objectId).length, 1)

  // Mastodon fetches the object by its id: the same Article, as JSON.
  const fetched = await peer.fetch(post.objectId)
  assert.equal(fetched.status, 200)
  assert.match(String(fetched.headers['content-type']), /^application\/activity\+json/)
  assert.equal(JSON.parse(fetched.body).id, post.objectId)
  // A post's address pasted into Mastodon's search box: the page answers with the same object.
  const pasted = await peer.fetch(`${blog.baseUrl}${post.path}`)
  assert.equal(pasted.status, 200)
  assert.match(String(pasted.headers['content-type']), /^application\/activity\+json/)
  assert.equal(JSON.parse(pasted.body).id, post.objectId)
  const page = await peer.fetch(`${blog.baseUrl}${post.path}`, 'text/html')
  assert.match(String(page.headers['content-type']), /^text\/html/)

  const edited = await blog.author.post(
    `/admin/posts/${post.id}`,
    postForm({ title: 'Caching on a small VPS', body: 'How I cache *almost* everything.', tags: 'Caching' }),
    `/admin/posts/${post.id}`,
  )
  assert.equal(edited.statusCode, 303, edited.body)
  const update = await deliver(blog, peer, (received) => accepted(received, 'Update', post.objectId)[0])
  assert.deepEqual(update.problems, [])
  assert.match(update.activity.object.content, /<em>almost<\/em>/)

  const removed = await blog.author.post(
    `/admin/posts/${post.id}/delete`,
    {},
    `/admin/posts/${post.id}/delete`,
  )
  assert.equal(removed.statusCode, 303, removed.body)
  const deleted = await deliver(blog, peer, (received) => accepted(received, 'Delete', post.objectId)[0])
  assert.deepEqual(deleted.problems, [])
  assert.equal(deleted.verified, true)

  assert.equal(accepted(peer.received, 'Create', post.objectId).length, 1, 'nothing was sent twice')
  assert.equal(accepted(peer.received, 'Update', post.objectId).length, 1)
  assert.equal(rowCount(blog.db, 'deliveries'), 0)
})

test('a scheduled post is sent when it goes live, by the worker on its own', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t)
  await followed(blog, peer)

  const goesLive = new Date(Date.now() + 2000)
  const post = createPost(blog.db, { title: 'Out on the hour', publishedAt: goesLive })
  const objectId = `${blog.baseUrl}/ap/posts/${post.id}`
  await blog.app.deliveries?.drain()
  assert.equal(rowCount(blog.db, 'deliveries'), 0, 'nothing is queued before the post is public')
  // No drain from here: the worker notices the publish time itself, as the page cache does.
  const create = await peer.waitFor((received) => accepted(received, 'Create', objectId)[0])
  assert.ok(create.at >= goesLive, `sent at ${create.at.toISOString()}, before ${goesLive.toISOString()}`)
  assert.deepEqual(create.problems, [])
})

test('a reply waits in the admin, shows under the post once approved with its hostile HTML inert, and its Update and Delete are honoured', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t, ['alice', 'bob'])
  const { target } = await followed(blog, peer)
  const post = await publish(blog, { title: 'Replies welcome', body: 'Tell me what you think.' })
  await deliver(blog, peer, (received) => accepted(received, 'Create', post.objectId)[0])

  const hostile =
    '<p>Great post, thanks!<script>alert(1)</script><img src="x" onerror="alert(2)">' +
    '<a href="javascript:alert(3)">click</a> <span onclick="alert(4)">hi</span></p>'
  const { note, response } = await peer.reply(target, post.objectId, hostile)
  assert.equal(response.status, 202, response.body)

  const [stored] = responseRows(blog.db)
  assert.ok(stored, 'the reply was stored')
  assert.equal(stored.status, 'pending')
  assert.equal(stored.kind, 'reply')
  assert.equal(stored.source, 'activitypub')
  assert.equal(stored.source_url, note.id)
  assert.equal(stored.actor_id, peer.user('alice').actorId)
  assert.equal(await responsesSection(blog, post.path), '', 'nothing shows before the author approves')
  const queue = await blog.author.get('/admin/responses')
  assert.ok(queue.body.includes('Great post, thanks!'), 'the reply is in the moderation queue')
  assert.doesNotMatch(queue.body, /<script>alert|onerror=|javascript:alert/)

  await approve(blog, stored.id)
  const shown = await responsesSection(blog, post.path)
  assert.match(shown, /Great post, thanks!/)
  assert.ok(shown.includes('Alice Example'), 'the author name shows')
  assert.ok(shown.includes(peer.user('alice').profileUrl), 'the name links to their profile')
  assert.doesNotMatch(shown, /<script|onerror|onclick|javascript:/i)

  // Another account on the same server cannot take alice's reply back.
  const bob = peer.user('bob')
  const forged = await peer.send(
    target.inbox,
    {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${bob.actorId}#delete-${stored.id}`,
      type: 'Delete',
      actor: bob.actorId,
      object: { id: note.id, type: 'Tombstone' },
    },
    bob,
  )
  assert.ok(forged.status < 500, `a Delete from someone else: ${forged.status}`)
  assert.match(await responsesSection(blog, post.path), /Great post, thanks!/)

  // A reply to the reply is kept with what it answers, and shows once approved.
  const answer = await peer.reply(target, note.id, '<p>Agreed with Alice.</p>', bob)
  assert.equal(answer.response.status, 202, answer.response.body)
  const threaded = responseRows(blog.db).find((r) => r.source_url === answer.note.id)
  assert.equal(threaded?.in_reply_to, note.id)
  await approve(blog, threaded?.id ?? 0)
  const thread = await responsesSection(blog, post.path)
  assert.ok(
    thread.indexOf('Agreed with Alice.') > thread.indexOf('Great post, thanks!'),
    'the answer follows the reply',
  )
  assert.equal(await peer.delete(target, answer.note, bob).then((r) => r.status), 202)

  // An edit after approval waits for the author again: what shows is only ever what was approved.
  const updated = await peer.update(target, note, '<p>Great post, edited.</p>')
  assert.equal(updated.status, 202, updated.body)
  assert.deepEqual(
    responseRows(blog.db).map((r) => [r.id, r.status]),
    [[stored.id, 'pending']],
  )
  assert.doesNotMatch(await responsesSection(blog, post.path), /Great post/)
  await approve(blog, stored.id)
  const afterUpdate = await responsesSection(blog, post.path)
  assert.match(afterUpdate, /Great post, edited\./)
  assert.doesNotMatch(afterUpdate, /thanks!/)

  const gone = await peer.delete(target, note)
  assert.equal(gone.status, 202, gone.body)
  assert.equal(rowCount(blog.db, 'responses'), 0)
  assert.doesNotMatch(await responsesSection(blog, post.path), /Great post/)
})

test('likes and boosts show as counts under the post once approved', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t, ['alice', 'bob'])
  const { target } = await followed(blog, peer)
  const post = await publish(blog, { title: 'Worth a boost', body: 'Short and useful.' })

  const aliceLike = await peer.like(target, post.objectId, peer.user('alice'))
  assert.equal(aliceLike.response.status, 202)
  assert.equal((await peer.like(target, post.objectId, peer.user('bob'))).response.status, 202)
  assert.equal((await peer.announce(target, post.objectId, peer.user('bob'))).response.status, 202)
  const rows = responseRows(blog.db)
  assert.deepEqual(rows.map((r) => [r.kind, r.status]).sort(), [
    ['like', 'pending'],
    ['like', 'pending'],
    ['repost', 'pending'],
  ])
  for (const row of rows) await approve(blog, row.id)
  const shown = await responsesSection(blog, post.path)
  assert.match(shown, /2 likes/)
  assert.match(shown, /1 (repost|boost)/)

  // Un-liking on Mastodon sends Undo(Like): the count goes down.
  const undone = await peer.undo(aliceLike.activity, target, peer.user('alice'))
  assert.equal(undone.status, 202, undone.body)
  const after = await responsesSection(blog, post.path)
  assert.match(after, /\b1 like\b/)
  assert.match(after, /1 (repost|boost)/)
})

test('a wrong signature, a stale Date, a wrong Digest, another actor’s key and no signature each get 401 and change nothing', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t, ['alice', 'bob'])
  const alice = peer.user('alice')
  const bob = peer.user('bob')
  const { target } = await followed(blog, peer, 'alice')
  const post = await publish(blog, { title: 'Signed or nothing', body: 'Only signed replies count.' })
  await deliver(blog, peer, (received) => accepted(received, 'Create', post.objectId)[0])
  const before = counts(blog.db)

  const spoilers = {
    'a wrong signature': { badSignature: true },
    'a stale Date': { dateOffsetMs: -13 * HOUR },
    'a Date from the future': { dateOffsetMs: 13 * HOUR },
    'a wrong Digest': { wrongDigest: true },
    'another actor’s key': { signAs: bob },
    'no signature': { unsigned: true },
  }
  for (const [name, tamper] of Object.entries(spoilers)) {
    const follow = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${alice.actorId}#follows/${name.replace(/\W+/g, '-')}`,
      type: 'Follow',
      actor: alice.actorId,
      object: target.actorId,
    }
    // alice already follows: a refused Undo must not remove her; a refused reply must not be stored.
    const undo = {
      ...follow,
      id: `${follow.id}/undo`,
      type: 'Undo',
      object: { ...follow, '@context': undefined },
    }
    const reply = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${alice.actorId}/statuses/forged-${name.replace(/\W+/g, '-')}/activity`,
      type: 'Create',
      actor: alice.actorId,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      object: {
        id: `${alice.actorId}/statuses/forged-${name.replace(/\W+/g, '-')}`,
        type: 'Note',
        attributedTo: alice.actorId,
        inReplyTo: post.objectId,
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        content: '<p>Forged</p>',
      },
    }
    for (const activity of [undo, reply]) {
      const res = await peer.send(target.inbox, activity, alice, tamper)
      assert.equal(res.status, 401, `${name} (${activity.type}): ${res.status} ${res.body}`)
    }
  }
  await blog.app.deliveries?.drain()
  assert.deepEqual(counts(blog.db), before)
  assert.equal(followerRows(blog.db)[0]?.actor_id, alice.actorId)
})

test('a blocked domain is refused at the inbox with 403 and its follows are removed', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t, ['alice', 'bob'])
  const { target } = await followed(blog, peer, 'alice')
  const post = await publish(blog, { title: 'Spam magnet', body: 'Some words.' })
  await peer.reply(target, post.objectId, '<p>Buy cheap things</p>')
  const [reply] = responseRows(blog.db)
  assert.ok(reply)

  const blocked = await blog.author.post(
    `/admin/responses/${reply.id}/block-domain`,
    { domain: '127.0.0.1' },
    '/admin/responses',
  )
  assert.equal(blocked.statusCode, 303, blocked.body)
  assert.equal(rowCount(blog.db, 'followers'), 0, 'the blocked domain’s follows are removed')

  const before = counts(blog.db)
  const follow = await peer.follow(blog.handle, peer.user('bob'))
  assert.equal(follow.response.status, 403)
  const again = await peer.reply(target, post.objectId, '<p>Still here</p>', peer.user('bob'))
  assert.equal(again.response.status, 403)
  const like = await peer.like(target, post.objectId, peer.user('bob'))
  assert.equal(like.response.status, 403)
  assert.deepEqual(counts(blog.db), before)
})

test('a delivery refused with 500 three times is retried and arrives exactly once', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t)
  await followed(blog, peer)

  peer.answerNext(500, 500, 500)
  const post = await publish(blog, { title: 'Worth the wait', body: 'Retried until it lands.' })
  for (let attempt = 1; attempt <= 3; attempt++) {
    await deliver(
      blog,
      peer,
      (received) => received.filter((r) => r.activity?.object?.id === post.objectId).length >= attempt,
    )
    assert.equal(rowCount(blog.db, 'deliveries'), 1, `still queued after failure ${attempt}`)
    retryNow(blog.db)
  }
  await deliver(blog, peer, (received) => accepted(received, 'Create', post.objectId)[0])
  const attempts = peer.received.filter((r) => r.activity?.object?.id === post.objectId)
  assert.deepEqual(
    attempts.map((r) => r.status),
    [500, 500, 500, 202],
  )
  assert.ok(
    attempts.every((r) => r.verified),
    'every attempt was signed afresh and verifies',
  )
  assert.equal(new Set(attempts.map((r) => r.activity.id)).size, 1, 'the same activity each time')
  assert.equal(rowCount(blog.db, 'deliveries'), 0)
  await blog.app.deliveries?.drain()
  assert.equal(accepted(peer.received, 'Create', post.objectId).length, 1)
})

test('an inbox that answers 410 Gone loses its followers', async (t) => {
  const blog = await startBlog(t)
  const peer = await startMastodonPeer(t, ['alice', 'bob'])
  await followed(blog, peer, 'alice')
  await followed(blog, peer, 'bob')
  assert.equal(rowCount(blog.db, 'followers'), 2)

  peer.answerAlways(410)
  const post = await publish(blog, { title: 'Anyone there?', body: 'Hello?' })
  await deliver(blog, peer, (received) => received.find((r) => r.activity?.object?.id === post.objectId))
  await blog.app.deliveries?.drain()
  assert.equal(rowCount(blog.db, 'followers'), 0)
  assert.equal(rowCount(blog.db, 'deliveries'), 0)
  const listed = await blog.author.get('/admin/followers')
  assert.ok(!listed.body.includes(peer.user('alice').handle))
})
