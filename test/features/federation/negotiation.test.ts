// Checks that a post's URL answers a browser with HTML and a fediverse server with JSON, through the page cache too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { savePost } from '../../../src/features/content/posts.ts'
import { representationOf, wantsActivityJson } from '../../../src/features/federation/negotiate.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

const SITE = 'https://blog.example.com'
const AP = 'application/activity+json'
const LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
const MASTODON = `${AP}, ${LD}`
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

const varies = (vary: unknown): string[] =>
  String(vary ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())

test('the Accept headers servers send get JSON; browsers, feeds readers and refusals get HTML', () => {
  for (const accept of [
    AP,
    LD,
    MASTODON,
    'application/ld+json',
    `text/html;q=0.5, ${AP}`,
    'Application/Activity+JSON',
  ])
    assert.equal(wantsActivityJson(accept), true, accept)
  for (const accept of [
    undefined,
    '',
    BROWSER,
    '*/*',
    'application/json',
    `${AP};q=0`,
    'application/activity+jsonx',
  ])
    assert.equal(wantsActivityJson(accept), false, String(accept))
  assert.equal(representationOf(LD), 'activity+json')
  assert.equal(representationOf(BROWSER), 'html')
})

test('a post URL gives a server the post object and a browser the page, both saying they vary on Accept', async (t) => {
  const { app, db } = await createTestApp(t)
  const { id, slug } = createPost(db, { title: 'Both ways' })
  for (const accept of [AP, LD, MASTODON]) {
    const json = await app.inject({ url: `/posts/${slug}`, headers: { accept } })
    assert.equal(json.statusCode, 200, accept)
    assert.equal(json.headers['content-type'], 'application/activity+json; charset=utf-8')
    assert.ok(varies(json.headers.vary).includes('accept'), accept)
    const object = JSON.parse(json.body)
    assert.equal(object.id, `${SITE}/ap/posts/${id}`, 'the id stays the object URL')
    assert.equal(object.url, `${SITE}/posts/${slug}`)
    const direct = await app.inject({ url: `/ap/posts/${id}`, headers: { accept } })
    assert.equal(direct.body, json.body, 'the same document as the object URL gives')
  }
  const page = await app.inject({ url: `/posts/${slug}`, headers: { accept: BROWSER } })
  assert.equal(page.statusCode, 200)
  assert.match(String(page.headers['content-type']), /^text\/html/)
  assert.ok(varies(page.headers.vary).includes('accept'))
  assert.match(
    page.body,
    new RegExp(`<link rel="alternate" type="application/activity\\+json" href="${SITE}/ap/posts/${id}">`),
  )
})

test('the page cache keeps the two apart: HTML, then JSON, then HTML again are each right', async (t) => {
  const { app, db } = await createTestApp(t)
  const { slug } = createPost(db, { title: 'Cached twice' })
  const rendered: string[] = []
  app.addHook('onSend', async (request, _reply, payload) => {
    rendered.push(String(request.headers.accept))
    return payload
  })
  const get = (accept: string, extra: Record<string, string> = {}) =>
    app.inject({ url: `/posts/${slug}`, headers: { accept, 'accept-encoding': 'identity', ...extra } })

  const html1 = await get(BROWSER)
  const json1 = await get(AP)
  const html2 = await get(BROWSER)
  const json2 = await get(LD)
  assert.match(html1.body, /^<!doctype html>/)
  assert.equal(JSON.parse(json1.body).type, 'Article')
  assert.equal(html2.body, html1.body)
  assert.equal(json2.body, json1.body)
  assert.equal(rendered.length, 2, 'one render per representation, the rest from the cache')
  for (const res of [html2, json2]) {
    assert.deepEqual(
      varies(res.headers.vary).sort(),
      ['accept', 'accept-encoding'],
      'the replay keeps Vary: Accept',
    )
  }
  assert.equal(html2.headers['content-type'], html1.headers['content-type'])
  assert.equal(json2.headers['content-type'], 'application/activity+json; charset=utf-8')
  assert.notEqual(html1.headers.etag, json1.headers.etag)

  const compressed = await get(AP, { 'accept-encoding': 'gzip' })
  assert.equal(compressed.statusCode, 200)

  // A conditional request is answered per representation: an HTML ETag never validates the JSON.
  const htmlFresh = await get(BROWSER, { 'if-none-match': String(html1.headers.etag) })
  assert.equal(htmlFresh.statusCode, 304)
  const jsonStale = await get(AP, { 'if-none-match': String(html1.headers.etag) })
  assert.equal(jsonStale.statusCode, 200)
  assert.equal(JSON.parse(jsonStale.body).type, 'Article')
  const jsonFresh = await get(AP, { 'if-none-match': String(json1.headers.etag) })
  assert.equal(jsonFresh.statusCode, 304)
})

