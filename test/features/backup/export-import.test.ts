// Checks `export DIR` and `import DIR`: a byte-identical round trip, tricky front matter, re-imports and bad files.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import sharp from 'sharp'
import type { Db } from '../../../src/db/client.ts'
import { exportSite } from '../../../src/features/backup/export.ts'
import { importSite } from '../../../src/features/backup/import.ts'
import { readPostRecord } from '../../../src/features/backup/records.ts'
import { deletePost } from '../../../src/features/content/posts.ts'
import { markdownFor } from '../../../src/features/media/render.ts'
import { saveUpload } from '../../../src/features/media/service.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp, createTestDb } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { runCli } from '../../helpers/processes.ts'
import { readTree } from './helpers.ts'

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const rows = (db: Db, sql: string): unknown[] => db.$client.prepare(sql).all()

/** A small site with one of everything: article, link post, series, tags, draft, pages, settings, an image. */
async function buildSite(db: Db, mediaDir: string): Promise<void> {
  const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#336699' } })
    .png()
    .toBuffer()
  const image = await saveUpload(db, mediaDir, {
    buffer: png,
    originalName: 'Blue square.png',
    alt: 'A blue square: "quoted", with # and ü',
  })
  saveSettings(db, {
    title: 'Sam’s notes: on "the web"',
    introMd: 'Hello!\n\n- one\n- two\n',
    socialLinks: [{ label: 'Mastodon', url: 'https://mastodon.example/@sam' }],
  })
  createPost(db, {
    title: 'SQLite in production, part one',
    series: 'SQLite in production',
    tags: ['SQLite', 'Ops'],
    bodyMd: `Intro.\n\n${markdownFor(image)}\n\n<!--more-->\n\nThe rest.\n`,
  })
  createPost(db, {
    title: 'SQLite in production, part two',
    series: 'SQLite in production',
    tags: ['SQLite'],
  })
  createPost(db, {
    title: 'A link worth reading',
    kind: 'link',
    linkUrl: 'https://example.com/article?a=1#section',
    quoteMd: '> A quoted passage\n> over two lines',
    bodyMd: 'My commentary.',
  })
  createPost(db, { title: 'Unfinished thoughts', status: 'draft', publishedAt: undefined })
  createPost(db, {
    title: 'Hand-written description',
    metaDescription: 'Written by the author, on purpose.',
    featureImage: String(image.id),
  })
  createPage(db, { title: 'About', bodyMd: `About me.\n\n${markdownFor(image)}` })
  createPage(db, { title: 'Work with me', navOrder: 2 })
  createPage(db, { title: 'Old page', status: 'draft', navOrder: null })
}

test('export, import into a new site and export again gives byte-identical files and the same URLs', async (t) => {
  const { db, dir } = createTestDb(t)
  const mediaDir = join(dir, 'media')
  await buildSite(db, mediaDir)
  const first = join(tempDir(t, 'folio-export-'), 'site')
  const exported = exportSite(db, first, { mediaDir })
  assert.equal(exported.posts, 5)
  assert.equal(exported.pages, 3)
  assert.equal(exported.media, 1)
  assert.deepEqual(exported.missingMedia, [])

  const target = await createTestApp(t)
  const imported = await importSite(target.db, first, { mediaDir: target.config.mediaDir })
  assert.deepEqual(imported.problems, [])
  assert.deepEqual(imported.posts, { created: 5, updated: 0, unchanged: 0 })
  assert.deepEqual(imported.pages, { created: 3, updated: 0, unchanged: 0 })
  assert.deepEqual(imported.media, { created: 1, updated: 0, unchanged: 0 })
  assert.equal(imported.settings, 'updated')

  const second = join(tempDir(t, 'folio-export-'), 'site')
  exportSite(target.db, second, { mediaDir: target.config.mediaDir })
  const a = readTree(first)
  const b = readTree(second)
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort())
  for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name) as Buffer), `${name} is byte-identical`)

  // The same addresses, and pages rendered the same way (the image keeps its size and srcset).
  const postsSql =
    'select slug, status, published_at, body_html, excerpt_html, meta_description from posts order by slug'
  assert.deepEqual(rows(target.db, postsSql), rows(db, postsSql))
  const featuresSql =
    'select p.slug, m.file_name from posts p left join media m on m.id = p.feature_image_id order by p.slug'
  assert.deepEqual(rows(target.db, featuresSql), rows(db, featuresSql), 'the feature image comes along')
  assert.ok(rows(db, featuresSql).some((row) => (row as { file_name: string | null }).file_name))
  assert.deepEqual(
    rows(target.db, 'select slug, body_html, nav_order from pages order by slug'),
    rows(db, 'select slug, body_html, nav_order from pages order by slug'),
  )
  assert.deepEqual(
    rows(
      target.db,
      'select s.slug, p.slug as post, p.series_part from posts p join series s on s.id = p.series_id order by 1, 3',
    ),
    rows(
      db,
      'select s.slug, p.slug as post, p.series_part from posts p join series s on s.id = p.series_id order by 1, 3',
    ),
  )
  for (const url of [
    '/posts/sqlite-in-production-part-one',
    '/posts/a-link-worth-reading',
    '/about',
    '/series/sqlite-in-production',
    '/tags/sqlite',
  ]) {
    const response = await target.app.inject({ method: 'GET', url })
    assert.equal(response.statusCode, 200, url)
  }
  const page = await target.app.inject({ method: 'GET', url: '/posts/sqlite-in-production-part-one' })
  const image = /<img [^>]*src="(\/media\/[^"]+)"[^>]*>/.exec(page.body)
  assert.ok(image, 'the post shows its image')
  assert.match(image[0], /width="1200" height="800" srcset="[^"]+480w/)
  const src = image[1] as string
  assert.equal((await target.app.inject({ method: 'GET', url: src })).statusCode, 200)
})

