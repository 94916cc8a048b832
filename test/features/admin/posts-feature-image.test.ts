// Checks a post's feature image through HTTP: choosing it in the editor, the article and link previews that show it, bad references, deleting the image, revisions, and the picker's older images.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import sharp from 'sharp'
import type { Db } from '../../../src/db/client.ts'
import { PICKER_PAGE_SIZE } from '../../../src/features/admin/posts/feature-image.ts'
import { deleteMedia, saveUpload } from '../../../src/features/media/service.ts'
import { postForm, signIn } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { createPost, testImage } from '../../helpers/fixtures.ts'
import { jsonLdOf, mainOf, metaContent } from '../../helpers/html.ts'

const SITE = 'https://blog.example.com'
const ALT = 'Tomato plants on a sunny allotment'

/** A photo larger than any screen shows it, as authors upload them. */
const photo = (format: 'jpeg' | 'avif' = 'jpeg', width = 2000, height = 1200) =>
  testImage(format, width, height)

async function setUp(t: TestContext) {
  const { app, db, config } = await createTestApp(t)
  const author = await signIn(app, db)
  const image = await saveUpload(db, config.mediaDir, {
    buffer: await photo(),
    originalName: 'allotment.jpg',
    alt: ALT,
  })
  return { app, db, config, author, image }
}

const featureOf = (db: Db, id: number) =>
  (db.$client.prepare('select feature_image_id from posts where id = ?').pluck().get(id) as number | null) ??
  null

/** The editor's radio for `value` ("" is None): its tag, or undefined when the picker does not offer it. */
const radioIn = (html: string, value: string): string | undefined =>
  new RegExp(`<input type="radio"[^>]*name="feature_image" value="${value}"[^>]*>`).exec(html)?.[0]

const featureImgIn = (html: string): string | undefined => /<img class="post__feature"[^>]*>/.exec(html)?.[0]

