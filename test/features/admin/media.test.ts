// Checks /admin/media through HTTP: uploads (good, disguised, oversized, broken), the library, alt text, deleting.
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import sharp from 'sharp'
import type { Db } from '../../../src/db/client.ts'
import { savePage } from '../../../src/features/content/pages.ts'
import { rerendersSettled } from '../../../src/features/content/rerender.ts'
import { parseVariants } from '../../../src/features/media/files.ts'
import { MAX_UPLOAD_BYTES } from '../../../src/features/media/pipeline.ts'
import { findMedia, listMedia } from '../../../src/features/media/service.ts'
import { type SignedIn, signIn } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { createPost, testImage } from '../../helpers/fixtures.ts'

const TYPE_MESSAGE =
  'Only JPEG, PNG, WebP, GIF and AVIF images can be uploaded; SVG is not accepted because it can carry scripts.'

interface FilePart {
  readonly name: string
  readonly type: string
  readonly data: Buffer
}

/** A multipart/form-data body as a browser would send it, serialised by the platform's own FormData. */
async function multipart(fields: Record<string, string>, files: FilePart[] = []) {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  for (const file of files)
    form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name)
  const encoded = new Response(form)
  return {
    payload: Buffer.from(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? '',
  }
}

const picture = testImage

async function setUp(t: TestContext) {
  const { app, db, config } = await createTestApp(t)
  const author = await signIn(app, db)
  return { app, db, author, mediaDir: config.mediaDir, files: () => readdirSync(config.mediaDir) }
}

/** Posts the upload form as the author, with a real CSRF token unless `fields._csrf` says otherwise. */
async function upload(
  app: FastifyInstance,
  author: SignedIn,
  files: FilePart[],
  fields: Record<string, string> = {},
  accept = 'text/html,application/xhtml+xml',
) {
  const csrf = fields._csrf ?? (await author.csrfFrom('/admin/media')).csrf
  const { _csrf, ...rest } = fields
  const body = await multipart(csrf ? { _csrf: csrf, ...rest } : rest, files)
  return app.inject({
    method: 'POST',
    url: '/admin/media',
    cookies: author.cookies,
    headers: { 'content-type': body.contentType, accept },
    payload: body.payload,
  })
}

async function uploaded(app: FastifyInstance, author: SignedIn, db: Db, name = 'chart.png', alt = 'A chart') {
  const res = await upload(app, author, [{ name, type: 'image/png', data: await picture('png') }], { alt })
  assert.equal(res.statusCode, 303, res.body)
  const row = listMedia(db).items.find((m) => m.originalName === name)
  assert.ok(row)
  return row
}

test('uploading an image in each accepted format stores it and confirms with a message', async (t) => {
  const { app, db, author, mediaDir } = await setUp(t)
  const formats = [
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['avif', 'image/avif'],
  ] as const
  for (const [format, type] of formats) {
    const res = await upload(
      app,
      author,
      [{ name: `shot.${format}`, type, data: await picture(format, 700, 500) }],
      {
        alt: `A ${format} screenshot`,
      },
    )
    assert.equal(res.statusCode, 303, `${format}: ${res.body.slice(0, 300)}`)
    assert.equal(res.headers.location, '/admin/media?done=media-uploaded')
  }
  const rows = listMedia(db).items
  assert.equal(rows.length, 5)
  for (const row of rows) {
    assert.ok(existsSync(join(mediaDir, row.fileName)))
    const variants = parseVariants(row.variants)
    assert.deepEqual(
      variants.map((v) => v.width),
      [480, 700],
    )
    for (const v of variants) assert.ok(existsSync(join(mediaDir, v.fileName)))
    assert.equal((await sharp(join(mediaDir, row.fileName)).metadata()).exif, undefined)
  }
  const page = await author.get('/admin/media?done=media-uploaded')
  assert.match(page.body, /Image uploaded\./)
})

