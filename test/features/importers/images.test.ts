// Checks bringing an imported blog's images into the media library: fetched through the SSRF guard or read from --media-dir, once each, and the posts pointing at the copies.
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { eq } from 'drizzle-orm'
import { importedItems, posts } from '../../../src/db/schema.ts'
import { savePost } from '../../../src/features/content/posts.ts'
import { bodyToHtml, htmlToMarkdown } from '../../../src/features/importers/convert.ts'
import {
  createImageCache,
  type ImageContext,
  localizeFeatureImage,
  localizeImages,
} from '../../../src/features/importers/images.ts'
import { findMediaByReference } from '../../../src/features/media/service.ts'
import { createTestDb, rowCount, scratchDir } from '../../helpers/app.ts'
import { testImage } from '../../helpers/fixtures.ts'
import { listenOnLoopback } from '../../helpers/loopback.ts'

type Route = (res: ServerResponse) => void

/** The old blog: a real HTTP server on loopback serving real images, counting what it is asked for. */
async function oldSite(t: TestContext) {
  const [photo, thumb, small, png] = await Promise.all([
    testImage('jpeg', 1200, 800),
    testImage('jpeg', 300, 200),
    testImage('png', 300, 200),
    testImage('png', 640, 480),
  ])
  const image =
    (body: Buffer, type: string): Route =>
    (res) =>
      res.writeHead(200, { 'content-type': type }).end(body)
  const routes: Record<string, Route> = {
    '/wp-content/uploads/2019/03/pic.jpg': image(photo, 'image/jpeg'),
    '/wp-content/uploads/2019/03/pic-300x200.jpg': image(thumb, 'image/jpeg'),
    '/wp-content/uploads/2019/04/only-300x200.png': image(small, 'image/png'),
    '/content/images/2020/01/cover.png': image(png, 'image/png'),
    '/soft-404.jpg': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Not here</h1>'),
    '/huge.jpg': (res) =>
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '20000000' }).end(),
    '/slow.jpg': () => {},
  }
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const route = routes[req.url ?? '']
    if (route) route(res)
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
  })
  const origin = await listenOnLoopback(t, server)
  return { origin, requests, png }
}

function imageContext(t: TestContext, overrides: Partial<ImageContext> = {}): ImageContext {
  const dir = scratchDir(t)
  const mediaDir = join(dir, 'media')
  mkdirSync(mediaDir)
  return {
    source: 'wordpress https://old.example',
    mediaDir,
    allowPrivate: true,
    dryRun: false,
    cache: createImageCache(),
    ...overrides,
  }
}

