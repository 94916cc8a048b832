// Checks what every public page promises over HTTP: HEAD, short caching with ETags, no cookies, no scripts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp, type TestApp } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { scriptTags } from '../../helpers/html.ts'

async function blogWithContent(
  t: Parameters<typeof createTestApp>[0],
): Promise<TestApp & { urls: string[] }> {
  const testApp = await createTestApp(t)
  const { db } = testApp
  const article = createPost(db, {
    title: 'An article',
    bodyMd: '## Heading\n\n```js\nlet x = 1\n```',
    tags: ['Web'],
    series: 'A series',
  })
  const link = createPost(db, {
    title: 'A link',
    kind: 'link',
    linkUrl: 'https://example.org/',
    bodyMd: 'Nice.',
    quoteMd: 'Quoted.',
  })
  createPage(db, { title: 'About' })
  const urls = [
    '/',
    '/posts',
    `/posts/${article.slug}`,
    `/posts/${link.slug}`,
    '/tags',
    '/tags/web',
    '/series/a-series',
    '/about',
    '/search',
    '/search?q=article',
  ]
  return { ...testApp, urls }
}

test('public HTML pages have a short shared cache and an ETag', async (t) => {
  const { app, urls } = await blogWithContent(t)
  for (const url of urls) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, url)
    assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/, url)
    const cache = String(res.headers['cache-control'])
    assert.match(cache, /\bpublic\b/, `${url}: ${cache}`)
    assert.match(cache, /max-age=\d+/, `${url}: ${cache}`)
    assert.doesNotMatch(cache, /immutable|no-store|private/, `${url}: ${cache}`)
    assert.ok(res.headers.etag, `${url} has an ETag`)
  }
})

test('a second request with the ETag gets 304 Not Modified and no body', async (t) => {
  const { app, urls } = await blogWithContent(t)
  for (const url of urls) {
    const first = await app.inject(url)
    const again = await app.inject({ url, headers: { 'if-none-match': String(first.headers.etag) } })
    assert.equal(again.statusCode, 304, url)
    assert.equal(again.body, '', url)
    assert.equal(again.headers.etag, first.headers.etag, url)
  }
})

test('a page that changed no longer matches its old ETag', async (t) => {
  const { app, db } = await createTestApp(t)
  const before = await app.inject('/')
  createPost(db, { title: 'Something new' })
  const after = await app.inject({ url: '/', headers: { 'if-none-match': String(before.headers.etag) } })
  assert.equal(after.statusCode, 200)
  assert.match(after.body, /Something new/)
})

test('HEAD requests answer like GET, without a body', async (t) => {
  const { app, urls } = await blogWithContent(t)
  for (const url of [
    ...urls,
    '/feed.xml',
    '/rss.xml',
    '/feed.json',
    '/sitemap.xml',
    '/robots.txt',
    '/healthz',
  ]) {
    const get = await app.inject(url)
    const head = await app.inject({ method: 'HEAD', url })
    assert.equal(head.statusCode, 200, url)
    assert.equal(head.body, '', url)
    assert.equal(head.headers['content-type'], get.headers['content-type'], url)
  }
  assert.equal((await app.inject({ method: 'HEAD', url: '/posts/nope' })).statusCode, 404)
})

test('public pages set no cookies', async (t) => {
  const { app, urls } = await blogWithContent(t)
  for (const url of [...urls, '/feed.xml', '/sitemap.xml', '/no-such-page']) {
    const res = await app.inject(url)
    assert.equal(res.headers['set-cookie'], undefined, url)
  }
})

test('public pages ship no JavaScript, only JSON-LD data', async (t) => {
  const { app, urls } = await blogWithContent(t)
  for (const url of [...urls, '/no-such-page', '/posts?page=abc']) {
    const res = await app.inject(url)
    assert.deepEqual(scriptTags(res.body), [], url)
    assert.doesNotMatch(res.body, /\son(click|load|error|submit)=/i, url)
  }
})

test('pages are compressed for browsers that accept it, and still revalidate', async (t) => {
  const { app, urls } = await blogWithContent(t)
  const url = urls[2] ?? '/'
  const plain = await app.inject(url)
  const br = await app.inject({ url, headers: { 'accept-encoding': 'br' } })
  assert.equal(br.statusCode, 200)
  assert.equal(br.headers['content-encoding'], 'br')
  assert.match(String(br.headers.vary), /accept-encoding/i)
  const gzip = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
  assert.equal(gzip.headers['content-encoding'], 'gzip')
  const revalidated = await app.inject({
    url,
    headers: { 'accept-encoding': 'br', 'if-none-match': String(plain.headers.etag) },
  })
  assert.equal(revalidated.statusCode, 304)
})

test('a GET never writes to the database', async (t) => {
  const { app, db, urls } = await blogWithContent(t)
  const changes = () => db.$client.prepare('select total_changes() as n').get() as { n: number }
  const before = changes().n
  for (const url of [
    ...urls,
    '/feed.xml',
    '/rss.xml',
    '/feed.json',
    '/sitemap.xml',
    '/robots.txt',
    '/healthz',
    '/nope',
  ]) {
    await app.inject(url)
  }
  assert.equal(changes().n, before)
})