test('HEAD answers each representation with its own headers and no body', async (t) => {
  const { app, db } = await createTestApp(t)
  const { slug } = createPost(db, { title: 'Heads' })
  for (const round of ['rendered', 'cached']) {
    const json = await app.inject({ method: 'HEAD', url: `/posts/${slug}`, headers: { accept: AP } })
    assert.equal(json.statusCode, 200, round)
    assert.equal(json.body, '')
    assert.equal(json.headers['content-type'], 'application/activity+json; charset=utf-8', round)
    const html = await app.inject({ method: 'HEAD', url: `/posts/${slug}`, headers: { accept: BROWSER } })
    assert.match(String(html.headers['content-type']), /^text\/html/, round)
    await app.inject({ url: `/posts/${slug}`, headers: { accept: AP } })
    await app.inject({ url: `/posts/${slug}`, headers: { accept: BROWSER } })
  }
})

test('the actor stays JSON for servers and a redirect for browsers, whichever came first', async (t) => {
  const { app } = await createTestApp(t)
  assert.equal((await app.inject({ url: '/ap/actor', headers: { accept: BROWSER } })).statusCode, 302)
  assert.equal((await app.inject({ url: '/ap/actor', headers: { accept: AP } })).statusCode, 200)
  const browser = await app.inject({ url: '/ap/actor', headers: { accept: BROWSER } })
  assert.equal(browser.statusCode, 302)
  assert.equal(browser.headers.location, '/')
  const server = await app.inject({ url: '/ap/actor', headers: { accept: LD } })
  assert.equal(JSON.parse(server.body).type, 'Person')
})

test('a draft or unknown post URL is a 404 for a server too, and an old slug redirects to the new one', async (t) => {
  const { app, db } = await createTestApp(t)
  const draft = createPost(db, { title: 'Not yet', status: 'draft' })
  for (const url of [`/posts/${draft.slug}`, '/posts/no-such-post']) {
    const res = await app.inject({ url, headers: { accept: AP } })
    assert.equal(res.statusCode, 404, url)
    assert.doesNotMatch(res.body, /Not yet/)
  }
  const { id, slug } = createPost(db, { title: 'Old name' })
  const renamed = {
    title: 'Renamed',
    slug: 'renamed',
    kind: 'article',
    bodyMd: 'Body.',
    status: 'published',
  } as const
  savePost(db, { ...renamed, publishedAt: new Date(Date.now() - 1000) }, { id })
  const moved = await app.inject({ url: `/posts/${slug}`, headers: { accept: AP } })
  assert.equal(moved.statusCode, 301)
  assert.equal(moved.headers.location, '/posts/renamed')
})

test('the home page stays HTML whatever is asked, and names the actor in its head', async (t) => {
  const { app } = await createTestApp(t)
  const home = await app.inject({ url: '/', headers: { accept: AP } })
  assert.equal(home.statusCode, 200)
  assert.match(String(home.headers['content-type']), /^text\/html/)
  assert.match(
    home.body,
    /<link rel="alternate" type="application\/activity\+json" href="https:\/\/blog\.example\.com\/ap\/actor">/,
  )
})

test('a post sent again after a Delete answers at its new object id, and no longer at the old one', async (t) => {
  const { app, db } = await createTestApp(t)
  const { id, slug } = createPost(db, { title: 'Second time around' })
  db.$client
    .prepare(
      "insert into syndicated_posts (post_id, version, state, generation, updated_at) values (?, 'v', 'live', 1, 0)",
    )
    .run(id)
  const page = await app.inject({ url: `/posts/${slug}`, headers: { accept: AP } })
  assert.equal(JSON.parse(page.body).id, `${SITE}/ap/posts/${id}/1`)
  const current = await app.inject({ url: `/ap/posts/${id}/1`, headers: { accept: AP } })
  assert.equal(current.statusCode, 200)
  assert.equal(current.body, page.body)
  const html = await app.inject({ url: `/posts/${slug}`, headers: { accept: BROWSER } })
  assert.match(html.body, new RegExp(`href="${SITE}/ap/posts/${id}/1"`))
  for (const stale of [`/ap/posts/${id}`, `/ap/posts/${id}/2`, `/ap/posts/${id}/0`, `/ap/posts/${id}/x`]) {
    const res = await app.inject({ url: stale, headers: { accept: AP } })
    assert.equal(res.statusCode, 404, stale)
  }
})