test('the library shows thumbnails with their size, missing alt text, and where each image is used', async (t) => {
  const { app, db, author } = await setUp(t)
  const described = await uploaded(app, author, db, 'described.png', 'Sales by month')
  const bare = await uploaded(app, author, db, 'bare.png', '')
  await upload(app, author, [{ name: 'other.png', type: 'image/png', data: await picture('png', 300, 200) }])
  const post = createPost(db, { title: 'Quarterly report', bodyMd: `![Sales](/media/${described.fileName})` })

  const res = await author.get('/admin/media')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'no-store')
  const thumb = parseVariants(described.variants)[0]
  assert.ok(thumb)
  assert.ok(
    res.body.includes(
      `<img src="/media/${thumb.fileName}" width="${thumb.width}" height="${thumb.height}" alt="Sales by month"`,
    ),
  )
  assert.match(res.body, /1000 × 600/)
  assert.match(res.body, /\d+ KB/)
  assert.match(res.body, /No alt text/)
  assert.ok(res.body.includes(`href="/admin/media/${bare.id}"`))
  assert.match(res.body, /Used in:/)
  assert.ok(res.body.includes(`<a href="/admin/posts/${post.id}">Quarterly report</a>`))
  assert.match(res.body, /Not used/)
  assert.match(res.body, /enctype="multipart\/form-data"/)
  assert.match(
    res.body,
    /<input id="file" name="file" type="file" accept="image\/jpeg,image\/png,image\/webp,image\/gif,image\/avif"/,
  )
  assert.match(res.body, /name="_csrf" value="[^"]+"/)
  assert.match(res.body, /describe what the image shows/i)
})

test('on a library page of several images, each lists exactly the posts and pages that use it', async (t) => {
  const { app, db, author } = await setUp(t)
  const [cover, diagram, logo, unused] = [
    await uploaded(app, author, db, 'cover.png', 'Cover'),
    await uploaded(app, author, db, 'diagram.png', 'Diagram'),
    await uploaded(app, author, db, 'logo.png', 'Logo'),
    await uploaded(app, author, db, 'unused.png', 'Unused'),
  ]
  const both = createPost(db, {
    title: 'Both pictures',
    bodyMd: `![](/media/${cover.fileName}) ![](/media/${diagram.fileName})`,
  })
  const draft = createPost(db, {
    title: 'Draft cover',
    status: 'draft',
    excerptMd: `![](/media/${cover.fileName})`,
  })
  for (let i = 0; i < 5; i += 1) createPost(db, { title: `Plain ${i}`, bodyMd: 'No pictures.' })
  const about = savePage(db, {
    title: 'About us',
    bodyMd: `![](/media/${logo.fileName})`,
    status: 'published',
  })

  const res = await author.get('/admin/media')
  assert.equal(res.statusCode, 200)
  const items = new Map(
    res.body
      .split('<li class="media-item">')
      .slice(1)
      .map((item) => [/href="\/admin\/media\/(\d+)"/.exec(item)?.[1], item]),
  )
  const usedIn = (id: number) =>
    [...(items.get(String(id)) ?? '').matchAll(/<li><a href="([^"]+)">([^<]+)<\/a><\/li>/g)]
      .map((m) => `${m[2]} ${m[1]}`)
      .sort()
  assert.equal(items.size, 4)
  assert.deepEqual(usedIn(cover.id), [
    `Both pictures /admin/posts/${both.id}`,
    `Draft cover /admin/posts/${draft.id}`,
  ])
  assert.deepEqual(usedIn(diagram.id), [`Both pictures /admin/posts/${both.id}`])
  assert.deepEqual(usedIn(logo.id), [`About us /admin/pages/${about}`])
  assert.deepEqual(usedIn(unused.id), [])
  assert.match(items.get(String(unused.id)) ?? '', /Not used/)
})

