// Checks how a Mastodon server finds the blog: WebFinger, NodeInfo, host-meta, the actor and its collections.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { test } from 'node:test'
import { actorKeyPair, ensureActorKey } from '../../../src/features/federation/keys.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp, createTestDb, rowCount } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

const SITE = 'https://blog.example.com'
const AP = 'application/activity+json'
const LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
const webfinger = (resource: string) => `/.well-known/webfinger?resource=${encodeURIComponent(resource)}`

test('WebFinger finds the blog by its handle, its actor URL or its home page, for any script', async (t) => {
  const { app } = await createTestApp(t)
  for (const resource of [
    'acct:blog@blog.example.com',
    'acct:BLOG@Blog.Example.com',
    `${SITE}/ap/actor`,
    `${SITE}/`,
  ]) {
    const res = await app.inject(webfinger(resource))
    assert.equal(res.statusCode, 200, resource)
    assert.equal(res.headers['content-type'], 'application/jrd+json; charset=utf-8')
    assert.equal(res.headers['access-control-allow-origin'], '*')
    const jrd = JSON.parse(res.body)
    assert.equal(jrd.subject, 'acct:blog@blog.example.com')
    assert.deepEqual(jrd.links[0], { rel: 'self', type: AP, href: `${SITE}/ap/actor` })
    assert.ok(
      jrd.links.some(
        (l: { rel: string; href: string }) =>
          l.rel === 'http://webfinger.net/rel/profile-page' && l.href === `${SITE}/`,
      ),
    )
    assert.ok(jrd.aliases.includes(`${SITE}/ap/actor`))
  }
})

test('WebFinger answers to the handle the author chose, and no longer to the old one', async (t) => {
  const { app, db } = await createTestApp(t)
  assert.equal((await app.inject(webfinger('acct:blog@blog.example.com'))).statusCode, 200, 'cached')
  saveSettings(db, { fediverseHandle: 'sam_writes' })
  const res = await app.inject(webfinger('acct:sam_writes@blog.example.com'))
  assert.equal(res.statusCode, 200)
  assert.equal(JSON.parse(res.body).subject, 'acct:sam_writes@blog.example.com')
  assert.equal((await app.inject(webfinger('acct:blog@blog.example.com'))).statusCode, 404)
})

test('WebFinger says 404 for someone else, and 400 for a missing or malformed resource', async (t) => {
  const { app } = await createTestApp(t)
  for (const resource of [
    'acct:alice@blog.example.com',
    'acct:blog@other.example',
    'https://other.example/',
  ]) {
    const res = await app.inject(webfinger(resource))
    assert.equal(res.statusCode, 404, resource)
    assert.equal(res.headers['access-control-allow-origin'], '*')
  }
  for (const url of [
    '/.well-known/webfinger',
    '/.well-known/webfinger?resource=',
    webfinger('blog'),
    webfinger('acct:blog'),
    webfinger('acct:@blog.example.com'),
    webfinger('mailto:blog@blog.example.com'),
    webfinger(`acct:${'a'.repeat(600)}@blog.example.com`),
    '/.well-known/webfinger?resource=acct:blog@blog.example.com&resource=acct:x@y',
  ]) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 400, url)
    assert.match(res.body, /resource/)
  }
})

test('NodeInfo names the software, one user, the public posts and closed registrations', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Out' })
  createPost(db, { title: 'Draft', status: 'draft' })
  const index = await app.inject('/.well-known/nodeinfo')
  assert.equal(index.statusCode, 200)
  const link = JSON.parse(index.body).links[0]
  assert.equal(link.rel, 'http://nodeinfo.diaspora.software/ns/schema/2.1')
  assert.equal(link.href, `${SITE}/nodeinfo/2.1`)

  const res = await app.inject('/nodeinfo/2.1')
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^application\/json; profile=/)
  const info = JSON.parse(res.body)
  assert.equal(info.version, '2.1')
  assert.equal(info.software.name, 'folio')
  assert.match(info.software.version, /^\d+\.\d+\.\d+/)
  assert.deepEqual(info.protocols, ['activitypub'])
  assert.equal(info.usage.users.total, 1)
  assert.equal(info.usage.localPosts, 1)
  assert.equal(info.openRegistrations, false)
})

