// Checks that cached public pages are never stale: writes from any connection, and the clock, empty the cache.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildApp } from '../../src/app.ts'
import { closeDatabase, openDatabase } from '../../src/db/client.ts'
import { savePost } from '../../src/features/content/posts.ts'
import { pageCacheKey } from '../../src/plugins/page-cache.ts'
import { createTestApp, createTestDb, testConfig } from '../helpers/app.ts'
import { createPost, createPosts } from '../helpers/fixtures.ts'

test('a repeated request is answered from the cache with the same body and ETag', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Cached once' })
  const first = await app.inject('/posts')
  const second = await app.inject('/posts')
  assert.equal(second.statusCode, 200)
  assert.equal(second.body, first.body)
  assert.equal(second.headers.etag, first.headers.etag)
  assert.equal(second.headers['cache-control'], first.headers['cache-control'])
  const conditional = await app.inject({
    url: '/posts',
    headers: { 'if-none-match': String(first.headers.etag) },
  })
  assert.equal(conditional.statusCode, 304)
})

test('a post saved through this process shows at once, though the page was cached', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Before the write' })
  assert.doesNotMatch((await app.inject('/')).body, /After the write/)
  createPost(db, { title: 'After the write', daysAgo: 0.001 })
  assert.match((await app.inject('/')).body, /After the write/)
})

test('a post saved by another connection (the CLI, a replica) shows at once', async (t) => {
  const { db, dir, path } = createTestDb(t)
  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  createPost(db, { title: 'Old news' })
  assert.doesNotMatch((await app.inject('/feed.xml')).body, /Fresh from the CLI/)

  const other = openDatabase(path)
  savePost(other, { title: 'Fresh from the CLI', kind: 'article', bodyMd: 'Hello.', status: 'published' })
  closeDatabase(other)

  assert.match((await app.inject('/feed.xml')).body, /Fresh from the CLI/)
})

test('a scheduled post appears on a cached page when its time comes', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Already out' })
  savePost(db, {
    title: 'Goes live shortly',
    kind: 'article',
    bodyMd: 'Soon.',
    status: 'scheduled',
    publishedAt: new Date(Date.now() + 150),
  })
  assert.doesNotMatch((await app.inject('/posts')).body, /Goes live shortly/)
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.match((await app.inject('/posts')).body, /Goes live shortly/)
})

test('a compressed response is offered to clients that ask for one', async (t) => {
  const { app, db } = await createTestApp(t)
  for (let i = 0; i < 5; i++) createPost(db, { title: `Long enough ${i}` })
  await app.inject('/')
  const res = await app.inject({ url: '/', headers: { 'accept-encoding': 'br, gzip' } })
  assert.equal(res.headers['content-encoding'], 'br')
  assert.equal(res.headers.vary, 'accept-encoding')
})

test('a page served from the cache carries the same security and caching headers as the first', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Headers twice' })
  const first = await app.inject('/posts')
  const second = await app.inject('/posts')
  for (const name of [
    'content-security-policy',
    'x-content-type-options',
    'referrer-policy',
    'content-type',
    'cache-control',
    'etag',
  ]) {
    assert.equal(second.headers[name], first.headers[name], name)
  }
  assert.equal(second.headers['set-cookie'], undefined)
  const head = await app.inject({ method: 'HEAD', url: '/posts' })
  assert.equal(head.statusCode, 200)
  assert.equal(head.body, '')
})

test('made-up query parameters neither bypass the page cache nor change the page', async (t) => {
  const { db, dir } = createTestDb(t)
  createPosts(db, 12)
  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  const rendered: string[] = []
  app.addHook('onSend', async (request, _reply, payload) => {
    rendered.push(request.url)
    return payload
  })

  const home = await app.inject('/')
  for (let i = 0; i < 50; i++) {
    const res = await app.inject(`/?utm_source=feed&x=${i}`)
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, home.body)
  }
  assert.deepEqual(rendered, ['/'], 'only the first request rendered the home page')

  const secondPage = await app.inject('/posts?page=2')
  const tracked = await app.inject('/posts?utm_medium=mastodon&page=2&ref=x')
  assert.equal(tracked.body, secondPage.body, 'the page number still counts; the rest is ignored')
  assert.notEqual(secondPage.body, (await app.inject('/posts')).body)
  assert.deepEqual(rendered, ['/', '/posts?page=2', '/posts'])
})

test('the cache key keeps only the parameters a route reads, in a fixed order', () => {
  assert.equal(pageCacheKey('/'), '/')
  assert.equal(pageCacheKey('/?a=1'), '/')
  assert.equal(pageCacheKey('/posts?z=9&page=2', ['page']), '/posts?page=2')
  assert.equal(pageCacheKey('/search?page=2&q=a+b&x=1', ['q', 'page']), '/search?page=2&q=a+b')
  assert.equal(pageCacheKey('/search?q=%C3%BC', ['q', 'page']), '/search?q=%C3%BC')
})