test('a text file renamed .png is refused with the type message, keeping the alt text', async (t) => {
  const { app, db, author, files } = await setUp(t)
  const res = await upload(
    app,
    author,
    [{ name: 'photo.png', type: 'image/png', data: Buffer.from('Notes from Tuesday\n') }],
    { alt: 'My "best" photo' },
  )
  assert.equal(res.statusCode, 422)
  assert.match(String(res.headers['content-type']), /text\/html/)
  assert.ok(res.body.includes(TYPE_MESSAGE))
  assert.ok(res.body.includes('value="My &quot;best&quot; photo"'))
  assert.match(res.body, /aria-invalid="true"/)
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)
})

test('an SVG is refused even when sent as image/png under a .png name', async (t) => {
  const { app, db, author, files } = await setUp(t)
  const svg = Buffer.from(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
  )
  for (const [name, type] of [
    ['logo.png', 'image/png'],
    ['logo.svg', 'image/svg+xml'],
  ]) {
    const res = await upload(app, author, [{ name: name as string, type: type as string, data: svg }])
    assert.equal(res.statusCode, 422)
    assert.ok(res.body.includes('SVG is not accepted because it can carry scripts'))
  }
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)
})

test('a file one byte over 10 MiB gets an HTML page stating the limit, and nothing is written', async (t) => {
  const { app, db, author, files } = await setUp(t)
  const png = await picture('png', 20, 20)
  const data = Buffer.concat([png, Buffer.alloc(MAX_UPLOAD_BYTES + 1 - png.length)])
  const res = await upload(app, author, [{ name: 'huge.png', type: 'image/png', data }], { alt: 'Big' })
  assert.equal(res.statusCode, 413)
  assert.match(String(res.headers['content-type']), /text\/html/)
  assert.match(res.body, /larger than 10 MB/)
  assert.match(res.body, /<h1>Media<\/h1>/)
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)

  const json = await upload(
    app,
    author,
    [{ name: 'huge.png', type: 'image/png', data }],
    {},
    'application/json',
  )
  assert.equal(json.statusCode, 413)
  assert.match(json.json().error, /10 MB/)
})

test('a truncated PNG gets a clear 422, not a server error', async (t) => {
  const { app, db, author, files } = await setUp(t)
  const png = await picture('png', 900, 700)
  const res = await upload(app, author, [
    { name: 'half.png', type: 'image/png', data: png.subarray(0, Math.floor(png.length / 2)) },
  ])
  assert.equal(res.statusCode, 422)
  assert.match(res.body, /PNG file is damaged or incomplete/)
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)
})

test('a form sent without choosing a file, or with two files, is refused with a message', async (t) => {
  const { app, author } = await setUp(t)
  const none = await upload(app, author, [
    { name: '', type: 'application/octet-stream', data: Buffer.alloc(0) },
  ])
  assert.equal(none.statusCode, 422)
  assert.match(none.body, /Choose an image file to upload/)
  const png = await picture('png', 50, 50)
  const two = await upload(app, author, [
    { name: 'a.png', type: 'image/png', data: png },
    { name: 'b.png', type: 'image/png', data: png },
  ])
  assert.equal(two.statusCode, 413)
  assert.match(two.body, /one image at a time/)
})

test('the editor script gets JSON: the image URL, its thumbnail and library page, size and Markdown, or an error', async (t) => {
  const { app, db, author } = await setUp(t)
  const res = await upload(
    app,
    author,
    [{ name: 'pasted screenshot.png', type: 'image/png', data: await picture('png', 800, 450) }],
    { alt: 'Settings [beta] page' },
    'application/json',
  )
  assert.equal(res.statusCode, 201)
  assert.match(String(res.headers['content-type']), /application\/json/)
  const body = res.json()
  const row = findMedia(db, body.id)
  assert.ok(row)
  assert.deepEqual(body, {
    id: row.id,
    url: `/media/${row.fileName}`,
    thumbUrl: `/media/${row.fileName.replace('.png', '-480.webp')}`,
    detailUrl: `/admin/media/${row.id}`,
    width: 800,
    height: 450,
    alt: 'Settings [beta] page',
    markdown: `![Settings \\[beta\\] page](/media/${row.fileName})`,
  })
  assert.match(row.fileName, /^[0-9a-f]{10}-pasted-screenshot\.png$/)

  const bad = await upload(
    app,
    author,
    [{ name: 'x.png', type: 'image/png', data: Buffer.from('nope') }],
    {},
    'application/json',
  )
  assert.equal(bad.statusCode, 422)
  assert.deepEqual(bad.json(), { error: TYPE_MESSAGE, field: 'file' })
})