test('host-meta points to the WebFinger template', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/.well-known/host-meta')
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^application\/xrd\+xml/)
  assert.match(res.body, /template="https:\/\/blog\.example\.com\/\.well-known\/webfinger\?resource=\{uri\}"/)
})

test('the actor is a Person with its inbox, outbox, followers, shared inbox and public key', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { title: 'Sam builds', tagline: 'Fast <sites> & "more"', fediverseHandle: 'sam' })
  for (const accept of [AP, LD]) {
    const res = await app.inject({ url: '/ap/actor', headers: { accept } })
    assert.equal(res.statusCode, 200, accept)
    assert.equal(res.headers['content-type'], 'application/activity+json; charset=utf-8')
    assert.match(String(res.headers.vary), /\baccept\b(?!-)/i)
    const actor = JSON.parse(res.body)
    assert.equal(actor.id, `${SITE}/ap/actor`)
    assert.equal(actor.type, 'Person')
    assert.equal(actor.preferredUsername, 'sam')
    assert.equal(actor.name, 'Sam builds')
    assert.equal(actor.summary, '<p>Fast &lt;sites&gt; &amp; &quot;more&quot;</p>')
    assert.equal(actor.url, `${SITE}/`)
    assert.equal(actor.inbox, `${SITE}/ap/inbox`)
    assert.equal(actor.outbox, `${SITE}/ap/outbox`)
    assert.equal(actor.followers, `${SITE}/ap/followers`)
    assert.equal(actor.endpoints.sharedInbox, `${SITE}/ap/inbox`)
    assert.equal(actor.manuallyApprovesFollowers, false)
    assert.equal(actor.publicKey.id, `${SITE}/ap/actor#main-key`)
    assert.equal(actor.publicKey.owner, `${SITE}/ap/actor`)
    const key = crypto.createPublicKey(actor.publicKey.publicKeyPem)
    assert.equal(key.asymmetricKeyType, 'rsa')
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048)
    assert.ok(actor['@context'].includes('https://w3id.org/security/v1'))
  }
  saveSettings(db, { followApproval: 'manual' })
  const manual = await app.inject({ url: '/ap/actor', headers: { accept: AP } })
  assert.equal(JSON.parse(manual.body).manuallyApprovesFollowers, true)
})

test('a browser that opens the actor is sent to the home page', async (t) => {
  const { app } = await createTestApp(t)
  await app.inject({ url: '/ap/actor', headers: { accept: AP } })
  for (const accept of ['text/html,application/xhtml+xml,*/*;q=0.8', '*/*', `${AP};q=0`]) {
    const res = await app.inject({ url: '/ap/actor', headers: { accept } })
    assert.equal(res.statusCode, 302, accept)
    assert.equal(res.headers.location, '/')
    assert.match(String(res.headers.vary), /\baccept\b(?!-)/i)
  }
  const res = await app.inject({ url: '/ap/actor', headers: { accept: AP } })
  assert.equal(res.statusCode, 200, 'the JSON is still there for a server afterwards')
})

test('the key pair is made once, and its private half is in no response', async (t) => {
  const { app, db } = await createTestApp(t)
  const key = actorKeyPair(db)
  assert.ok(key)
  await ensureActorKey(db)
  assert.equal(rowCount(db, 'federation_keys'), 1)
  assert.equal(actorKeyPair(db)?.publicKeyPem, key.publicKeyPem, 'a second start keeps the key')
  const { id, slug } = createPost(db, { title: 'Keyed' })
  const privateBody = key.privateKeyPem.split('\n')[1] ?? 'unreachable'
  for (const [url, accept] of [
    ['/ap/actor', AP],
    ['/ap/outbox', AP],
    ['/ap/followers', AP],
    [`/ap/posts/${id}`, AP],
    [`/posts/${slug}`, AP],
    [`/posts/${slug}`, 'text/html'],
    ['/', 'text/html'],
    [webfinger('acct:blog@blog.example.com'), '*/*'],
    ['/nodeinfo/2.1', '*/*'],
  ] as const) {
    const res = await app.inject({ url, headers: { accept } })
    assert.ok(!res.body.includes(privateBody), url)
    assert.doesNotMatch(res.body, /PRIVATE KEY/, url)
  }
})

