// Checks /media/: only the image types Folio writes are served, with their own type and nosniff; anything else is a 404.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import sharp from 'sharp'
import { createTestApp } from '../helpers/app.ts'

const SCRIPT = '<html><script>alert(document.cookie)</script></html>'

test('an image Folio writes is served with its image type, nosniff and a long cache', async (t) => {
  const { app, config } = await createTestApp(t)
  mkdirSync(config.mediaDir, { recursive: true })
  const formats = {
    jpg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    gif: 'image/gif',
    avif: 'image/avif',
  }
  for (const [extension, type] of Object.entries(formats)) {
    const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .toFormat(extension === 'jpg' ? 'jpeg' : (extension as 'png'))
      .toBuffer()
    writeFileSync(join(config.mediaDir, `abc123-photo.${extension}`), bytes)

    const res = await app.inject(`/media/abc123-photo.${extension}`)

    assert.equal(res.statusCode, 200, extension)
    assert.equal(res.headers['content-type'], type)
    assert.equal(res.headers['x-content-type-options'], 'nosniff')
    assert.match(String(res.headers['cache-control']), /immutable/)
  }
})

test('a page, a script, an SVG or a file without an image extension in MEDIA_DIR is a 404, never served', async (t) => {
  const { app, config } = await createTestApp(t)
  mkdirSync(config.mediaDir, { recursive: true })
  const planted = [
    'x.html',
    'x.htm',
    'x.svg',
    'x.js',
    'x.xml',
    'x.txt',
    'x.jpeg',
    'X.JPG',
    'x.jpg.html',
    'noextension',
    '.hidden.jpg',
  ]
  for (const name of planted) writeFileSync(join(config.mediaDir, name), SCRIPT)

  for (const name of planted) {
    for (const url of [`/media/${name}`, `/media/${encodeURIComponent(name)}`]) {
      const res = await app.inject(url)
      assert.equal(res.statusCode, 404, url)
      assert.match(String(res.headers['content-type']), /^text\/html/, url)
      assert.ok(!res.body.includes('alert(document.cookie)'), `${url} does not serve the planted file`)
    }
  }
})

test('an image answers HEAD, a conditional request and a range; a name Folio would give but no file is a 404 page', async (t) => {
  const { app, config } = await createTestApp(t)
  mkdirSync(config.mediaDir, { recursive: true })
  const bytes = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#abcdef' } })
    .png()
    .toBuffer()
  writeFileSync(join(config.mediaDir, 'abc123-photo.png'), bytes)

  const head = await app.inject({ method: 'HEAD', url: '/media/abc123-photo.png' })
  assert.equal(head.statusCode, 200)
  assert.equal(head.headers['content-length'], String(bytes.length))
  assert.equal(head.body, '')

  const full = await app.inject('/media/abc123-photo.png')
  assert.deepEqual(full.rawPayload, bytes)
  const etag = String(full.headers.etag)
  assert.ok(etag, 'an image carries an ETag')
  const again = await app.inject({ url: '/media/abc123-photo.png', headers: { 'if-none-match': etag } })
  assert.equal(again.statusCode, 304)
  assert.equal(again.body, '')

  const part = await app.inject({ url: '/media/abc123-photo.png', headers: { range: 'bytes=0-7' } })
  assert.equal(part.statusCode, 206)
  assert.deepEqual(part.rawPayload, bytes.subarray(0, 8))
  assert.equal(part.headers['content-range'], `bytes 0-7/${bytes.length}`)

  const missing = await app.inject('/media/def456-gone.png')
  assert.equal(missing.statusCode, 404)
  assert.match(String(missing.headers['content-type']), /^text\/html/)
  assert.match(missing.body, /<html/i)
})

test('a range the image cannot satisfy is refused with a 416 that says the size, on the site’s error page', async (t) => {
  const { app, config } = await createTestApp(t)
  mkdirSync(config.mediaDir, { recursive: true })
  writeFileSync(join(config.mediaDir, 'abc123-photo.png'), Buffer.alloc(100, 1))
  const refused = (accept: string) =>
    app.inject({ url: '/media/abc123-photo.png', headers: { range: 'bytes=500-600', accept } })

  const page = await refused('text/html')
  assert.equal(page.statusCode, 416)
  assert.equal(page.headers['content-range'], 'bytes */100')
  assert.match(String(page.headers['content-type']), /^text\/html/)
  // A script that asked for JSON gets Folio's own shape, never Fastify's error object.
  const json = await refused('application/json')
  assert.equal(json.statusCode, 416)
  assert.equal(json.headers['content-range'], 'bytes */100')
  assert.deepEqual(Object.keys(json.json()).sort(), ['error', 'message'])
})