test('a multipart upload without its CSRF token is refused with 403 and writes no file', async (t) => {
  const { app, db, author, files } = await setUp(t)
  const data = await picture('png', 300, 200)
  await author.csrfFrom('/admin/media')
  const forged: Record<string, string>[] = [{}, { _csrf: 'forged-token' }]
  for (const fields of forged) {
    const body = await multipart(fields, [{ name: 'a.png', type: 'image/png', data }])
    const res = await app.inject({
      method: 'POST',
      url: '/admin/media',
      cookies: author.cookies,
      headers: { 'content-type': body.contentType, accept: 'text/html' },
      payload: body.payload,
    })
    assert.equal(res.statusCode, 403)
    assert.match(res.body, /nothing was changed/)
  }
  const genuine = await upload(app, author, [{ name: 'a.png', type: 'image/png', data }])
  assert.equal(genuine.statusCode, 303, 'the same form with its token is accepted')
  const rows = listMedia(db).items
  assert.equal(rows.length, 1)
  assert.equal(files().length, 1 + parseVariants(rows[0]?.variants ?? '[]').length)
})

test('an upload from another site is refused even with a token', async (t) => {
  const { app, db, author, files } = await setUp(t)
  const { csrf } = await author.csrfFrom('/admin/media')
  const body = await multipart({ _csrf: csrf }, [
    { name: 'a.png', type: 'image/png', data: await picture('png', 60, 60) },
  ])
  const res = await app.inject({
    method: 'POST',
    url: '/admin/media',
    cookies: author.cookies,
    headers: { 'content-type': body.contentType, origin: 'https://evil.example', accept: 'text/html' },
    payload: body.payload,
  })
  assert.equal(res.statusCode, 403)
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)
})

test('an upload without a session is refused and stores nothing', async (t) => {
  const { app, db, files } = await setUp(t)
  const body = await multipart({}, [{ name: 'a.png', type: 'image/png', data: await picture('png', 60, 60) }])
  const res = await app.inject({
    method: 'POST',
    url: '/admin/media',
    headers: { 'content-type': body.contentType },
    payload: body.payload,
  })
  assert.equal(res.statusCode, 401)
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)
  const page = await app.inject({ url: '/admin/media' })
  assert.equal(page.statusCode, 303)
  assert.equal(page.headers.location, '/admin/login?next=%2Fadmin%2Fmedia')
})

test('the image page offers the Markdown to copy and saves new alt text', async (t) => {
  const { app, db, author } = await setUp(t)
  const row = await uploaded(app, author, db, 'diagram.png', '')
  const page = await author.get(`/admin/media/${row.id}`)
  assert.equal(page.statusCode, 200)
  assert.ok(page.body.includes(`value="![](/media/${row.fileName})"`))
  assert.match(page.body, /has no alt text yet/)
  assert.match(page.body, /Not used/)
  assert.match(page.body, new RegExp(`<img src="/media/${row.fileName}" width="1000" height="600" srcset="`))

  const saved = await author.post(
    `/admin/media/${row.id}`,
    { alt: 'Request flow <diagram>' },
    `/admin/media/${row.id}`,
  )
  assert.equal(saved.statusCode, 303)
  assert.equal(saved.headers.location, `/admin/media/${row.id}?done=media-saved`)
  const after = await author.get(saved.headers.location as string)
  assert.match(after.body, /Image details saved\./)
  assert.ok(after.body.includes('value="![Request flow &lt;diagram&gt;](/media/'))

  const tooLong = await author.post(
    `/admin/media/${row.id}`,
    { alt: 'x'.repeat(501) },
    `/admin/media/${row.id}`,
  )
  assert.equal(tooLong.statusCode, 422)
  assert.match(tooLong.body, /at most 500 characters/)
  assert.ok(tooLong.body.includes('x'.repeat(501)), 'the text is kept to be shortened')
  assert.equal(findMedia(db, row.id)?.alt, 'Request flow <diagram>')
})

