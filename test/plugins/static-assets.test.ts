// Checks /static/: hashed URLs with a year-long immutable cache, a short cache otherwise, and 404s.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { createTestApp } from '../helpers/app.ts'

test('the stylesheet a page links to answers with CSS and an immutable year-long cache', async (t) => {
  const { app } = await createTestApp(t)
  const page = await app.inject('/')
  const href = /<link rel="stylesheet" href="(\/static\/css\/site\.[0-9a-f]{8,}\.css)">/.exec(page.body)?.[1]
  assert.ok(href, 'the page links a hashed stylesheet')

  const res = await app.inject(href)

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/css/)
  assert.match(String(res.headers['cache-control']), /max-age=31536000/)
  assert.match(String(res.headers['cache-control']), /immutable/)
  assert.ok(res.body.length > 100)
  assert.ok(res.headers.etag)

  const again = await app.inject({ url: href, headers: { 'if-none-match': String(res.headers.etag) } })
  assert.equal(again.statusCode, 304)
})

test('the favicon a page links to is served with a hashed URL', async (t) => {
  const { app } = await createTestApp(t)
  const page = await app.inject('/')
  const href = /<link rel="icon" href="(\/static\/favicon\.[0-9a-f]+\.svg)"/.exec(page.body)?.[1]
  assert.ok(href)
  const res = await app.inject(href)
  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^image\/svg\+xml/)
})

test('the unhashed stylesheet URL answers with a short cache', async (t) => {
  const { app } = await createTestApp(t)

  const res = await app.inject('/static/css/site.css')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/css/)
  const cache = String(res.headers['cache-control'])
  assert.doesNotMatch(cache, /immutable/)
  const maxAge = Number(/max-age=(\d+)/.exec(cache)?.[1])
  assert.ok(maxAge > 0 && maxAge <= 3600, `short cache: ${cache}`)
})

test('static files are compressed for browsers that accept it', async (t) => {
  const { app } = await createTestApp(t)
  const plain = await app.inject('/static/css/site.css')
  assert.match(String(plain.headers.vary), /accept-encoding/i, 'varies even before the copies are made')
  // Compressing happens after start-up, in the threadpool; a browser gets the plain file until then.
  await app.assets.compressed
  const res = await app.inject({ url: '/static/css/site.css', headers: { 'accept-encoding': 'gzip, br' } })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-encoding'], 'br')
  assert.match(String(res.headers.vary), /accept-encoding/i)
  assert.equal(brotliDecompressSync(res.rawPayload).toString(), plain.body)
  const gzipped = await app.inject({ url: '/static/css/site.css', headers: { 'accept-encoding': 'gzip' } })
  assert.equal(gzipped.headers['content-encoding'], 'gzip')
  assert.equal(gunzipSync(gzipped.rawPayload).toString(), plain.body)
})

test('an unknown static file is a 404', async (t) => {
  const { app } = await createTestApp(t)
  for (const url of ['/static/nope.css', '/static/css/site.0000000000.css', '/static/']) {
    assert.equal((await app.inject(url)).statusCode, 404, url)
  }
})

test('static URLs cannot reach files outside static/', async (t) => {
  const { app } = await createTestApp(t)
  for (const url of [
    '/static/../package.json',
    '/static/%2e%2e/package.json',
    '/static/..%2Fsrc%2Fconfig.ts',
    '/static/css/../../package.json',
  ]) {
    const res = await app.inject(url)
    assert.ok(res.statusCode === 404 || res.statusCode === 400, `${url} → ${res.statusCode}`)
    assert.doesNotMatch(res.body, /"name": "folio"|loadConfig/, url)
  }
})
