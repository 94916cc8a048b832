// Checks that `import DIR` lets no file from an untrusted folder reach /media/ unless sharp decoded and re-encoded it.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import sharp from 'sharp'
import { describeImport, importSite } from '../../../src/features/backup/import.ts'
import { parseVariants } from '../../../src/features/media/files.ts'
import { findMediaByFileName } from '../../../src/features/media/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { runCli } from '../../helpers/processes.ts'

const SCRIPT = '<html><body><script>alert(document.cookie)</script></body></html>'

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const picture = (format: 'jpeg' | 'png', width = 1200, height = 800) =>
  sharp({ create: { width, height, channels: 3, background: '#336699' } })
    .toFormat(format)
    .toBuffer()

/** An export folder as an attacker might hand it over: hostile files beside one honest image. */
async function hostileFolder(t: TestContext): Promise<string> {
  const dir = join(tempDir(t, 'folio-hostile-'), 'site')
  const media = join(dir, 'media')
  mkdirSync(media, { recursive: true })
  const jpeg = await picture('jpeg')
  // Starts like a JPEG, the rest is a page.
  writeFileSync(
    join(media, 'aaaa-header.jpg'),
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(SCRIPT)]),
  )
  // A real, decodable JPEG with a page after its end: a polyglot.
  writeFileSync(join(media, 'bbbb-polyglot.jpg'), Buffer.concat([jpeg, Buffer.from(SCRIPT)]))
  writeFileSync(join(media, 'cccc-page.html'), SCRIPT)
  writeFileSync(
    join(media, 'dddd-drawing.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
  )
  // An SVG named like a PNG.
  writeFileSync(
    join(media, 'gggg-drawing.png'),
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
  )
  // A PNG named .jpg: links would serve it under the wrong type.
  writeFileSync(join(media, 'eeee-misnamed.jpg'), await picture('png', 50, 50))
  // An honest image whose listed copies are a page and a made-up name.
  writeFileSync(join(media, 'ffff-honest.png'), await picture('png'))
  writeFileSync(join(media, 'ffff-honest-480.webp'), SCRIPT)
  writeFileSync(join(media, 'ffff-honest-evil.html'), SCRIPT)
  writeFileSync(
    join(media, 'index.yml'),
    [
      '- file: ffff-honest.png',
      '  alt: An honest picture',
      '  variants:',
      '    - { file: ffff-honest-480.webp, width: 480, height: 320 }',
      '    - { file: ffff-honest-evil.html, width: 960, height: 640 }',
      '',
    ].join('\n'),
  )
  return dir
}

test('an imported folder cannot plant a page or script under /media/: bad files are reported, the rest re-encoded', async (t) => {
  const folder = await hostileFolder(t)
  const { app, db, config } = await createTestApp(t)

  const result = await importSite(db, folder, { mediaDir: config.mediaDir })

  const reported = new Map(result.problems.map((p) => [p.file, p.reason]))
  assert.match(reported.get('media/aaaa-header.jpg') ?? '', /damaged/)
  assert.match(reported.get('media/cccc-page.html') ?? '', /end in \.jpg, \.png, \.webp, \.gif or \.avif/)
  assert.match(reported.get('media/dddd-drawing.svg') ?? '', /end in \.jpg, \.png, \.webp, \.gif or \.avif/)
  assert.match(reported.get('media/gggg-drawing.png') ?? '', /SVG is not accepted/)
  assert.match(reported.get('media/eeee-misnamed.jpg') ?? '', /PNG image, so its name must end in \.png/)
  assert.match(reported.get('media/ffff-honest-evil.html') ?? '', /not imported/)
  assert.deepEqual(result.media, { created: 2, updated: 0, unchanged: 0 })
  assert.match(describeImport(result, folder).err, /media\/cccc-page\.html: /)

  // Every file that reached MEDIA_DIR is sharp's own output, and none carries the script.
  for (const name of readdirSync(config.mediaDir)) {
    const bytes = readFileSync(join(config.mediaDir, name))
    assert.ok(!bytes.includes('<script'), `${name} carries no script`)
    assert.ok((await sharp(bytes).metadata()).width, `${name} is an image`)
  }
  for (const name of [
    'aaaa-header.jpg',
    'cccc-page.html',
    'dddd-drawing.svg',
    'eeee-misnamed.jpg',
    'ffff-honest-evil.html',
  ])
    assert.equal(existsSync(join(config.mediaDir, name)), false, `${name} is not in MEDIA_DIR`)

  const polyglot = await app.inject('/media/bbbb-polyglot.jpg')
  assert.equal(polyglot.statusCode, 200)
  assert.equal(polyglot.headers['content-type'], 'image/jpeg')
  assert.equal(polyglot.headers['x-content-type-options'], 'nosniff')
  assert.ok(!polyglot.rawPayload.includes('<script'))

  // The honest image's copies were made again from it, under the names its posts may link to.
  const honest = findMediaByFileName(db, 'ffff-honest.png')
  assert.equal(honest?.alt, 'An honest picture')
  const copies = parseVariants(honest?.variants ?? '[]').map((v) => v.fileName)
  assert.ok(copies.includes('ffff-honest-480.webp'))
  const copy = await app.inject('/media/ffff-honest-480.webp')
  assert.equal(copy.statusCode, 200)
  assert.equal(copy.headers['content-type'], 'image/webp')
  assert.equal((await sharp(copy.rawPayload).metadata()).format, 'webp')

  // Even a page put into MEDIA_DIR by other means is never served.
  writeFileSync(join(config.mediaDir, 'x.html'), SCRIPT)
  const planted = await app.inject('/media/x.html')
  assert.equal(planted.statusCode, 404)
  assert.ok(!planted.body.includes('alert(document.cookie)'))
})

test('import through the CLI lists each refused image with its reason and exits 1', async (t) => {
  const folder = await hostileFolder(t)
  const target = tempDir(t, 'folio-import-')
  const result = runCli(['import', folder], {
    DATABASE_PATH: join(target, 'folio.db'),
    MEDIA_DIR: join(target, 'media'),
  })
  assert.equal(result.status, 1, result.stderr)
  assert.match(result.stdout, /media: +2 created, 0 updated, 0 unchanged/)
  for (const name of ['aaaa-header.jpg', 'cccc-page.html', 'dddd-drawing.svg', 'eeee-misnamed.jpg'])
    assert.match(result.stderr, new RegExp(`media/${name.replace('.', '\\.')}: `))
})

test('importing again brings back an image file missing from MEDIA_DIR, made again from the folder', async (t) => {
  const folder = await hostileFolder(t)
  const { app, db, config } = await createTestApp(t)
  await importSite(db, folder, { mediaDir: config.mediaDir })
  rmSync(join(config.mediaDir, 'ffff-honest-480.webp'))
  assert.equal((await app.inject('/media/ffff-honest-480.webp')).statusCode, 404)

  const again = await importSite(db, folder, { mediaDir: config.mediaDir })

  assert.deepEqual(again.media, { created: 0, updated: 1, unchanged: 1 })
  const copy = await app.inject('/media/ffff-honest-480.webp')
  assert.equal(copy.statusCode, 200)
  assert.equal((await sharp(copy.rawPayload).metadata()).format, 'webp')
})