test('two starts racing on one database keep a single key', async (t) => {
  const { db } = createTestDb(t)
  await Promise.all([ensureActorKey(db), ensureActorKey(db)])
  assert.equal(rowCount(db, 'federation_keys'), 1)
})

test('the outbox lists the public posts as Create activities, and the followers collection only counts', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Older', daysAgo: 2 })
  createPost(db, { title: 'Newer', daysAgo: 1 })
  createPost(db, { title: 'Hidden draft', status: 'draft' })
  const now = new Date()
  db.$client
    .prepare(
      `insert into followers (actor_id, inbox_url, status, created_at, updated_at) values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)`,
    )
    .run(
      'https://m.example/users/a',
      'https://m.example/users/a/inbox',
      'accepted',
      now.getTime(),
      now.getTime(),
      'https://m.example/users/b',
      'https://m.example/users/b/inbox',
      'pending',
      now.getTime(),
      now.getTime(),
    )

  const outboxRes = await app.inject({ url: '/ap/outbox', headers: { accept: AP } })
  const outbox = JSON.parse(outboxRes.body)
  assert.equal(outbox.type, 'OrderedCollection')
  assert.equal(outbox.totalItems, 2)
  assert.deepEqual(
    outbox.orderedItems.map((a: { type: string; object: { name: string } }) => `${a.type} ${a.object.name}`),
    ['Create Newer', 'Create Older'],
  )
  const again = JSON.parse((await app.inject({ url: '/ap/outbox', headers: { accept: AP } })).body)
  assert.equal(again.orderedItems[0].id, outbox.orderedItems[0].id, 'the same ids each time')

  assert.doesNotMatch(String(outboxRes.headers.vary ?? ''), /\baccept\b(?!-)/i, 'JSON for everyone')
  const followersRes = await app.inject({ url: '/ap/followers', headers: { accept: AP } })
  const followers = JSON.parse(followersRes.body)
  assert.equal(followers.totalItems, 1, 'accepted followers only')
  assert.equal(followers.orderedItems, undefined, 'nobody is named')
  assert.doesNotMatch(followersRes.body, /m\.example/)
})

test('the home page links the actor and shows the full fediverse address', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { fediverseHandle: 'sam_writes' })
  const res = await app.inject('/')
  assert.match(
    res.body,
    /<link rel="alternate" type="application\/activity\+json" href="https:\/\/blog\.example\.com\/ap\/actor">/,
  )
  const text = res.body.replace(/<wbr>/g, '')
  assert.match(text, /Follow on the fediverse: <strong>@sam_writes@blog\.example\.com<\/strong>/)
})

test('discovery reads never write to the database', async (t) => {
  const { app, db } = await createTestApp(t)
  const { id } = createPost(db, { title: 'Read only' })
  const before = db.$client.prepare('select total_changes()').pluck().get()
  for (const url of [
    webfinger('acct:blog@blog.example.com'),
    '/.well-known/nodeinfo',
    '/nodeinfo/2.1',
    '/.well-known/host-meta',
    '/ap/actor',
    '/ap/outbox',
    '/ap/followers',
    `/ap/posts/${id}`,
  ]) {
    for (const method of ['GET', 'HEAD'] as const) {
      for (const accept of [AP, 'text/html']) await app.inject({ method, url, headers: { accept } })
    }
  }
  assert.equal(db.$client.prepare('select total_changes()').pluck().get(), before)
})