test('the author picks a library image; the article shows it first and link previews use it', async (t) => {
  const { app, db, author, image } = await setUp(t)

  const editor = (await author.get('/admin/posts/new')).body
  assert.match(radioIn(editor, '') ?? '', /checked/, 'a new post starts with None')
  assert.ok(radioIn(editor, String(image.id)), 'the library image is offered')
  assert.match(
    editor,
    new RegExp(`<span class="feature-picker__label">${ALT}</span>`),
    'named by its alt text',
  )

  const res = await author.post(
    '/admin/posts',
    postForm({ title: 'Growing tomatoes', feature_image: String(image.id) }),
    '/admin/posts/new',
  )
  assert.equal(res.statusCode, 303)
  const id = Number(/\/admin\/posts\/(\d+)/.exec(String(res.headers.location))?.[1])
  assert.equal(featureOf(db, id), image.id)
  assert.match(radioIn((await author.get(`/admin/posts/${id}`)).body, String(image.id)) ?? '', /checked/)

  const html = (await app.inject('/posts/growing-tomatoes')).body
  const img = featureImgIn(mainOf(html))
  assert.ok(img, 'the article shows its feature image')
  assert.ok(mainOf(html).indexOf('post__feature') < mainOf(html).indexOf('post__body'), 'above the text')
  assert.match(img, new RegExp(`src="/media/${image.fileName}"`))
  assert.match(img, /srcset="[^"]*-480\.webp 480w[^"]*-1600\.webp 1600w/, 'WebP copies for every screen')
  assert.match(img, /sizes="[^"]+"/)
  assert.match(img, /width="2000" height="1200"/, 'its space is reserved')
  assert.match(img, new RegExp(`alt="${ALT}"`))
  assert.match(img, /fetchpriority="high"/, 'fetched first: it is the largest thing on the page')
  assert.doesNotMatch(img, /loading="lazy"/)

  assert.equal(metaContent(html, 'og:image'), `${SITE}/media/${image.fileName}`)
  assert.equal(metaContent(html, 'og:image:width'), '2000')
  assert.equal(metaContent(html, 'og:image:height'), '1200')
  assert.equal(metaContent(html, 'og:image:alt'), ALT)
  assert.equal(metaContent(html, 'twitter:card'), 'summary_large_image')
  const jsonLd = JSON.parse(jsonLdOf(html))
  assert.equal(jsonLd.image.url, `${SITE}/media/${image.fileName}`)
  assert.equal((await app.inject(`/media/${image.fileName}`)).statusCode, 200, 'the preview URL answers')
})

test('without a feature image the post keeps its generated card, and choosing None removes one', async (t) => {
  const { app, db, author, image } = await setUp(t)
  const post = createPost(db, { title: 'Notes', featureImage: String(image.id) })
  assert.equal(featureOf(db, post.id), image.id)

  const res = await author.post(
    `/admin/posts/${post.id}`,
    postForm({ title: 'Notes', feature_image: '' }),
    `/admin/posts/${post.id}`,
  )
  assert.equal(res.statusCode, 303)
  assert.equal(featureOf(db, post.id), null)
  const html = (await app.inject(`/posts/${post.slug}`)).body
  assert.equal(featureImgIn(html), undefined)
  assert.match(
    metaContent(html, 'og:image') ?? '',
    new RegExp(`^${SITE}/cards/${post.slug}-[0-9a-f]{12}\\.png$`),
  )
})

test('a script may name the image by its /media/ URL, absolute or not', async (t) => {
  const { db, author, image } = await setUp(t)
  for (const reference of [`/media/${image.fileName}`, `${SITE}/media/${image.fileName}`]) {
    const res = await author.post('/admin/posts', postForm({ title: reference, feature_image: reference }))
    assert.equal(res.statusCode, 303, reference)
    const id = Number(/\/admin\/posts\/(\d+)/.exec(String(res.headers.location))?.[1])
    assert.equal(featureOf(db, id), image.id, reference)
  }
})

test('a reference to no library image is refused beside the field, with the text kept and nothing saved', async (t) => {
  const { db, author, image } = await setUp(t)
  const before = rowCount(db, 'posts')
  for (const reference of ['999', '/media/missing.jpg', '../../etc/passwd', 'x'.repeat(501)]) {
    const res = await author.post(
      '/admin/posts',
      postForm({ title: 'Kept title', body: 'Kept text.', feature_image: reference }),
    )
    assert.equal(res.statusCode, 422, reference.slice(0, 30))
    const html = mainOf(res.body)
    assert.match(html, /<p class="field-error" id="feature_image-error">[^<]+<\/p>/, reference.slice(0, 30))
    assert.match(html, /<a href="#feature_image-none">Feature image: /, 'the summary links to the picker')
    assert.match(html, /Kept text\./)
    assert.ok(radioIn(html, String(image.id)), 'the picker is still there to choose from')
  }
  assert.equal(rowCount(db, 'posts'), before)
})

test('deleting the image from the library unsets it: the post falls back to its card and the library said where it was used', async (t) => {
  const { app, db, config, author, image } = await setUp(t)
  const post = createPost(db, { title: 'Featured', featureImage: String(image.id) })

  const detail = (await author.get(`/admin/media/${image.id}`)).body
  assert.match(detail, /Featured/, 'the library lists the post that features it')

  await deleteMedia(db, config.mediaDir, image.id)
  assert.equal(featureOf(db, post.id), null)
  const html = (await app.inject(`/posts/${post.slug}`)).body
  assert.equal(featureImgIn(html), undefined)
  assert.match(metaContent(html, 'og:image') ?? '', /\/cards\//)
})

test('link previews get a widest WebP copy when the original is a format they may not read', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const avif = await saveUpload(db, config.mediaDir, {
    buffer: await photo('avif', 1800, 900),
    originalName: 'night.avif',
  })
  const post = createPost(db, { title: 'Night sky', featureImage: String(avif.id) })
  const html = (await app.inject(`/posts/${post.slug}`)).body
  assert.match(metaContent(html, 'og:image') ?? '', /-1800\.webp$/, 'a copy at the original’s own width')
  assert.equal(metaContent(html, 'og:image:width'), '1800')
  assert.equal(metaContent(html, 'og:image:height'), '900')
  assert.equal(metaContent(html, 'og:image:alt'), 'Night sky', 'no alt text: the title describes the preview')
  assert.match(
    featureImgIn(html) ?? '',
    /alt=""/,
    'an image without a description is decorative in the article',
  )
})

test('restoring a revision keeps today’s feature image', async (t) => {
  const { db, author, image } = await setUp(t)
  const created = await author.post('/admin/posts', postForm({ title: 'First words' }))
  const id = Number(/\/admin\/posts\/(\d+)/.exec(String(created.headers.location))?.[1])
  await author.post(
    `/admin/posts/${id}`,
    postForm({ title: 'Second words', feature_image: String(image.id) }),
    `/admin/posts/${id}`,
  )
  const revisions = (await author.get(`/admin/posts/${id}/revisions`)).body
  const oldest = [...revisions.matchAll(/\/admin\/posts\/\d+\/revisions\/(\d+)/g)].map((m) => Number(m[1]))
  const first = Math.min(...oldest)
  const res = await author.post(
    `/admin/posts/${id}/revisions/${first}/restore`,
    {},
    `/admin/posts/${id}/revisions/${first}`,
  )
  assert.equal(res.statusCode, 303)
  assert.equal(db.$client.prepare('select title from posts where id = ?').pluck().get(id), 'First words')
  assert.equal(featureOf(db, id), image.id)
})

test('the picker offers the newest images, the chosen one wherever it is, and older ones page by page', async (t) => {
  const { app, db, config, author, image } = await setUp(t)
  const small = await photo('jpeg', 64, 48)
  for (let i = 0; i < PICKER_PAGE_SIZE + 5; i++)
    await saveUpload(db, config.mediaDir, {
      buffer: await sharp(small)
        .modulate({ hue: i * 7 })
        .toBuffer(),
      originalName: `tile-${i}.jpg`,
      now: new Date(Date.now() + (i + 1) * 1000),
    })
  const post = createPost(db, { title: 'Oldest image', featureImage: String(image.id) })

  const editor = (await author.get(`/admin/posts/${post.id}`)).body
  const tiles = [...editor.matchAll(/name="feature_image" value="(\d+)"/g)].map((m) => Number(m[1]))
  assert.equal(tiles.length, PICKER_PAGE_SIZE + 1, 'the newest page and the chosen image')
  assert.equal(tiles[0], image.id, 'the chosen image comes first, though it is the oldest')
  assert.match(radioIn(editor, String(image.id)) ?? '', /checked/)
  assert.match(editor, /The 24 newest of 30 images in the library\./)
  assert.match(editor, /data-more-url="\/admin\/posts\/feature-images\?page=2"/)

  const more = await author.get('/admin/posts/feature-images?page=2')
  assert.equal(more.statusCode, 200)
  assert.match(String(more.headers['content-type']), /^text\/html/)
  assert.equal(more.headers['x-next-page'], undefined, 'the last page')
  const older = [...more.body.matchAll(/name="feature_image" value="(\d+)"/g)].map((m) => Number(m[1]))
  assert.equal(older.length, 6)
  assert.ok(older.includes(image.id))
  assert.doesNotMatch(more.body, /<html|checked/, 'a fragment of tiles, nothing chosen')

  for (const page of ['0', 'abc', '99999999999', '-1'])
    assert.equal((await author.get(`/admin/posts/feature-images?page=${page}`)).statusCode, 200, page)
  const stranger = await app.inject('/admin/posts/feature-images?page=2')
  assert.equal(stranger.statusCode, 303, 'signed-out visitors are sent to sign in')
  assert.match(String(stranger.headers.location), /^\/admin\/login/)
})

test('the preview shows the chosen feature image above the text, as the article will', async (t) => {
  const { author, image } = await setUp(t)
  const res = await author.post(
    '/admin/posts/preview',
    postForm({ title: 'Preview me', body: 'Words.', feature_image: String(image.id) }),
    '/admin/posts/new',
  )
  assert.equal(res.statusCode, 200)
  const img = featureImgIn(res.body)
  assert.ok(img, 'the preview shows the feature image')
  assert.match(img, new RegExp(`src="/media/${image.fileName}"[^>]*alt="${ALT}"`))
  assert.ok(res.body.indexOf('post__feature') < res.body.indexOf('post__body'))

  const none = await author.post('/admin/posts/preview', postForm({ title: 'Plain', feature_image: '' }))
  assert.equal(featureImgIn(none.body), undefined)
})

test('a plain POST without the feature_image field keeps the post’s image; an empty one removes it', async (t) => {
  const { db, author, image } = await setUp(t)
  const post = createPost(db, { title: 'Scripted', featureImage: String(image.id) })
  const { feature_image: _omitted, ...withoutField } = postForm({ title: 'Scripted, edited' })
  const res = await author.post(`/admin/posts/${post.id}`, withoutField, `/admin/posts/${post.id}`)
  assert.equal(res.statusCode, 303)
  assert.equal(
    featureOf(db, post.id),
    image.id,
    'a script that never heard of feature images changes nothing',
  )
  await author.post(`/admin/posts/${post.id}`, postForm({ feature_image: '' }), `/admin/posts/${post.id}`)
  assert.equal(featureOf(db, post.id), null)
})

test('a new post’s first autosave with an image deleted since it was picked keeps everything else in the draft', async (t) => {
  const { db, config, author, image } = await setUp(t)
  await deleteMedia(db, config.mediaDir, image.id)
  const fields = postForm({
    title: 'Typed fast',
    body: 'Every word counts.',
    tags: 'Gardening',
    status: 'draft',
    feature_image: String(image.id),
  })
  const res = await author.post('/admin/posts/new/autosave', fields, '/admin/posts/new')
  assert.equal(res.statusCode, 201)
  const id = Number(String(res.headers.location).split('/').pop())
  const row = db.$client.prepare('select title, body_md, feature_image_id from posts where id = ?').get(id)
  assert.deepEqual(row, { title: 'Typed fast', body_md: 'Every word counts.', feature_image_id: null })
})