test('new alt text in the library reaches every post and page that shows the image without alt text of its own', async (t) => {
  const { app, db, author } = await setUp(t)
  const row = await uploaded(app, author, db, 'sales.png', '')
  const src = `/media/${row.fileName}`
  const bare = createPost(db, { title: 'Bare image', bodyMd: `The numbers:\n\n![](${src})` })
  const own = createPost(db, { title: 'Own words', bodyMd: `![Sales by month, as a bar chart](${src})` })
  const draft = createPost(db, {
    title: 'Draft',
    status: 'draft',
    bodyMd: `![](https://blog.example.com${src})`,
  })
  savePage(db, { title: 'Gallery', slug: 'gallery', bodyMd: `![](${src})`, status: 'published' })
  const altOn = (html: string) => new RegExp(`<img [^>]*src="[^"]*${src}"[^>]*>`).exec(html)?.[0] ?? ''
  assert.match(altOn((await app.inject({ url: `/posts/${bare.slug}` })).body), /alt=""/)
  const stamps = () =>
    db.$client.prepare('select id, updated_at from posts union all select -id, updated_at from pages').all()
  const before = stamps()

  const saved = await author.post(
    `/admin/media/${row.id}`,
    { alt: 'Sales rose 40% in <May>' },
    `/admin/media/${row.id}`,
  )
  assert.equal(saved.statusCode, 303)
  await rerendersSettled(db)

  const newAlt = /alt="Sales rose 40% in &lt;May&gt;"/
  assert.match(altOn((await app.inject({ url: `/posts/${bare.slug}` })).body), newAlt)
  assert.match(altOn((await app.inject({ url: '/gallery' })).body), newAlt)
  assert.match(
    altOn((await app.inject({ url: `/posts/${own.slug}` })).body),
    /alt="Sales by month, as a bar chart"/,
  )
  const draftHtml = db.$client
    .prepare('select body_html from posts where id = ?')
    .pluck()
    .get(draft.id) as string
  assert.match(altOn(draftHtml), newAlt)
  assert.deepEqual(stamps(), before, 'not an edit by the author: updated_at stays')
  assert.equal(rowCount(db, 'post_revisions'), 0, 'and no revision is made')
})

test('the editor saves alt text with JSON in and JSON out', async (t) => {
  const { app, db, author } = await setUp(t)
  const row = await uploaded(app, author, db, 'json.png', '')
  const { csrf } = await author.csrfFrom('/admin/media')
  const send = (alt: string) =>
    app.inject({
      method: 'POST',
      url: `/admin/media/${row.id}`,
      cookies: author.cookies,
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, alt }).toString(),
    })
  const res = await send('A pie chart')
  assert.equal(res.statusCode, 200)
  assert.equal(res.json().alt, 'A pie chart')
  assert.equal(findMedia(db, row.id)?.alt, 'A pie chart')
  const refused = await send('x'.repeat(501))
  assert.equal(refused.statusCode, 422)
  assert.equal(refused.json().field, 'alt')
  assert.equal(findMedia(db, row.id)?.alt, 'A pie chart')
})

test('an unknown image id is a 404', async (t) => {
  const { author } = await setUp(t)
  assert.equal((await author.get('/admin/media/999')).statusCode, 404)
  assert.equal((await author.get('/admin/media/abc')).statusCode, 404)
  assert.equal((await author.post('/admin/media/999/delete', { confirm: 'yes' })).statusCode, 404)
})

