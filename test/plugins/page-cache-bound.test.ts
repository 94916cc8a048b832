// Checks that the page cache holds its byte bound (PAGE_CACHE_MB) with compressed copies counted, and compresses large pages off the event loop.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { brotliDecompressSync } from 'node:zlib'
import { createTestApp } from '../helpers/app.ts'
import { createPost } from '../helpers/fixtures.ts'

/** A paragraph that does not compress to nothing: each word differs. */
const prose = (seed: number, words: number): string =>
  Array.from({ length: words }, (_, i) => `w${((seed + 1) * 7919 * (i + 3)) % 100_003}`).join(' ')

test('the page cache stays inside PAGE_CACHE_MB, compressed copies included', async (t) => {
  const { app, db } = await createTestApp(t, { PAGE_CACHE_MB: '1' })
  const urls: string[] = []
  for (let i = 0; i < 80; i++) {
    const { slug } = createPost(db, { title: `Big ${i}`, bodyMd: prose(i, 2500) })
    urls.push(`/posts/${slug}`)
  }
  const bound = 1024 * 1024
  for (const url of urls) {
    assert.equal((await app.inject(url)).statusCode, 200)
    const br = await app.inject({ url, headers: { 'accept-encoding': 'br' } })
    assert.equal(br.headers['content-encoding'], 'br')
    const gzip = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
    assert.equal(gzip.headers['content-encoding'], 'gzip')
    assert.ok(app.pageCache.calculatedSize <= bound, `counted ${app.pageCache.calculatedSize} > ${bound}`)
    assert.ok(app.pageCache.bytesHeld() <= bound, `held ${app.pageCache.bytesHeld()} > ${bound}`)
  }
  assert.ok(app.pageCache.size < urls.length, 'older pages were let go to stay inside the bound')
  assert.ok(app.pageCache.size > 10, 'yet the cache holds many pages')
})

test('a large page is compressed off the event loop and sent uncompressed until then', async (t) => {
  const { app, db } = await createTestApp(t)
  const { slug } = createPost(db, { title: 'Very long', bodyMd: prose(1, 22_000) })
  const url = `/posts/${slug}`
  const plain = await app.inject(url)
  assert.ok(plain.rawPayload.length > 128 * 1024, 'large enough to be compressed in the threadpool')
  const first = await app.inject({ url, headers: { 'accept-encoding': 'br' } })
  assert.equal(first.headers['content-encoding'], undefined)
  assert.equal(first.body, plain.body)
  let compressed = first
  for (let i = 0; i < 500 && compressed.headers['content-encoding'] !== 'br'; i++) {
    await sleep(10)
    compressed = await app.inject({ url, headers: { 'accept-encoding': 'br' } })
  }
  assert.equal(compressed.headers['content-encoding'], 'br')
  assert.equal(brotliDecompressSync(compressed.rawPayload).toString(), plain.body)
})
