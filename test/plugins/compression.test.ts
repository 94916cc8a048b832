// Checks content coding: the encoding each Accept-Encoding gets, which responses are compressed, and that compressed request bodies are refused.
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { type TestContext, test } from 'node:test'
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import Fastify from 'fastify'
import compression, { preferredEncoding } from '../../src/plugins/compression.ts'
import { createTestApp, rowCount } from '../helpers/app.ts'
import { createPost } from '../helpers/fixtures.ts'

test('the encoding follows Accept-Encoding: brotli first, gzip next, and q=0 refuses one', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['BR', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['gzip;q=0.5, br;q=0.1', 'br'],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['br;q=0, *', 'gzip'],
    ['gzip, *;q=0', 'gzip'],
    ['gzip;q=nonsense', undefined],
    [`${'x;q=1, '.repeat(1000)}gzip`, 'gzip'],
  ]
  for (const [accepts, expected] of cases) assert.equal(preferredEncoding(accepts), expected, String(accepts))
})

const page = `<!doctype html><title>Tea</title>${'<p>A paragraph about loose-leaf tea.</p>'.repeat(80)}`

/** A bare Fastify with the plugin and one route per kind of response, closed when `t` ends. */
async function app(t: TestContext) {
  const server = Fastify()
  t.after(() => server.close())
  await server.register(compression)
  server.get('/page', (_req, reply) => reply.type('text/html; charset=utf-8').send(page))
  server.get('/data', () => ({ items: Array.from({ length: 200 }, (_, i) => `item ${i}`) }))
  server.get('/csv', (_req, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .send(Readable.from(Array.from({ length: 300 }, (_, i) => `${i},tea\n`))),
  )
  server.get('/short', (_req, reply) => reply.type('text/html').send('<p>Short</p>'))
  server.get('/image', (_req, reply) => reply.type('image/png').send(Buffer.alloc(4096, 7)))
  server.get('/negotiated', (_req, reply) => reply.type('text/html').header('vary', 'accept').send(page))
  server.get('/ready', { config: { compress: false } }, (_req, reply) =>
    reply.type('text/css').send('a{color:red}'.repeat(200)),
  )
  return server
}

test('a page is sent in brotli or gzip as asked, decodes to the same text and says it varies', async (t) => {
  const server = await app(t)
  const br = await server.inject({ url: '/page', headers: { 'accept-encoding': 'gzip, deflate, br' } })
  assert.equal(br.headers['content-encoding'], 'br')
  assert.equal(br.headers.vary, 'accept-encoding')
  assert.equal(Number(br.headers['content-length']), br.rawPayload.length)
  assert.ok(br.rawPayload.length < page.length / 4, `${br.rawPayload.length} bytes`)
  assert.equal(brotliDecompressSync(br.rawPayload).toString(), page)

  const gzip = await server.inject({ url: '/page', headers: { 'accept-encoding': 'br;q=0, gzip' } })
  assert.equal(gzip.headers['content-encoding'], 'gzip')
  assert.equal(gunzipSync(gzip.rawPayload).toString(), page)

  const plain = await server.inject({ url: '/page' })
  assert.equal(plain.headers['content-encoding'], undefined)
  assert.equal(
    plain.headers.vary,
    'accept-encoding',
    'a shared cache must not hand this copy to a brotli client',
  )
  assert.equal(plain.body, page)

  const head = await server.inject({ method: 'HEAD', url: '/page', headers: { 'accept-encoding': 'br' } })
  assert.equal(head.headers['content-encoding'], 'br')
  assert.equal(head.body, '')
})

test('a text stream (a CSV download) is compressed as it goes', async (t) => {
  const server = await app(t)
  const res = await server.inject({ url: '/csv', headers: { 'accept-encoding': 'gzip' } })
  assert.equal(res.headers['content-encoding'], 'gzip')
  const lines = gunzipSync(res.rawPayload).toString().trim().split('\n')
  assert.equal(lines.length, 300)
  assert.equal(lines[299], '299,tea')
})

test('JSON is compressed too; short bodies, images and routes that opt out are sent as they are', async (t) => {
  const server = await app(t)
  const headers = { 'accept-encoding': 'br' }
  const data = await server.inject({ url: '/data', headers })
  assert.equal(data.headers['content-encoding'], 'br')
  assert.equal(JSON.parse(brotliDecompressSync(data.rawPayload).toString()).items.length, 200)
  for (const url of ['/short', '/image', '/ready']) {
    const res = await server.inject({ url, headers })
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.headers['content-encoding'], undefined, url)
    assert.equal(res.headers.vary, undefined, url)
  }
})

test("a route's own Vary is kept, with accept-encoding added once", async (t) => {
  const server = await app(t)
  const res = await server.inject({ url: '/negotiated', headers: { 'accept-encoding': 'gzip' } })
  assert.equal(res.headers['content-encoding'], 'gzip')
  assert.equal(res.headers.vary, 'accept, accept-encoding')
})

test('a compressed request body gets a 415 page and nothing is stored', async (t) => {
  const { app, db } = await createTestApp(t)
  const res = await app.inject({
    method: 'POST',
    url: '/contact',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
    payload: gzipSync('name=Ada&email=ada%40example.com&message=Hello'),
  })
  assert.equal(res.statusCode, 415)
  assert.match(String(res.headers['content-type']), /text\/html/)
  assert.match(res.body, /sent compressed, which this site does not accept, so nothing was saved/)
  assert.equal(rowCount(db, 'messages'), 0)
})

test('a 304 for a page names Accept-Encoding in Vary, as its 200 did', async (t) => {
  // With the page cache off, so the 304 comes from the ETag plugin, not a replayed entry.
  const { app, db } = await createTestApp(t, { PAGE_CACHE_MB: '0' })
  createPost(db, { title: 'Conditional tea' })
  const first = await app.inject({ url: '/', headers: { 'accept-encoding': 'br' } })
  assert.equal(first.headers['content-encoding'], 'br')
  const again = await app.inject({
    url: '/',
    headers: { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) },
  })
  assert.equal(again.statusCode, 304)
  assert.match(String(again.headers.vary), /accept-encoding/)
  assert.equal(again.headers['content-encoding'], undefined)
})