test('deleting an image still in use warns where it is used and needs the confirm box', async (t) => {
  const { app, db, author, mediaDir } = await setUp(t)
  const row = await uploaded(app, author, db, 'hero.png', 'Hero')
  const one = createPost(db, { title: 'Launch day', bodyMd: `![Hero](/media/${row.fileName})` })
  createPost(db, { title: 'Launch recap', bodyMd: `See ![again](/media/${row.fileName}).` })
  const names = [row.fileName, ...parseVariants(row.variants).map((v) => v.fileName)]
  const deleteUrl = `/admin/media/${row.id}/delete`

  const confirmPage = await author.get(deleteUrl)
  assert.equal(confirmPage.statusCode, 200)
  assert.match(confirmPage.body, /Still used in 2 posts/)
  assert.ok(confirmPage.body.includes(`<a href="/admin/posts/${one.id}">Launch day</a>`))
  assert.match(confirmPage.body, /Delete anyway\?/)
  assert.match(confirmPage.body, /name="confirm" type="checkbox" value="yes"/)

  const refused = await author.post(deleteUrl, {}, deleteUrl)
  assert.equal(refused.statusCode, 422)
  assert.match(refused.body, /still used in 2 posts/)
  assert.ok(findMedia(db, row.id))
  for (const name of names) assert.ok(existsSync(join(mediaDir, name)))

  const done = await author.post(deleteUrl, { confirm: 'yes' }, deleteUrl)
  assert.equal(done.statusCode, 303)
  assert.equal(done.headers.location, '/admin/media?done=media-deleted')
  assert.equal(findMedia(db, row.id), undefined)
  for (const name of names) assert.ok(!existsSync(join(mediaDir, name)), `${name} is gone`)
  assert.match((await author.get('/admin/media?done=media-deleted')).body, /Image deleted\./)
})

test('an unused image is deleted from its confirmation page without a checkbox', async (t) => {
  const { app, db, author, files } = await setUp(t)
  const row = await uploaded(app, author, db, 'spare.png', 'Spare')
  const deleteUrl = `/admin/media/${row.id}/delete`
  const confirmPage = await author.get(deleteUrl)
  assert.match(confirmPage.body, /not used in any post, page or setting/)
  assert.doesNotMatch(confirmPage.body, /type="checkbox"/)
  const res = await author.post(deleteUrl, {}, deleteUrl)
  assert.equal(res.statusCode, 303)
  assert.deepEqual(files(), [])
})

test('a post embedding an uploaded image shows it with width, height and WebP srcset on its public page', async (t) => {
  const { app, db, author } = await setUp(t)
  const row = await uploaded(app, author, db, 'graph.png', 'A graph')
  const stem = row.fileName.replace(/\.png$/, '')
  const post = createPost(db, { title: 'With a picture', bodyMd: `Look:\n\n![x](/media/${row.fileName})` })
  const res = await app.inject({ url: `/posts/${post.slug}` })
  assert.equal(res.statusCode, 200)
  const img = new RegExp(`<img [^>]*src="/media/${row.fileName}"[^>]*>`).exec(res.body)?.[0]
  assert.ok(img, 'the image is on the page')
  assert.match(img, /alt="x"/)
  assert.match(img, /width="1000"/)
  assert.match(img, /height="600"/)
  assert.ok(
    img.includes(
      `srcset="/media/${stem}-480.webp 480w, /media/${stem}-960.webp 960w, /media/${stem}-1000.webp 1000w"`,
    ),
    img,
  )
  assert.ok(img.includes('sizes="(min-width: 50.5rem) 48rem, calc(100vw - 2.5rem)"'))

  const served = await app.inject({ url: `/media/${stem}-480.webp` })
  assert.equal(served.statusCode, 200)
  assert.match(served.headers['cache-control'] ?? '', /immutable/)
})
