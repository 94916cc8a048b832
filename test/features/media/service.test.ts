// Checks the media service: what uploads become on disk and in the database, and where images are used.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import sharp from 'sharp'
import { savePage } from '../../../src/features/content/pages.ts'
import { parseVariants, storedNameStem } from '../../../src/features/media/files.ts'
import { MAX_UPLOAD_BYTES, MediaInputError } from '../../../src/features/media/pipeline.ts'
import { fileNameFromSrc, markdownFor } from '../../../src/features/media/render.ts'
import {
  createImageResolver,
  deleteMedia,
  findMedia,
  listMedia,
  saveUpload,
  updateAlt,
} from '../../../src/features/media/service.ts'
import { UNSUPPORTED_TYPE_MESSAGE } from '../../../src/features/media/sniff.ts'
import { mediaUsage, mediaUsageFor } from '../../../src/features/media/usage.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestDb } from '../../helpers/app.ts'
import { createPost, testImage } from '../../helpers/fixtures.ts'

type Format = 'png' | 'jpeg' | 'webp' | 'gif' | 'avif'

const picture = testImage

/** A camera-style JPEG: stored sideways with an orientation note, a GPS position and an owner. */
async function phonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#884422' } })
    .jpeg()
    .withExif({
      IFD0: { Copyright: 'Sam Rivera', Make: 'PhoneCo' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 0/1',
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer()
}

async function animatedGif(): Promise<Buffer> {
  const frames = await Promise.all(
    ['#c00', '#0c0', '#00c'].map((background) =>
      sharp({ create: { width: 600, height: 300, channels: 3, background } })
        .png()
        .toBuffer(),
    ),
  )
  return sharp(frames, { join: { animated: true } })
    .gif({ delay: 200 })
    .toBuffer()
}

function setUp(t: TestContext) {
  const { db, dir } = createTestDb(t)
  const mediaDir = join(dir, 'media')
  mkdirSync(mediaDir, { recursive: true })
  return { db, mediaDir, files: () => readdirSync(mediaDir) }
}

const refusedWith =
  (pattern: RegExp, status = 422) =>
  (err: unknown): boolean =>
    err instanceof MediaInputError && pattern.test(err.message) && err.statusCode === status

test('every accepted format is stored in its own format plus WebP copies no wider than the original', async (t) => {
  const { db, mediaDir } = setUp(t)
  const cases: [Format, string, number[]][] = [
    ['png', 'image/png', [480, 960, 1000]],
    ['jpeg', 'image/jpeg', [480, 960, 1000]],
    ['webp', 'image/webp', [480, 960, 1000]],
    ['gif', 'image/gif', [480, 960, 1000]],
    ['avif', 'image/avif', [480, 600]],
  ]
  for (const [format, mimeType, widths] of cases) {
    const width = format === 'avif' ? 600 : 1000
    const row = await saveUpload(db, mediaDir, {
      buffer: await picture(format, width, 400),
      originalName: `Sample ${format}.${format}`,
    })
    assert.equal(row.mimeType, mimeType, format)
    assert.equal(row.width, width)
    assert.equal(row.height, 400)
    const stored = await sharp(readFileSync(join(mediaDir, row.fileName))).metadata()
    assert.equal(stored.width, width)
    const variants = parseVariants(row.variants)
    assert.deepEqual(
      variants.map((v) => v.width),
      widths,
      `${format} variant widths`,
    )
    for (const v of variants) {
      assert.ok(v.width <= row.width)
      assert.match(v.fileName, /^[0-9a-f]{10}-sample-[a-z]+-\d+\.webp$/)
      const meta = await sharp(readFileSync(join(mediaDir, v.fileName))).metadata()
      assert.equal(meta.format, 'webp')
      assert.equal(meta.width, v.width)
      assert.equal(meta.height, v.height)
    }
  }
  assert.equal(listMedia(db).total, 5)
})

test('a photo loses its EXIF data, GPS position included, and is turned the right way up', async (t) => {
  const { db, mediaDir } = setUp(t)
  const upload = await phonePhoto()
  assert.ok((await sharp(upload).metadata()).exif, 'the fixture carries EXIF')
  const row = await saveUpload(db, mediaDir, { buffer: upload, originalName: 'IMG_0042.JPG' })
  // Stored 640×480 with "rotate 90°": the picture is really 480 wide and 640 tall.
  assert.equal(row.width, 480)
  assert.equal(row.height, 640)
  assert.match(row.fileName, /^[0-9a-f]{10}-img-0042\.jpg$/)
  for (const name of [row.fileName, ...parseVariants(row.variants).map((v) => v.fileName)]) {
    const data = readFileSync(join(mediaDir, name))
    const meta = await sharp(data).metadata()
    assert.equal(meta.exif, undefined, `${name} has no EXIF`)
    assert.equal(meta.orientation, undefined)
    assert.ok(!data.includes('PhoneCo'), `${name} does not name the camera`)
  }
})

test('an animated GIF stays animated, and so do its WebP copies', async (t) => {
  const { db, mediaDir } = setUp(t)
  const row = await saveUpload(db, mediaDir, { buffer: await animatedGif(), originalName: 'demo.gif' })
  assert.equal(row.width, 600)
  assert.equal(row.height, 300)
  const original = await sharp(readFileSync(join(mediaDir, row.fileName)), { animated: true }).metadata()
  assert.equal(original.format, 'gif')
  assert.equal(original.pages, 3)
  const variants = parseVariants(row.variants)
  assert.deepEqual(
    variants.map((v) => [v.width, v.height]),
    [
      [480, 240],
      [600, 300],
    ],
  )
  const copy = await sharp(readFileSync(join(mediaDir, variants[0]?.fileName ?? '')), {
    animated: true,
  }).metadata()
  assert.equal(copy.pages, 3)
})

test('a text file named .png and an SVG named .png are refused by their bytes, and nothing is written', async (t) => {
  const { db, mediaDir, files } = setUp(t)
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>')
  for (const buffer of [Buffer.from('Meeting notes\n- not an image\n'), svg]) {
    await assert.rejects(
      saveUpload(db, mediaDir, { buffer, originalName: 'photo.png' }),
      refusedWith(/^Only JPEG, PNG, WebP, GIF and AVIF images can be uploaded; SVG is not accepted/),
    )
  }
  assert.match(UNSUPPORTED_TYPE_MESSAGE, /SVG is not accepted because it can carry scripts/)
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)
})

test('a file over 10 MB is refused with a message stating the limit, before anything is written', async (t) => {
  const { db, mediaDir, files } = setUp(t)
  const png = await picture('png', 20, 20)
  const huge = Buffer.concat([png, Buffer.alloc(MAX_UPLOAD_BYTES + 1 - png.length)])
  await assert.rejects(
    saveUpload(db, mediaDir, { buffer: huge, originalName: 'huge.png' }),
    refusedWith(/10 MB/, 413),
  )
  assert.deepEqual(files(), [])
})

test('a truncated or corrupt image is refused as damaged instead of crashing', async (t) => {
  const { db, mediaDir, files } = setUp(t)
  const png = await picture('png', 800, 600)
  const jpeg = await picture('jpeg', 800, 600)
  const cases: [Buffer, RegExp][] = [
    [png.subarray(0, Math.floor(png.length / 2)), /PNG file is damaged or incomplete/],
    [jpeg.subarray(0, Math.floor(jpeg.length / 2)), /JPEG file is damaged or incomplete/],
    [Buffer.concat([png.subarray(0, 8), Buffer.from('garbage after a real signature')]), /damaged/],
    [Buffer.from('GIF89a'), /GIF file is damaged/],
  ]
  for (const [buffer, pattern] of cases) {
    await assert.rejects(
      saveUpload(db, mediaDir, { buffer, originalName: 'broken.png' }),
      refusedWith(pattern),
    )
  }
  assert.deepEqual(files(), [])
  assert.equal(listMedia(db).total, 0)
})

test('an empty file is refused with a request to choose one', async (t) => {
  const { db, mediaDir } = setUp(t)
  await assert.rejects(
    saveUpload(db, mediaDir, { buffer: Buffer.alloc(0), originalName: 'x.png' }),
    refusedWith(/Choose an image/),
  )
})

test('the same file uploaded twice is stored once', async (t) => {
  const { db, mediaDir, files } = setUp(t)
  const buffer = await picture('png', 300, 200)
  const first = await saveUpload(db, mediaDir, { buffer, originalName: 'logo.png' })
  const count = files().length
  const second = await saveUpload(db, mediaDir, { buffer, originalName: 'logo.png', alt: 'Our logo' })
  assert.equal(second.id, first.id)
  assert.equal(second.alt, 'Our logo', 'a first alt text given on the second upload is kept')
  assert.equal(files().length, count)
  assert.equal(listMedia(db).total, 1)
})

test('stored names are a content hash plus a plain ASCII version of the original name', () => {
  assert.equal(storedNameStem('Screen Shot 2024-05-01 at 10.22.01.png'), 'screen-shot-2024-05-01-at-10-22-01')
  assert.equal(storedNameStem('../../etc/passwd'), 'passwd')
  assert.equal(storedNameStem('C:\\Users\\sam\\Café crème.JPG'), 'cafe-creme')
  assert.equal(storedNameStem('日本語.png'), 'image')
  assert.equal(storedNameStem('.png'), 'image')
  assert.equal(storedNameStem(`${'a'.repeat(300)}.png`).length, 60)
})

test('the image resolver knows library images by path or absolute URL, and nothing else', async (t) => {
  const { db, mediaDir } = setUp(t)
  const row = await saveUpload(db, mediaDir, {
    buffer: await picture('png', 1200, 800),
    originalName: 'chart.png',
  })
  const resolve = createImageResolver(db)
  const info = resolve(`/media/${row.fileName}`)
  assert.ok(info)
  assert.equal(info.width, 1200)
  assert.equal(info.height, 800)
  const stem = row.fileName.replace(/\.png$/, '')
  assert.equal(
    info.srcset,
    `/media/${stem}-480.webp 480w, /media/${stem}-960.webp 960w, /media/${stem}-1200.webp 1200w`,
  )
  assert.equal(info.sizes, '(min-width: 50.5rem) 48rem, calc(100vw - 2.5rem)')
  assert.deepEqual(resolve(`https://blog.example.com/media/${row.fileName}`), info)
  assert.equal(resolve('/media/0000000000-missing.png'), undefined)
  assert.equal(resolve('https://elsewhere.example/photo.png'), undefined)
  assert.equal(resolve('/static/favicon.svg'), undefined)
  assert.equal(fileNameFromSrc('/media/a%2Fb.png'), 'a/b.png')
  assert.equal(fileNameFromSrc('/media/%E0%A4%A.png'), undefined)
})

test('usage lists the posts, pages and settings whose Markdown mentions the image', async (t) => {
  const { db, mediaDir } = setUp(t)
  const row = await saveUpload(db, mediaDir, {
    buffer: await picture('png', 600, 400),
    originalName: 'team.png',
  })
  const other = await saveUpload(db, mediaDir, {
    buffer: await picture('jpeg', 600, 400),
    originalName: 'x.jpg',
  })
  assert.equal(mediaUsage(db, row).total, 0)

  const post = createPost(db, { title: 'Meet the team', bodyMd: `Hello.\n\n${markdownFor(row)}` })
  createPost(db, {
    title: 'Draft with it',
    status: 'draft',
    bodyMd: 'Soon.',
    excerptMd: `![](/media/${row.fileName})`,
  })
  createPost(db, { title: 'Unrelated', bodyMd: `![](/media/${other.fileName})` })
  const pageId = savePage(db, {
    title: 'About',
    bodyMd: `![Us](https://blog.example.com/media/${row.fileName})`,
    status: 'published',
  })
  const variant = parseVariants(row.variants)[0]?.fileName
  saveSettings(db, { introMd: `Hi! ![](/media/${variant})` })

  const usage = mediaUsage(db, row)
  assert.equal(usage.total, 4)
  assert.deepEqual(usage.posts.map((p) => p.title).sort(), ['Draft with it', 'Meet the team'])
  assert.ok(usage.posts.some((p) => p.editUrl === `/admin/posts/${post.id}`))
  assert.deepEqual(usage.pages, [{ title: 'About', editUrl: `/admin/pages/${pageId}` }])
  assert.deepEqual(usage.settings, [{ title: 'Settings: home intro', editUrl: '/admin/settings' }])
  assert.equal(mediaUsage(db, other).total, 1)
})

test('usage for a page of images reads the posts and pages in one query, with the same answers as one image at a time', async (t) => {
  const { db, mediaDir } = setUp(t)
  const rows = []
  for (const [i, format] of (['png', 'jpeg', 'webp'] as const).entries())
    rows.push(
      await saveUpload(db, mediaDir, {
        buffer: await picture(format, 500 + i, 300),
        originalName: `${i}.img`,
      }),
    )
  const [first, second, third] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]]
  createPost(db, { title: 'Both', bodyMd: `${markdownFor(first)}\n\n${markdownFor(second)}` })
  createPost(db, {
    title: 'Copy only',
    quoteMd: `![](/media/${parseVariants(second.variants)[0]?.fileName})`,
  })
  for (let i = 0; i < 20; i += 1) createPost(db, { title: `Filler ${i}`, bodyMd: 'No pictures here.' })
  savePage(db, { title: 'Gallery', bodyMd: markdownFor(third), status: 'published' })

  const one = new Map(rows.map((row) => [row.id, mediaUsage(db, row)]))
  const statements: string[] = []
  const prepare = db.$client.prepare.bind(db.$client)
  t.mock.method(db.$client, 'prepare', (source: string) => {
    statements.push(source)
    return prepare(source)
  })
  const all = mediaUsageFor(db, rows)
  assert.equal(statements.filter((s) => /"posts"|"pages"/.test(s)).length, 1, statements.join('\n'))
  assert.deepEqual(all, one)
  assert.deepEqual(
    all.get(first.id)?.posts.map((p) => p.title),
    ['Both'],
  )
  assert.deepEqual(
    all
      .get(second.id)
      ?.posts.map((p) => p.title)
      .sort(),
    ['Both', 'Copy only'],
  )
  assert.deepEqual(
    all.get(third.id)?.pages.map((p) => p.title),
    ['Gallery'],
  )
})