test('each image is brought in once, from its original, and the body points at the library’s copy', async (t) => {
  const { db } = createTestDb(t)
  const { origin, requests } = await oldSite(t)
  const context = imageContext(t, { oldUrl: origin })
  const body =
    `[caption id="attachment_5" width="300"]<a href="${origin}/wp-content/uploads/2019/03/pic.jpg"><img src="${origin}/wp-content/uploads/2019/03/pic-300x200.jpg" srcset="${origin}/wp-content/uploads/2019/03/pic-300x200.jpg 300w, ${origin}/wp-content/uploads/2019/03/pic.jpg 1200w" alt="A heron" /></a> A heron[/caption]\n\n` +
    'Again, relative: <img src="/wp-content/uploads/2019/03/pic-300x200.jpg" alt="">'
  const { html } = bodyToHtml(body, 'wordpress')

  const result = await localizeImages(db, html, context)

  assert.deepEqual(result.fetched, [`${origin}/wp-content/uploads/2019/03/pic.jpg`])
  assert.deepEqual(result.missing, [])
  assert.deepEqual(requests, ['/wp-content/uploads/2019/03/pic.jpg'])
  assert.doesNotMatch(result.html, /wp-content/)
  const [libraryUrl] = result.html.match(/\/media\/[\w.-]+-pic\.jpg/) ?? []
  assert.ok(libraryUrl)
  const row = findMediaByReference(db, libraryUrl)
  assert.equal(row?.width, 1200)
  assert.equal(
    db.select().from(importedItems).where(eq(importedItems.kind, 'media')).get()?.sourceId,
    `${origin}/wp-content/uploads/2019/03/pic.jpg`,
  )

  const { markdown } = htmlToMarkdown(result.html)
  assert.equal(markdown, `![A heron](${libraryUrl})\n*A heron*\n\nAgain, relative: ![](${libraryUrl})`)
  const id = savePost(db, { title: 'Herons', kind: 'article', bodyMd: markdown, status: 'published' })
  const stored = db.select({ html: posts.bodyHtml }).from(posts).where(eq(posts.id, id)).get()?.html ?? ''
  assert.match(stored, /<figure><img [^>]*srcset="\/media\/[\w.-]+-480\.webp 480w/)
  assert.match(stored, /width="1200" height="800"/)
})

test('a link to an image file is brought in only when it wraps the image it shows', async (t) => {
  const { db } = createTestDb(t)
  const { origin, requests } = await oldSite(t)
  const html = `<p>See <a href="${origin}/content/images/2020/01/cover.png">the cover</a>.</p>`
  const result = await localizeImages(db, html, imageContext(t, { oldUrl: origin }))
  assert.equal(result.html, html)
  assert.deepEqual(requests, [])
})

test('a resized copy whose original is gone is brought in itself', async (t) => {
  const { db } = createTestDb(t)
  const { origin, requests } = await oldSite(t)
  const context = imageContext(t, { oldUrl: origin })
  const result = await localizeImages(db, '<img src="/wp-content/uploads/2019/04/only-300x200.png">', context)
  assert.deepEqual(result.fetched, [`${origin}/wp-content/uploads/2019/04/only-300x200.png`])
  assert.deepEqual(requests, [
    '/wp-content/uploads/2019/04/only.png',
    '/wp-content/uploads/2019/04/only-300x200.png',
  ])
  assert.match(result.html, /src="\/media\/[\w.-]+-only-300x200\.png"/)
})

test('an image that cannot be had keeps its address in the body and is reported with the reason', async (t) => {
  const { db } = createTestDb(t)
  const { origin } = await oldSite(t)
  const context = imageContext(t, { oldUrl: origin, timeoutMs: 300 })
  const html = ['/gone.jpg', '/soft-404.jpg', '/huge.jpg', '/slow.jpg']
    .map((path) => `<p><img src="${origin}${path}"></p>`)
    .join('')

  const result = await localizeImages(db, html, context)

  assert.equal(result.html, html)
  assert.deepEqual(result.fetched, [])
  assert.deepEqual(
    result.missing.map(({ url, reason }) => [url.slice(origin.length), reason]),
    [
      ['/gone.jpg', 'the server answered 404'],
      ['/soft-404.jpg', 'not an image Folio accepts (text/html)'],
      ['/huge.jpg', 'larger than 10 MB'],
      ['/slow.jpg', 'timed out after 0.3 s'],
    ],
  )
  assert.equal(rowCount(db, 'media'), 0)
})

test('a private address is refused unless FETCH_ALLOW_PRIVATE allows it', async (t) => {
  const { db } = createTestDb(t)
  const { origin, requests } = await oldSite(t)
  const context = imageContext(t, { oldUrl: origin, allowPrivate: false })
  const url = `${origin}/wp-content/uploads/2019/03/pic.jpg`

  const result = await localizeImages(db, `<img src="${url}">`, context)

  assert.deepEqual(result.missing, [
    { url, reason: 'resolves to a private address (127.0.0.1); FETCH_ALLOW_PRIVATE=true allows it' },
  ])
  assert.deepEqual(requests, [])
  assert.match(result.html, new RegExp(`src="${url}"`))
})

test('--media-dir is read before the network: a wp-content/uploads copy and a Ghost content/images copy', async (t) => {
  const { db } = createTestDb(t)
  const { png } = await oldSite(t)
  const uploads = scratchDir(t)
  mkdirSync(join(uploads, '2019', '03'), { recursive: true })
  writeFileSync(join(uploads, '2019', '03', 'local.png'), png)
  mkdirSync(join(uploads, '2020', '01'), { recursive: true })
  writeFileSync(join(uploads, '2020', '01', 'ghost.png'), png)
  const context = imageContext(t, { localDir: uploads })
  const html =
    '<img src="https://old.example/wp-content/uploads/2019/03/local-300x200.png">' +
    '<img src="/content/images/size/w600/2020/01/ghost.png">' +
    '<img src="/content/images/2020/01/absent.png">'

  const result = await localizeImages(db, html, context)

  assert.deepEqual(result.fetched, [
    'https://old.example/wp-content/uploads/2019/03/local.png',
    '/content/images/2020/01/ghost.png',
  ])
  assert.deepEqual(result.missing, [
    {
      url: '/content/images/2020/01/absent.png',
      reason: 'not in the --media-dir folder, and no address to fetch it from: give --old-url',
    },
  ])
  assert.match(
    result.html,
    /<img src="\/media\/[\w.-]+-local\.png" \/><img src="\/media\/[\w.-]+-ghost\.png" \/>/,
  )
  assert.equal(rowCount(db, 'media'), 2)
})

test('without --old-url or --media-dir a relative address is reported, not guessed', async (t) => {
  const { db } = createTestDb(t)
  const result = await localizeImages(db, '<img src="/wp-content/uploads/x.png">', imageContext(t))
  assert.deepEqual(result.missing, [
    { url: '/wp-content/uploads/x.png', reason: 'no address: give --old-url or --media-dir' },
  ])
})

test('a path leading out of --media-dir is refused, by dot-dots or by a link inside the folder', async (t) => {
  const { db } = createTestDb(t)
  const { png } = await oldSite(t)
  const outside = scratchDir(t)
  writeFileSync(join(outside, 'secret.png'), png)
  const uploads = join(outside, 'uploads')
  mkdirSync(uploads)
  symlinkSync(join(outside, 'secret.png'), join(uploads, 'linked.png'))
  const context = imageContext(t, { localDir: uploads })

  const result = await localizeImages(
    db,
    '<img src="https://old.example/wp-content/uploads/..%2Fsecret.png"><img src="https://old.example/wp-content/uploads/linked.png">',
    context,
  )

  const reason = 'its path leads outside the --media-dir folder'
  assert.deepEqual(result.missing, [
    { url: 'https://old.example/wp-content/uploads/..%2Fsecret.png', reason },
    { url: 'https://old.example/wp-content/uploads/linked.png', reason },
  ])
  assert.equal(rowCount(db, 'media'), 0)
})

test('a host that does not answer costs one timeout: its other images are given up at once, other hosts still fetched', async (t) => {
  const { db } = createTestDb(t)
  const { origin: live } = await oldSite(t)
  const asked: string[] = []
  const silent = createServer((req) => {
    asked.push(req.url ?? '')
  })
  const dead = await listenOnLoopback(t, silent)
  const closed = createServer()
  const refused = await listenOnLoopback(t, closed)
  closed.close()
  const context = imageContext(t, { oldUrl: live, timeoutMs: 200 })
  const post = (...urls: string[]) => urls.map((url) => `<p><img src="${url}"></p>`).join('')

  const first = await localizeImages(db, post(`${dead}/a-300x200.jpg`, `${refused}/c.jpg`), context)
  const second = await localizeImages(
    db,
    post(`${dead}/b.jpg`, `${refused}/d.jpg`, `${live}/wp-content/uploads/2019/03/pic.jpg`),
    context,
  )

  assert.deepEqual(asked, ['/a.jpg'], 'one request, not one per address or per image')
  assert.deepEqual(
    first.missing.map((m) => m.reason),
    ['timed out after 0.2 s', 'could not be fetched (ECONNREFUSED)'],
  )
  assert.deepEqual(
    second.missing.map((m) => [m.url, m.reason]),
    [
      [`${dead}/b.jpg`, 'timed out after 0.2 s (host did not answer earlier)'],
      [`${refused}/d.jpg`, 'could not be fetched (ECONNREFUSED) (host did not answer earlier)'],
    ],
  )
  assert.deepEqual(second.fetched, [`${live}/wp-content/uploads/2019/03/pic.jpg`])
})

test('a second import fetches nothing and points at the same copies', async (t) => {
  const { db } = createTestDb(t)
  const { origin, requests } = await oldSite(t)
  const html = `<img src="${origin}/wp-content/uploads/2019/04/only-300x200.png"><img src="${origin}/wp-content/uploads/2019/03/pic.jpg">`
  const first = await localizeImages(db, html, imageContext(t, { oldUrl: origin }))
  const asked = requests.length

  const second = await localizeImages(db, html, imageContext(t, { oldUrl: origin }))

  assert.equal(requests.length, asked)
  assert.equal(second.html, first.html)
  assert.deepEqual(second.fetched, [])
  assert.equal(second.reused.length, 2)
  assert.equal(rowCount(db, 'media'), 2)
})

test('one run brings an image in once however many posts show it', async (t) => {
  const { db } = createTestDb(t)
  const { origin, requests } = await oldSite(t)
  const context = imageContext(t, { oldUrl: origin })
  const html = `<img src="${origin}/wp-content/uploads/2019/03/pic.jpg">`
  const [a, b] = await Promise.all([localizeImages(db, html, context), localizeImages(db, html, context)])
  assert.equal(requests.length, 1)
  assert.deepEqual([...a.fetched, ...b.fetched], [`${origin}/wp-content/uploads/2019/03/pic.jpg`])
  assert.equal(a.html, b.html)
})

test('a dry run fetches and writes nothing but says what it would bring in', async (t) => {
  const { db } = createTestDb(t)
  const { origin, requests } = await oldSite(t)
  const context = imageContext(t, { oldUrl: origin, dryRun: true })
  const html = '<img src="/wp-content/uploads/2019/03/pic-300x200.jpg">'

  const result = await localizeImages(db, html, context)
  const feature = await localizeFeatureImage(db, `${origin}/content/images/2020/01/cover.png`, context)

  assert.equal(result.html, html)
  assert.deepEqual(result.fetched, [`${origin}/wp-content/uploads/2019/03/pic-300x200.jpg`])
  assert.deepEqual(feature.fetched, [`${origin}/content/images/2020/01/cover.png`])
  assert.equal(feature.reference, undefined)
  assert.deepEqual(requests, [])
  assert.equal(rowCount(db, 'media'), 0)
  assert.equal(rowCount(db, 'imported_items'), 0)
})

test('a feature image becomes a library reference that savePost accepts; a missing one is reported', async (t) => {
  const { db } = createTestDb(t)
  const { origin } = await oldSite(t)
  const context = imageContext(t, { oldUrl: origin })

  const feature = await localizeFeatureImage(db, '__GHOST_URL__/content/images/2020/01/cover.png', context)
  assert.match(feature.reference ?? '', /^\/media\/[\w.-]+-cover\.png$/)
  const id = savePost(db, {
    title: 'With a cover',
    kind: 'article',
    bodyMd: 'Text.',
    status: 'published',
    featureImage: feature.reference,
  })
  const post = db.select({ featureImageId: posts.featureImageId }).from(posts).where(eq(posts.id, id)).get()
  assert.equal(post?.featureImageId, findMediaByReference(db, feature.reference ?? '')?.id)

  const gone = await localizeFeatureImage(db, `${origin}/gone.png`, context)
  assert.equal(gone.reference, undefined)
  assert.deepEqual(gone.missing, [{ url: `${origin}/gone.png`, reason: 'the server answered 404' }])
})
