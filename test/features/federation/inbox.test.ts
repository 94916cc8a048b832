// Checks POST /ap/inbox as a remote server meets it: follows, replies, likes and boosts land where the author sees them; every refusal (401, 400, 403, 413, 415, 429) changes nothing.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, type TestContext, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../src/db/client.ts'
import { actorKeyPair } from '../../../src/features/federation/keys.ts'
import { createRemoteActors } from '../../../src/features/federation/remote-actors.ts'
import { blockSender } from '../../../src/features/responses/moderation.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp, createTestDb, rowCount, testConfig } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { addFollower, queuedActivities } from '../../helpers/followers.ts'
import { type PeerKeys, peerKeys, peerSignCavage, peerVerifyCavage } from '../../helpers/http-signatures.ts'

const SITE = 'https://blog.example.com'
const OUR_ACTOR = `${SITE}/ap/actor`
const INBOX = `${SITE}/ap/inbox`
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'

interface RemoteUser {
  readonly id: string
  readonly keyId: string
  readonly inbox: string
  readonly profile: string
  readonly keys: PeerKeys
}

/** A fediverse server on a loopback port: serves its users' actors, records the GETs made of them, takes deliveries. */
const remote = {
  origin: '',
  users: new Map<string, RemoteUser>(),
  gets: [] as { path: string; headers: Record<string, string> }[],
  /** What its inboxes answer: 503 keeps Folio's deliveries queued, where a test can read them. */
  inboxStatus: 503,
  /** Paths of accounts deleted for good: answered 410. */
  gone: new Set<string>(),
  user(name: string): RemoteUser {
    const found = this.users.get(name)
    if (found) return found
    const id = `${this.origin}/users/${name}`
    const user = {
      id,
      keyId: `${id}#main-key`,
      inbox: `${id}/inbox`,
      profile: `${this.origin}/@${name}`,
      keys: peerKeys(),
    }
    this.users.set(name, user)
    return user
  },
}

/** The actor document a user's server serves, with `changes` applied. */
const actorDocument = (user: RemoteUser, changes: Record<string, unknown> = {}) => ({
  '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
  id: user.id,
  type: 'Person',
  preferredUsername: user.id.split('/').pop(),
  name: user.id.endsWith('/alice') ? 'Alice Example' : '',
  url: user.profile,
  inbox: user.inbox,
  endpoints: { sharedInbox: `${remote.origin}/inbox` },
  publicKey: { id: user.keyId, owner: user.id, publicKeyPem: user.keys.publicKeyPem },
  ...changes,
})

/** Other documents the server answers with, by path: they win over the users' actors. */
const documents = new Map<string, { type?: string; body: unknown }>()

const server = createServer((request: IncomingMessage, response) => {
  const path = request.url ?? '/'
  if (request.method === 'POST') {
    request.resume()
    response.writeHead(remote.inboxStatus).end()
    return
  }
  remote.gets.push({ path, headers: request.headers as Record<string, string> })
  if (remote.gone.has(path)) {
    response.writeHead(410).end()
    return
  }
  const name = /^\/users\/([a-z]+)$/.exec(path)?.[1]
  const user = name === undefined ? undefined : remote.users.get(name)
  const document = documents.get(path) ?? (user && { body: actorDocument(user) })
  if (!document) {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, { 'content-type': document.type ?? 'application/activity+json' })
  response.end(JSON.stringify(document.body))
})