test('front matter with colons, quotes, #, unicode and multi-line text survives the round trip', async (t) => {
  const { db, dir } = createTestDb(t)
  const tricky = {
    title: 'Colons: "double", \'single\' & # not a comment — 日本語 Ünïcödé 🎉',
    kind: 'link' as const,
    linkUrl: 'https://example.com/a:b?x="y"#frag',
    tags: ['C#', 'key: value', '#hashtag', 'naïve café'],
    series: 'Part: one # two',
    seriesPart: 3,
    excerptMd:
      'First line: with a colon\n---\n  indented line with trailing spaces   \n\n# not a heading in YAML\n',
    quoteMd: '"Quoted" – with a tab\there',
    metaDescription: 'It\'s: "all" here # really',
    bodyMd: '---\nlooks: like front matter\n---\n\nBody ends without a newline',
    status: 'scheduled' as const,
    publishedAt: new Date('2031-02-03T04:05:06.789Z'),
  }
  const { slug } = createPost(db, tricky)
  createPost(db, { title: 'yes', slug: 'null', bodyMd: 'Trailing blank lines\n\n\n' })
  const before = readPostRecord(db, slug)
  const folder = join(tempDir(t, 'folio-export-'), 'site')
  exportSite(db, folder, { mediaDir: join(dir, 'media') })
  const text = readFileSync(join(folder, 'posts', `${slug}.md`), 'utf8')
  assert.ok(text.endsWith('Body ends without a newline\n'))
  assert.ok(!text.includes('\r'))

  const target = createTestDb(t)
  const result = await importSite(target.db, folder, { mediaDir: join(target.dir, 'media') })
  assert.deepEqual(result.problems, [])
  assert.deepEqual(readPostRecord(target.db, slug), before)
  assert.deepEqual(readPostRecord(target.db, 'null'), readPostRecord(db, 'null'))
  assert.equal(readPostRecord(target.db, 'null')?.title, 'yes')
})

test('importing the same folder again changes nothing, and an edited file updates its post in place', async (t) => {
  const { db, dir } = createTestDb(t)
  const mediaDir = join(dir, 'media')
  await buildSite(db, mediaDir)
  const folder = join(tempDir(t, 'folio-export-'), 'site')
  exportSite(db, folder, { mediaDir })

  const again = await importSite(db, folder, { mediaDir })
  assert.deepEqual(again.posts, { created: 0, updated: 0, unchanged: 5 })
  assert.deepEqual(again.pages, { created: 0, updated: 0, unchanged: 3 })
  assert.deepEqual(again.media, { created: 0, updated: 0, unchanged: 1 })
  assert.equal(again.settings, 'unchanged')

  const file = join(folder, 'posts', 'a-link-worth-reading.md')
  const [id] = rows(db, "select id from posts where slug = 'a-link-worth-reading'") as { id: number }[]
  writeFileSync(file, readFileSync(file, 'utf8').replace('My commentary.', 'My longer commentary.'))
  // A post written by hand, with only a title and a body, and tags as one line.
  writeFileSync(
    join(folder, 'posts', 'Notes From The Road.md'),
    '---\ntitle: Notes from the road\ntags: travel, notes\n---\nWritten in git.\n',
  )

  const edited = await importSite(db, folder, { mediaDir })
  assert.deepEqual(edited.problems, [])
  assert.deepEqual(edited.posts, { created: 1, updated: 1, unchanged: 4 })
  const after = rows(db, "select id, body_md from posts where slug = 'a-link-worth-reading'") as {
    id: number
    body_md: string
  }[]
  assert.deepEqual(after, [{ id: id?.id, body_md: 'My longer commentary.' }])
  const created = readPostRecord(db, 'notes-from-the-road')
  assert.equal(created?.status, 'draft')
  assert.deepEqual(created?.tags, ['notes', 'travel'])
  assert.equal(created?.bodyMd, 'Written in git.')
})