test('deleting an image removes its row and every one of its files', async (t) => {
  const { db, mediaDir, files } = setUp(t)
  const keep = await saveUpload(db, mediaDir, {
    buffer: await picture('png', 500, 300),
    originalName: 'keep.png',
  })
  const kept = files()
  const row = await saveUpload(db, mediaDir, {
    buffer: await picture('jpeg', 1700, 900),
    originalName: 'big.jpg',
  })
  assert.equal(files().length, kept.length + 5)
  assert.equal(await deleteMedia(db, mediaDir, row.id), true)
  assert.equal(findMedia(db, row.id), undefined)
  assert.deepEqual(files().sort(), kept.sort())
  assert.ok(existsSync(join(mediaDir, keep.fileName)))
  assert.equal(await deleteMedia(db, mediaDir, row.id), false)
})

test('alt text is tidied, limited in length, and escaped in the Markdown snippet', async (t) => {
  const { db, mediaDir } = setUp(t)
  const row = await saveUpload(db, mediaDir, {
    buffer: await picture('png', 100, 100),
    originalName: 'a.png',
    alt: '  A [bracketed]\n  caption ',
  })
  assert.equal(row.alt, 'A [bracketed] caption')
  assert.equal(markdownFor(row), `![A \\[bracketed\\] caption](/media/${row.fileName})`)
  assert.equal(updateAlt(db, row.id, 'New words')?.alt, 'New words')
  assert.throws(() => updateAlt(db, row.id, 'x'.repeat(501)), refusedWith(/at most 500 characters/))
  assert.equal(findMedia(db, row.id)?.alt, 'New words')
})

test('the library lists newest first, a page at a time', async (t) => {
  const { db, mediaDir } = setUp(t)
  for (let i = 0; i < 3; i++) {
    await saveUpload(db, mediaDir, {
      buffer: await picture('png', 40 + i, 40),
      originalName: `n${i}.png`,
      now: new Date(Date.UTC(2024, 0, i + 1)),
    })
  }
  const first = listMedia(db, { page: 1, perPage: 2 })
  assert.deepEqual(
    first.items.map((m) => m.originalName),
    ['n2.png', 'n1.png'],
  )
  assert.equal(first.totalPages, 2)
  assert.deepEqual(
    listMedia(db, { page: 2, perPage: 2 }).items.map((m) => m.originalName),
    ['n0.png'],
  )
})
