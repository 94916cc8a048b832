// Checks social cards end to end: the post page's og:image, the PNG behind it, its cache on disk, and who gets a 404.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import sharp from 'sharp'
import type { Db } from '../../../src/db/client.ts'
import { CARDS_FOLDER, cardHash, cardTextOf } from '../../../src/features/cards/cards.ts'
import { type PostInput, savePost } from '../../../src/features/content/posts.ts'
import { getSettings, saveSettings } from '../../../src/features/settings/service.ts'
import { cardUrl } from '../../../src/lib/urls.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, DAY, fromNow } from '../../helpers/fixtures.ts'
import { metaContent } from '../../helpers/html.ts'

const SITE = 'https://blog.example.com'

/** The card URL path a post page names in og:image. */
function ogImagePath(html: string): string {
  const url = metaContent(html, 'og:image')
  assert.ok(url, 'the page has an og:image')
  assert.ok(url.startsWith(`${SITE}/cards/`), `${url} is absolute, on SITE_URL, under /cards/`)
  return url.slice(SITE.length)
}

/** The card URL the current title and settings would have, whether or not the post is public. */
const currentCardPath = (db: Db, slug: string, title: string): string =>
  cardUrl(slug, cardHash(cardTextOf({ title }, getSettings(db))))

const cardFiles = (mediaDir: string): string[] => {
  const dir = join(mediaDir, CARDS_FOLDER)
  return existsSync(dir) ? readdirSync(dir).filter((name) => !name.startsWith('.')) : []
}

test('a post page names its card: absolute og:image with size and alt, and a large Twitter card', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Caching on a small VPS' })

  const html = (await app.inject(`/posts/${post.slug}`)).body

  const path = ogImagePath(html)
  assert.match(path, new RegExp(`^/cards/${post.slug}-[0-9a-f]{12}\\.png$`))
  assert.equal(metaContent(html, 'og:image:width'), '1200')
  assert.equal(metaContent(html, 'og:image:height'), '630')
  assert.equal(metaContent(html, 'og:image:alt'), 'Caching on a small VPS, by The author on Folio')
  assert.equal(metaContent(html, 'twitter:card'), 'summary_large_image')
})

test('the card URL answers a 1200×630 PNG with a long immutable cache and an ETag', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Caching on a small VPS' })
  const path = ogImagePath((await app.inject(`/posts/${post.slug}`)).body)

  const res = await app.inject(path)

  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'image/png')
  assert.equal(res.headers['x-content-type-options'], 'nosniff')
  assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', 'other sites may show it')
  assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable')
  assert.match(String(res.headers.etag), /^"[0-9a-f]{12}"$/)
  const meta = await sharp(res.rawPayload).metadata()
  assert.equal(meta.format, 'png')
  assert.equal(meta.width, 1200)
  assert.equal(meta.height, 630)

  const again = await app.inject({ url: path, headers: { 'if-none-match': String(res.headers.etag) } })
  assert.equal(again.statusCode, 304)
})

test('pages other than posts keep a summary Twitter card and no og:image', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Listed' })

  for (const url of ['/', '/posts', '/tags']) {
    const html = (await app.inject(url)).body
    assert.equal(metaContent(html, 'twitter:card'), 'summary', url)
    assert.equal(metaContent(html, 'og:image'), undefined, url)
  }
})

test('a new title gives a new card URL; the old URL is a 404 and its file is removed', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const input: PostInput = {
    title: 'First title',
    slug: 'kept-slug',
    kind: 'article',
    bodyMd: 'Body.',
    status: 'published',
    publishedAt: new Date(Date.now() - DAY),
  }
  const { id } = createPost(db, input)
  const oldPath = ogImagePath((await app.inject('/posts/kept-slug')).body)
  assert.equal((await app.inject(oldPath)).statusCode, 200)

  savePost(db, { ...input, title: 'Second title' }, { id })
  const newPath = ogImagePath((await app.inject('/posts/kept-slug')).body)

  assert.notEqual(newPath, oldPath)
  assert.match(newPath, /^\/cards\/kept-slug-[0-9a-f]{12}\.png$/)
  const old = await app.inject(oldPath)
  assert.equal(old.statusCode, 404)
  assert.match(old.headers['content-type'] as string, /^text\/html/)
  assert.match(old.body, /Page not found/)
  assert.equal((await app.inject(newPath)).statusCode, 200)
  assert.deepEqual(cardFiles(config.mediaDir), [newPath.replace('/cards/kept-slug-', `${id}-`)])
})