test('a second export removes the files of deleted posts, and export refuses a folder it did not write', (t) => {
  const { db, dir } = createTestDb(t)
  const mediaDir = join(dir, 'media')
  const gone = createPost(db, { title: 'Soon deleted' })
  createPost(db, { title: 'Staying' })
  const folder = join(tempDir(t, 'folio-export-'), 'site')
  exportSite(db, folder, { mediaDir })
  deletePost(db, gone.id)
  const second = exportSite(db, folder, { mediaDir })
  assert.deepEqual(second.removed, ['posts/soon-deleted.md'])
  assert.equal(second.written, 0)

  const foreign = tempDir(t, 'folio-home-')
  writeFileSync(join(foreign, 'thesis.md'), 'Years of work.')
  assert.throws(() => exportSite(db, foreign, { mediaDir }), /not empty/)
  assert.equal(readFileSync(join(foreign, 'thesis.md'), 'utf8'), 'Years of work.')
})

test('import through the CLI reports a broken file by name and reason, imports the rest and exits 1', (t) => {
  const { db, dir } = createTestDb(t)
  createPost(db, { title: 'Good one' })
  createPost(db, { title: 'Good two' })
  const folder = join(tempDir(t, 'folio-export-'), 'site')
  exportSite(db, folder, { mediaDir: join(dir, 'media') })
  writeFileSync(join(folder, 'posts', 'no-end.md'), '---\ntitle: Never closed\n\nBody.\n')
  writeFileSync(join(folder, 'posts', 'bad-status.md'), '---\ntitle: Bad status\nstatus: live\n---\nBody.\n')
  writeFileSync(join(folder, 'posts', 'bad-link.md'), '---\ntitle: A link\nkind: link\n---\nNo URL.\n')

  const target = tempDir(t, 'folio-import-')
  mkdirSync(join(target, 'media'))
  const result = runCli(['import', folder], {
    DATABASE_PATH: join(target, 'folio.db'),
    MEDIA_DIR: join(target, 'media'),
  })
  assert.equal(result.status, 1, result.stderr)
  assert.match(result.stdout, /posts: +2 created, 0 updated, 0 unchanged/)
  assert.match(result.stderr, /Skipped 3 items/)
  assert.match(result.stderr, /posts\/no-end\.md: the front matter has no closing "---" line/)
  assert.match(result.stderr, /posts\/bad-status\.md: status: expected draft, published or scheduled/)
  assert.match(result.stderr, /posts\/bad-link\.md: link_url: A link post needs the URL it links to\./)
})

/** Exports a one-post site whose file names `featureImage` as written, and imports it into a new site. */
async function importWithFeatureImage(t: TestContext, title: string, featureImage: string) {
  const { db, dir } = createTestDb(t)
  const { slug } = createPost(db, { title })
  const folder = join(tempDir(t, 'folio-export-'), 'site')
  exportSite(db, folder, { mediaDir: join(dir, 'media') })
  const file = join(folder, 'posts', `${slug}.md`)
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace('feature_image: null', `feature_image: ${featureImage}`),
  )
  const target = await createTestApp(t)
  return { target, imported: await importSite(target.db, folder, { mediaDir: target.config.mediaDir }) }
}

test('a post naming a feature image the folder does not hold is imported without it, and the import says so', async (t) => {
  const { target, imported } = await importWithFeatureImage(t, 'Pictured', '/media/gone-1234.jpg')
  assert.deepEqual(imported.posts, { created: 1, updated: 0, unchanged: 0 })
  assert.deepEqual(imported.problems, [
    {
      file: 'posts/pictured.md',
      reason:
        'feature_image: /media/gone-1234.jpg is not in the media library, so the post was imported without it',
    },
  ])
  assert.equal(readPostRecord(target.db, 'pictured')?.featureImage, null)
})

test('an import names a feature image by its /media/ URL only: an id from another site is refused', async (t) => {
  const { imported } = await importWithFeatureImage(t, 'Numbered', '12')
  assert.equal(imported.problems.length, 1)
  assert.match(imported.problems[0]?.reason ?? '', /^feature_image: expected the image’s \/media\/ URL/)
})