before(async () => {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  remote.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => server.close())

async function blog(t: TestContext) {
  const built = await createTestApp(t, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true' })
  const post = createPost(built.db, { title: 'Hello fediverse' })
  remote.inboxStatus = 503
  return { ...built, post, postObject: `${SITE}/ap/posts/${post.id}`, postPage: `${SITE}/posts/${post.slug}` }
}

interface Send {
  /** Who signs; by default the activity's own actor. */
  readonly signer?: RemoteUser
  readonly body?: string
  readonly headers?: Record<string, string>
  readonly date?: Date
}

/** POSTs `activity` to the inbox signed the way Mastodon signs, by the test peer's own code. */
function deliver(
  app: FastifyInstance,
  by: RemoteUser,
  activity: Record<string, unknown>,
  options: Send = {},
) {
  const body =
    options.body ??
    JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', actor: by.id, ...activity })
  const signer = options.signer ?? by
  const signed = peerSignCavage({
    method: 'POST',
    url: INBOX,
    body,
    keyId: signer.keyId,
    privateKeyPem: signer.keys.privateKeyPem,
    date: options.date,
  })
  return app.inject({
    method: 'POST',
    url: '/ap/inbox',
    headers: { ...signed, 'content-type': 'application/activity+json', ...options.headers },
    payload: body,
  })
}

let counter = 0
const nextId = (user: RemoteUser, kind: string) => `${user.id}/${kind}/${++counter}`

const followOf = (user: RemoteUser) => ({ id: nextId(user, 'follows'), type: 'Follow', object: OUR_ACTOR })

function note(user: RemoteUser, inReplyTo: string, content: string, extra: Record<string, unknown> = {}) {
  return {
    id: nextId(user, 'statuses'),
    type: 'Note',
    attributedTo: user.id,
    inReplyTo,
    content,
    published: '2026-01-02T10:00:00Z',
    to: [PUBLIC],
    cc: [`${user.id}/followers`],
    ...extra,
  }
}

const reply = (object: Record<string, unknown>, type = 'Create') => ({
  id: `${object.id}/activity/${++counter}`,
  type,
  object,
})

type Row = Record<string, unknown>
const followerRows = (db: Db): Row[] =>
  db.$client.prepare('select * from followers order by id').all() as Row[]
const responseRows = (db: Db): Row[] =>
  db.$client.prepare('select * from responses order by id').all() as Row[]

/** Everything a refused request must leave as it was. */
const snapshot = (db: Db) =>
  JSON.stringify({
    followers: followerRows(db),
    responses: responseRows(db),
    deliveries: db.$client.prepare('select * from deliveries order by id').all(),
  })

test('a Follow is accepted at once: the follower is stored and an Accept naming it is queued for their inbox', async (t) => {
  const { app, db } = await blog(t)
  const alice = remote.user('alice')
  const follow = followOf(alice)
  const res = await deliver(app, alice, follow)
  assert.equal(res.statusCode, 202, res.body)
  assert.match(String(res.headers['content-type']), /^text\/plain/)

  const [follower, ...more] = followerRows(db)
  assert.equal(more.length, 0)
  assert.equal(follower?.actor_id, alice.id)
  assert.equal(follower?.status, 'accepted')
  assert.equal(follower?.inbox_url, alice.inbox)
  assert.equal(follower?.shared_inbox_url, `${remote.origin}/inbox`)
  assert.equal(follower?.handle, `@alice@${new URL(remote.origin).host}`)
  assert.equal(follower?.name, 'Alice Example')
  assert.equal(follower?.profile_url, alice.profile)
  assert.equal(follower?.follow_activity_id, follow.id)

  const queued = queuedActivities(db)
  assert.deepEqual(
    queued.map((q) => [q.inboxUrl, q.type, q.objectId]),
    [[alice.inbox, 'Accept', follow.id]],
  )
  assert.equal(queued[0]?.activity.actor, OUR_ACTOR)

  // Folio fetched her actor with a GET signed by the blog's key, for servers that require it.
  const get = remote.gets.findLast((g) => g.path === '/users/alice')
  const keys = actorKeyPair(db)
  assert.ok(get && keys)
  const checked = peerVerifyCavage({
    method: 'GET',
    url: `${remote.origin}/users/alice`,
    headers: get.headers,
    publicKeyPem: keys.publicKeyPem,
  })
  assert.equal(checked.valid, true)
  assert.equal(checked.keyId, `${OUR_ACTOR}#main-key`)

  // Her server lost track and follows again: she gets a new Accept, and stays one follower.
  const again = followOf(alice)
  assert.equal((await deliver(app, alice, again)).statusCode, 202)
  assert.equal(rowCount(db, 'followers'), 1)
  assert.deepEqual(
    queuedActivities(db).map((q) => q.objectId),
    [follow.id, again.id],
  )
  // What she read of the blog's profile as she followed is recorded: a later change is sent to her.
  const seen = db.$client.prepare('select actor_version from federation_keys').pluck().get()
  assert.match(String(seen), /^[\w-]{43}$/)
})

test('with manual approval a Follow waits for the author and nothing is sent', async (t) => {
  const { app, db } = await blog(t)
  saveSettings(db, { followApproval: 'manual' })
  const bob = remote.user('bob')
  const res = await deliver(app, bob, followOf(bob))
  assert.equal(res.statusCode, 202)
  assert.deepEqual(
    followerRows(db).map((f) => [f.actor_id, f.status, f.name, f.handle]),
    [[bob.id, 'pending', '', `@bob@${new URL(remote.origin).host}`]],
  )
  assert.equal(rowCount(db, 'deliveries'), 0)
})

test('an Undo of the Follow, or the Delete of the account, ends the follow', async (t) => {
  const { app, db } = await blog(t)
  const alice = remote.user('alice')
  const bob = remote.user('bob')
  const follow = followOf(alice)
  await deliver(app, alice, follow)
  await deliver(app, bob, followOf(bob))
  assert.equal(rowCount(db, 'followers'), 2)

  // Bob cannot undo Alice's follow.
  const forged = await deliver(app, bob, {
    id: nextId(bob, 'undo'),
    type: 'Undo',
    object: { ...follow, actor: alice.id },
  })
  assert.equal(forged.statusCode, 202)
  assert.equal(rowCount(db, 'followers'), 2)

  const undo = await deliver(app, alice, {
    id: nextId(alice, 'undo'),
    type: 'Undo',
    object: { ...follow, actor: alice.id },
  })
  assert.equal(undo.statusCode, 202)
  assert.deepEqual(
    followerRows(db).map((f) => f.actor_id),
    [bob.id],
  )

  const gone = await deliver(app, bob, {
    id: `${bob.id}#delete`,
    type: 'Delete',
    object: bob.id,
    to: [PUBLIC],
  })
  assert.equal(gone.statusCode, 202)
  assert.equal(rowCount(db, 'followers'), 0)
})

test('a follower who renames themselves is shown by the new name, read from their server, not from the activity', async (t) => {
  const { app, db } = await blog(t)
  const judy = remote.user('judy')
  await deliver(app, judy, followOf(judy))
  documents.set('/users/judy', {
    body: actorDocument(judy, { name: 'Judy Renamed', preferredUsername: 'judyr' }),
  })
  t.after(() => documents.delete('/users/judy'))
  const res = await deliver(app, judy, {
    id: nextId(judy, 'updates'),
    type: 'Update',
    object: { ...actorDocument(judy), name: 'Claimed in the activity' },
  })
  assert.equal(res.statusCode, 202, res.body)
  const [row] = followerRows(db)
  assert.equal(row?.name, 'Judy Renamed')
  assert.equal(row?.handle, `@judyr@${new URL(remote.origin).host}`)
})

test('a deleted account, whose key is gone with it, stops following once its own server says 410', async (t) => {
  const { app, db } = await blog(t)
  const hank = remote.user('hank')
  const gwen = remote.user('gwen')
  // Followers whose documents this app has not fetched since: their keys are not in its memory.
  addFollower(db, remote.origin, { actorId: hank.id, inboxUrl: hank.inbox })
  addFollower(db, remote.origin, { actorId: gwen.id, inboxUrl: gwen.inbox })
  const farewell = (user: RemoteUser) => ({
    id: `${user.id}#delete`,
    type: 'Delete',
    object: user.id,
    to: [PUBLIC],
  })

  remote.gone.add('/users/hank')
  t.after(() => remote.gone.delete('/users/hank'))
  const gone = await deliver(app, hank, farewell(hank))
  assert.equal(gone.statusCode, 202, gone.body)

  // Gwen's account still exists: a Delete that cannot be verified changes nothing.
  const forged = await deliver(app, gwen, farewell(gwen), { signer: hank })
  assert.equal(forged.statusCode, 401)
  assert.deepEqual(
    followerRows(db).map((f) => f.actor_id),
    [gwen.id],
  )
})

test('a public reply to a post waits for the author, sanitised, with its actor, and a reply to it joins the thread', async (t) => {
  const { app, db, post, postObject, postPage } = await blog(t)
  const alice = remote.user('alice')
  const bob = remote.user('bob')
  const hostile =
    '<p>Lovely post! <script>alert(1)</script><img src="x" onerror="alert(2)">' +
    '<a href="javascript:alert(3)" onclick="alert(4)">click</a> <a href="/@carol">@carol</a></p>'
  const first = note(alice, postObject, hostile)
  assert.equal((await deliver(app, alice, reply(first))).statusCode, 202)

  const [stored] = responseRows(db)
  assert.equal(stored?.post_id, post.id)
  assert.equal(stored?.source, 'activitypub')
  assert.equal(stored?.kind, 'reply')
  assert.equal(stored?.status, 'pending')
  assert.equal(stored?.source_url, first.id)
  assert.equal(stored?.actor_id, alice.id)
  assert.equal(stored?.in_reply_to, '')
  assert.equal(stored?.author_name, 'Alice Example')
  assert.equal(stored?.author_url, alice.profile)
  assert.equal(stored?.published_at, Date.parse('2026-01-02T10:00:00Z'))
  const html = String(stored?.content_html)
  assert.match(html, /Lovely post!/)
  assert.doesNotMatch(html, /<script|alert\(1\)|<img|onerror|onclick|javascript:/i)
  assert.match(
    html,
    new RegExp(`href="${remote.origin}/@carol"`),
    'relative links point at the sender’s server',
  )

  // Bob answers Alice, naming the post by its page rather than its object id would work too;
  // here he answers her reply, so his joins her thread under the same post.
  const second = note(bob, first.id, '<p>Agreed.</p>')
  assert.equal((await deliver(app, bob, reply(second))).statusCode, 202)
  const third = note(bob, postPage, '<p>By the page’s address.</p>')
  assert.equal((await deliver(app, bob, reply(third))).statusCode, 202)
  assert.deepEqual(
    responseRows(db).map((r) => [r.source_url, r.post_id, r.in_reply_to, r.author_name]),
    [
      [first.id, post.id, '', 'Alice Example'],
      [second.id, post.id, first.id, `@bob@${new URL(remote.origin).host}`],
      [third.id, post.id, '', `@bob@${new URL(remote.origin).host}`],
    ],
  )
})

test('notes that do not reply to a public post, or are not public, are accepted and ignored', async (t) => {
  const { app, db, postObject } = await blog(t)
  const draft = createPost(db, { title: 'Not yet', status: 'draft' })
  const alice = remote.user('alice')
  const cases = [
    note(alice, 'https://elsewhere.example/notes/1', '<p>Not to you.</p>'),
    note(alice, `${SITE}/ap/posts/${draft.id}`, '<p>To a draft.</p>'),
    note(alice, postObject, '<p>Just between us.</p>', { to: [OUR_ACTOR], cc: [] }),
    { ...note(alice, postObject, '<p>A poll.</p>'), type: 'Question' },
  ]
  for (const object of cases) {
    const res = await deliver(app, alice, reply(object))
    assert.equal(res.statusCode, 202, res.body)
  }
  assert.equal(rowCount(db, 'responses'), 0)

  // A note that claims to live on another server is refused outright.
  const elsewhere = { ...note(alice, postObject, '<p>Hi</p>'), id: 'https://elsewhere.example/notes/2' }
  const res = await deliver(app, alice, reply(elsewhere))
  assert.equal(res.statusCode, 400)
  assert.equal(rowCount(db, 'responses'), 0)
})

test('a reply’s Update and Delete are honoured from its own actor and ignored from anyone else', async (t) => {
  const { app, db, postObject } = await blog(t)
  const alice = remote.user('alice')
  const bob = remote.user('bob')
  const first = note(alice, postObject, '<p>First words.</p>')
  await deliver(app, alice, reply(first))
  db.$client.prepare("update responses set status = 'approved'").run()

  const edited = { ...first, content: '<p>Second thoughts.</p>' }
  assert.equal((await deliver(app, alice, reply(edited, 'Update'))).statusCode, 202)
  assert.deepEqual(
    responseRows(db).map((r) => [r.content_html, r.status]),
    [['<p>Second thoughts.</p>', 'pending']],
    'an edit goes back to the author',
  )

  // Bob, on the same server, sends Alice's note as his own: the stored actor stops him.
  const hijack = { ...first, attributedTo: bob.id, content: '<p>Bob was here.</p>' }
  assert.equal((await deliver(app, bob, reply(hijack, 'Update'))).statusCode, 202)
  const deleteByBob = {
    id: nextId(bob, 'delete'),
    type: 'Delete',
    object: { id: first.id, type: 'Tombstone' },
  }
  assert.equal((await deliver(app, bob, deleteByBob)).statusCode, 202)
  assert.deepEqual(
    responseRows(db).map((r) => r.content_html),
    ['<p>Second thoughts.</p>'],
  )

  const deleteByAlice = {
    id: nextId(alice, 'delete'),
    type: 'Delete',
    object: { id: first.id, type: 'Tombstone' },
  }
  assert.equal((await deliver(app, alice, deleteByAlice)).statusCode, 202)
  assert.equal(rowCount(db, 'responses'), 0)
})

test('a like and a boost of a post are stored as responses, and their Undo removes them', async (t) => {
  const { app, db, post, postObject, postPage } = await blog(t)
  const alice = remote.user('alice')
  const bob = remote.user('bob')
  const like = { id: `${alice.id}#likes/${++counter}`, type: 'Like', object: postObject }
  const boost = { id: nextId(bob, 'statuses'), type: 'Announce', object: postPage, to: [PUBLIC] }
  assert.equal((await deliver(app, alice, like)).statusCode, 202)
  assert.equal((await deliver(app, bob, boost)).statusCode, 202)
  assert.deepEqual(
    responseRows(db).map((r) => [r.kind, r.post_id, r.source_url, r.actor_id, r.status, r.content_html]),
    [
      ['like', post.id, like.id, alice.id, 'pending', ''],
      ['repost', post.id, boost.id, bob.id, 'pending', ''],
    ],
  )

  // Bob cannot undo Alice's like.
  await deliver(app, bob, { id: nextId(bob, 'undo'), type: 'Undo', object: like.id })
  assert.equal(rowCount(db, 'responses'), 2)

  await deliver(app, alice, { id: nextId(alice, 'undo'), type: 'Undo', object: { ...like, actor: alice.id } })
  await deliver(app, bob, { id: nextId(bob, 'undo'), type: 'Undo', object: { ...boost, actor: bob.id } })
  assert.equal(rowCount(db, 'responses'), 0)
})

test('a sender who rotated its key is believed after one fresh fetch of it', async (t) => {
  const { app, db } = await blog(t)
  const gina = remote.user('gina')
  await deliver(app, gina, followOf(gina))
  const rotated = { ...gina, keys: peerKeys() }
  remote.users.set('gina', rotated)
  const res = await deliver(app, rotated, { id: nextId(gina, 'undo'), type: 'Undo', object: followOf(gina) })
  assert.equal(res.statusCode, 202, res.body)
  assert.equal(rowCount(db, 'followers'), 0)
})

test('an unsigned, badly signed, stale, tampered or borrowed-key request gets 401 and changes nothing', async (t) => {
  const { app, db, postObject } = await blog(t)
  const alice = remote.user('alice')
  const bob = remote.user('bob')
  await deliver(app, alice, reply(note(alice, postObject, '<p>Already here.</p>')))
  const before = snapshot(db)
  const follow = followOf(alice)
  const body = JSON.stringify({ actor: alice.id, ...follow })
  const signed = peerSignCavage({
    method: 'POST',
    url: INBOX,
    body,
    keyId: alice.keyId,
    privateKeyPem: alice.keys.privateKeyPem,
  })

  const attempts: [string, string, Promise<{ statusCode: number; body: string }>][] = [
    [
      'unsigned',
      'no-signature',
      app.inject({
        method: 'POST',
        url: '/ap/inbox',
        headers: { 'content-type': 'application/activity+json' },
        payload: body,
      }),
    ],
    [
      'signed by a key that is not the one published',
      'bad-signature',
      app.inject({
        method: 'POST',
        url: '/ap/inbox',
        headers: {
          ...peerSignCavage({
            method: 'POST',
            url: INBOX,
            body,
            keyId: alice.keyId,
            privateKeyPem: bob.keys.privateKeyPem,
          }),
          'content-type': 'application/activity+json',
        },
        payload: body,
      }),
    ],
    [
      'dated 13 hours ago',
      'date-outside-window',
      deliver(app, alice, follow, { date: new Date(Date.now() - 13 * 60 * 60 * 1000) }),
    ],
    [
      'a body that does not match its digest',
      'digest-mismatch',
      app.inject({
        method: 'POST',
        url: '/ap/inbox',
        headers: { ...signed, 'content-type': 'application/activity+json' },
        payload: body.replace('Follow', 'Follow '),
      }),
    ],
    [
      "signed with Bob's own key, for Alice's activity",
      'actor-not-key-owner',
      deliver(app, alice, follow, { signer: bob }),
    ],
  ]
  for (const [what, reason, pending] of attempts) {
    const res = await pending
    assert.equal(res.statusCode, 401, `${what}: ${res.body}`)
    assert.ok(res.body.startsWith(`${reason}: `), `${what}: ${res.body}`)
  }
  assert.equal(snapshot(db), before)
})

test('a signed body that is not JSON, or not an activity, gets 400 and changes nothing', async (t) => {
  const { app, db } = await blog(t)
  const alice = remote.user('alice')
  const before = snapshot(db)
  for (const body of ['{"type": "Follow",', '[]', JSON.stringify({ type: 'Follow', object: OUR_ACTOR })]) {
    const res = await deliver(app, alice, {}, { body })
    assert.equal(res.statusCode, 400, body)
    assert.match(String(res.headers['content-type']), /^text\/plain/)
  }
  assert.equal(snapshot(db), before)
})

test('an oversized body gets 413 and another content type 415, before anything is fetched', async (t) => {
  const { app, db, postObject } = await blog(t)
  const alice = remote.user('alice')
  const fetchesBefore = remote.gets.length
  const huge = reply(note(alice, postObject, `<p>${'a'.repeat(300 * 1024)}</p>`))
  const large = await deliver(app, alice, huge)
  assert.equal(large.statusCode, 413)
  assert.match(String(large.headers['content-type']), /^text\/plain/)
  for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
    const res = await deliver(app, alice, followOf(alice), { headers: { 'content-type': type } })
    assert.equal(res.statusCode, 415, type)
    assert.match(String(res.headers['content-type']), /^text\/plain/)
  }
  assert.equal(remote.gets.length, fetchesBefore)
  assert.equal(rowCount(db, 'followers') + rowCount(db, 'responses'), 0)

  const ldJson = await deliver(app, alice, followOf(alice), {
    headers: { 'content-type': 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' },
  })
  assert.equal(ldJson.statusCode, 202, 'ld+json with the ActivityStreams profile is an activity too')
})

test('a blocked domain is refused with 403, and blocking it ended its follows', async (t) => {
  const { app, db, postObject } = await blog(t)
  const alice = remote.user('alice')
  await deliver(app, alice, followOf(alice))
  addFollower(db, 'https://mastodon.example')
  assert.equal(rowCount(db, 'followers'), 2)

  const result = blockSender(db, { kind: 'domain', value: new URL(remote.origin).hostname })
  assert.equal(result.unfollowed, 1)
  assert.deepEqual(
    followerRows(db).map((f) => new URL(String(f.actor_id)).hostname),
    ['mastodon.example'],
  )
  const before = snapshot(db)
  const fetches = remote.gets.length
  for (const activity of [followOf(alice), reply(note(alice, postObject, '<p>Let me in.</p>'))]) {
    const res = await deliver(app, alice, activity)
    assert.equal(res.statusCode, 403)
  }
  assert.equal(snapshot(db), before)
  assert.equal(remote.gets.length, fetches, 'a blocked server is refused before its key is fetched')
})

test('an actor whose inbox is on another server cannot follow: Folio never delivers there', async (t) => {
  const { app, db } = await blog(t)
  const ivan = remote.user('ivan')
  documents.set('/users/ivan', { body: actorDocument(ivan, { inbox: 'https://victim.example/inbox' }) })
  t.after(() => documents.delete('/users/ivan'))
  const res = await deliver(app, ivan, followOf(ivan))
  assert.ok(res.statusCode >= 400, `${res.statusCode}`)
  assert.equal(rowCount(db, 'followers'), 0)
  assert.equal(rowCount(db, 'deliveries'), 0)
})

test('blocking an actor or a domain ends the follows it covers, subdomains included, and no others', (t) => {
  const { db } = createTestDb(t)
  const kept = addFollower(db, 'https://notsocial.example')
  addFollower(db, 'https://social.example')
  addFollower(db, 'https://eu.social.example')
  const single = addFollower(db, 'https://other.example')
  const neighbour = addFollower(db, 'https://other.example')
  assert.equal(blockSender(db, { kind: 'domain', value: 'social.example' }).unfollowed, 2)
  assert.equal(blockSender(db, { kind: 'actor', value: single.actorId }).unfollowed, 1)
  assert.deepEqual(
    followerRows(db).map((f) => f.actor_id),
    [kept.actorId, neighbour.actorId],
  )
})

test('a server that sends too much gets 429 with Retry-After, and so does an address whose requests keep failing', async (t) => {
  const { app, db } = await blog(t)
  const alice = remote.user('alice')
  const ignored = () => ({
    id: nextId(alice, 'activities'),
    type: 'Listen',
    object: 'https://music.example/1',
  })
  for (let i = 0; i < 300; i++) {
    const res = await deliver(app, alice, ignored())
    assert.equal(res.statusCode, 202, res.body)
  }
  const limited = await deliver(app, alice, followOf(alice))
  assert.equal(limited.statusCode, 429)
  assert.match(String(limited.headers['retry-after']), /^\d+$/)
  assert.equal(rowCount(db, 'followers'), 0)

  const other = await createTestApp(t, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true' })
  const unsigned = () =>
    other.app.inject({
      method: 'POST',
      url: '/ap/inbox',
      headers: { 'content-type': 'application/activity+json' },
      payload: '{}',
    })
  for (let i = 0; i < 60; i++) assert.equal((await unsigned()).statusCode, 401)
  const refused = await unsigned()
  assert.equal(refused.statusCode, 429)
  assert.match(String(refused.headers['retry-after']), /^\d+$/)
})

test('a key with a document of its own counts only when the owner it names lists it', async (t) => {
  const { db, dir } = createTestDb(t)
  const actors = createRemoteActors(db, testConfig(dir, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true' }))
  const dave = remote.user('dave')
  const alice = remote.user('alice')
  const daveKey = { id: `${remote.origin}/keys/dave`, owner: dave.id, publicKeyPem: dave.keys.publicKeyPem }
  documents.set('/users/dave', { body: actorDocument(dave, { publicKey: [daveKey] }) })
  documents.set('/keys/dave', { body: { type: 'Key', ...daveKey } })
  assert.deepEqual(await actors.fetchKey(daveKey.id), {
    publicKeyPem: dave.keys.publicKeyPem,
    owner: dave.id,
  })

  // A key document that names Alice as its owner, though her actor does not list it.
  const forged = { id: `${remote.origin}/keys/forged`, owner: alice.id, publicKeyPem: dave.keys.publicKeyPem }
  documents.set('/keys/forged', { body: forged })
  assert.equal(await actors.fetchKey(forged.id), undefined)
  // Alice's actor served at another address is not an actor there, nor a source of her key.
  documents.set('/users/mallory', { body: actorDocument(alice) })
  assert.equal(await actors.fetchActor(`${remote.origin}/users/mallory`), undefined)
  assert.equal(await actors.fetchKey(`${remote.origin}/users/mallory#main-key`), undefined)
  // Nor is a page that is not JSON, or an actor that names an address elsewhere as its id.
  documents.set('/users/page', {
    type: 'text/html',
    body: actorDocument(alice, { id: `${remote.origin}/users/page` }),
  })
  assert.equal(await actors.fetchActor(`${remote.origin}/users/page`), undefined)
  documents.set('/users/away', { body: actorDocument(alice, { id: 'https://elsewhere.example/users/away' }) })
  assert.equal(await actors.fetchActor(`${remote.origin}/users/away`), undefined)
})

test('an actor is fetched once and then remembered, unless a fresh copy is asked for', async (t) => {
  const { db, dir } = createTestDb(t)
  const actors = createRemoteActors(db, testConfig(dir, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true' }))
  const erin = remote.user('erin')
  const fetches = () => remote.gets.filter((g) => g.path === '/users/erin').length
  const [first, second] = await Promise.all([actors.fetchActor(erin.id), actors.fetchActor(erin.id)])
  assert.equal(first?.inbox, erin.inbox)
  assert.equal(second?.inbox, erin.inbox)
  assert.equal((await actors.fetchKey(erin.keyId))?.owner, erin.id)
  assert.equal(fetches(), 1)
  await actors.fetchActor(erin.id, { refresh: true })
  assert.equal(fetches(), 2)
})

test('in production an actor on a private address is never fetched', async (t) => {
  const { db, dir } = createTestDb(t)
  const actors = createRemoteActors(db, testConfig(dir, { SITE_URL: SITE }))
  const frank = remote.user('frank')
  assert.equal(await actors.fetchActor(frank.id), undefined)
  assert.equal(await actors.fetchKey(frank.keyId), undefined)
  assert.equal(remote.gets.filter((g) => g.path === '/users/frank').length, 0)
})