test('renaming the site gives every card a new URL', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Same title' })
  const before = ogImagePath((await app.inject(`/posts/${post.slug}`)).body)

  saveSettings(db, { title: 'A new name' })

  const after = ogImagePath((await app.inject(`/posts/${post.slug}`)).body)
  assert.notEqual(after, before)
  assert.equal((await app.inject(before)).statusCode, 404)
  assert.equal((await app.inject(after)).statusCode, 200)
})

test('drafts, scheduled posts, unknown posts and made-up names have no card', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const draft = createPost(db, { title: 'Secret draft', status: 'draft' })
  const scheduled = createPost(db, { title: 'Coming soon', status: 'scheduled', publishedAt: fromNow(DAY) })
  const published = createPost(db, { title: 'Out there' })

  const urls = [
    currentCardPath(db, draft.slug, 'Secret draft'),
    currentCardPath(db, scheduled.slug, 'Coming soon'),
    currentCardPath(db, 'no-such-post', 'No such post'),
    `/cards/${published.slug}-000000000000.png`,
    `/cards/${published.slug}.png`,
    `/cards/${published.slug}-${cardHash(cardTextOf({ title: 'Out there' }, getSettings(db)))}.jpg`,
  ]
  for (const url of urls) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 404, url)
    assert.match(res.headers['content-type'] as string, /^text\/html/, url)
    assert.equal(res.headers['cache-control'], 'no-store', url)
  }
  assert.deepEqual(cardFiles(config.mediaDir), [])
})

test('a title with markup characters draws, and the page escapes it in the alt text', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Vec<T> & "friends" </span><b>日本語 Ελληνικά' })

  const html = (await app.inject(`/posts/${post.slug}`)).body
  assert.match(
    html,
    /<meta property="og:image:alt" content="Vec&lt;T&gt; &amp; &quot;friends&quot; &lt;\/span&gt;/,
  )

  const res = await app.inject(ogImagePath(html))
  assert.equal(res.statusCode, 200)
  assert.equal((await sharp(res.rawPayload).metadata()).width, 1200)
})

test('the second request is served from the file on disk, which is not written again', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const post = createPost(db, { title: 'Drawn once' })
  const path = ogImagePath((await app.inject(`/posts/${post.slug}`)).body)

  const first = await app.inject(path)
  const [name] = cardFiles(config.mediaDir)
  assert.ok(name, 'the card was kept on disk')
  const file = join(config.mediaDir, CARDS_FOLDER, name)
  const written = statSync(file).mtimeMs

  await new Promise((resolve) => setTimeout(resolve, 20))
  const second = await app.inject(path)

  assert.equal(second.statusCode, 200)
  assert.deepEqual(second.rawPayload, first.rawPayload)
  assert.equal(statSync(file).mtimeMs, written)
  assert.deepEqual(cardFiles(config.mediaDir), [name])
})

test('requesting a card writes nothing to the database', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Read only' })
  const path = ogImagePath((await app.inject(`/posts/${post.slug}`)).body)
  const changes = () => db.$client.prepare('select total_changes()').pluck().get()
  const before = changes()

  assert.equal((await app.inject(path)).statusCode, 200)
  assert.equal((await app.inject({ method: 'HEAD', url: path })).statusCode, 200)

  assert.equal(changes(), before)
})

test('deleting a post in the admin removes its cards from disk and leaves the others', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const author = await signIn(app, db)
  const gone = createPost(db, { title: 'Going away' })
  const kept = createPost(db, { title: 'Staying' })
  for (const post of [gone, kept])
    assert.equal(
      (await app.inject(ogImagePath((await app.inject(`/posts/${post.slug}`)).body))).statusCode,
      200,
    )
  assert.equal(cardFiles(config.mediaDir).length, 2)

  const res = await author.post(`/admin/posts/${gone.id}/delete`, {}, `/admin/posts/${gone.id}/delete`)
  assert.equal(res.statusCode, 303)
  assert.deepEqual(
    cardFiles(config.mediaDir).map((name) => name.split('-')[0]),
    [String(kept.id)],
  )
})
