// Checks `import-wordpress`, `import-ghost` and `reset-2fa` as an operator runs them: on real exports, with a readable report, old links redirecting, and safe to repeat.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { generateSync } from 'otplib'
import { buildApp } from '../../../src/app.ts'
import type { Db } from '../../../src/db/client.ts'
import { addPasskey } from '../../../src/features/auth/passkeys.ts'
import { replaceRecoveryCodes } from '../../../src/features/auth/recovery-codes.ts'
import { createSession } from '../../../src/features/auth/sessions.ts'
import { confirmTotp, startTotpSetup } from '../../../src/features/auth/totp.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import type { ImportReport } from '../../../src/features/importers/report.ts'
import { createTestDb, rowCount, testConfig } from '../../helpers/app.ts'
import { testImage } from '../../helpers/fixtures.ts'
import { listenOnLoopback } from '../../helpers/loopback.ts'
import { type CliResult, ROOT, runCliAsync } from '../../helpers/processes.ts'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'imports')

const cli = (dir: string, args: string[]): Promise<CliResult> =>
  runCliAsync(args, {
    DATABASE_PATH: join(dir, 'folio.db'),
    MEDIA_DIR: join(dir, 'media'),
    SITE_URL: 'https://blog.example.com',
    FETCH_ALLOW_PRIVATE: 'true',
  })

/**
 * The old site's uploads on a loopback port, so no test reaches the internet: every image there
 * is a small JPEG except `triforce-wallpaper.jpg`, which is gone. Records the paths asked for.
 */
async function oldUploads(t: TestContext): Promise<{ origin: string; asked: string[] }> {
  const jpeg = await testImage('jpeg', 64, 48)
  const asked: string[] = []
  const server = createServer((request, response) => {
    asked.push(request.url ?? '')
    if (request.url?.includes('triforce-wallpaper')) return response.writeHead(404).end()
    response.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg)
  })
  return { origin: await listenOnLoopback(t, server), asked }
}

/** A fixture whose image hosts are `origin` instead, so that importing it fetches from the test alone. */
function offline(dir: string, fixture: string, hosts: readonly string[], origin: string): string {
  let text = readFileSync(join(FIXTURES, fixture), 'utf8')
  for (const host of hosts) text = text.replaceAll(host, origin)
  const file = join(dir, fixture.replaceAll('/', '-'))
  writeFileSync(file, text)
  return file
}

/** The theme unit test export, its uploads (and their Jetpack CDN copies) on `origin`. */
const wordpressExport = (dir: string, origin: string): string =>
  offline(
    dir,
    'wordpress-theme-unit-test.xml',
    ['https://i0.wp.com/wpthemetestdata.files.wordpress.com', 'https://wpthemetestdata.files.wordpress.com'],
    `${origin}/wp-content/uploads`,
  )

/** The --report file, after checking that every image it names was on the test's own server. */
function readReport(file: string, origin: string): ImportReport {
  const report = JSON.parse(readFileSync(file, 'utf8')) as ImportReport
  const { fetched, reused, missing } = report.images
  for (const url of [...fetched, ...reused, ...missing.map((m) => m.url)])
    assert.ok(url.startsWith(origin), url)
  return report
}

const IMPORTED_TABLES = ['posts', 'pages', 'tags', 'responses', 'redirects', 'media', 'imported_items']
const tableCounts = (db: Db) => Object.fromEntries(IMPORTED_TABLES.map((t) => [t, rowCount(db, t)]))

const slugOf = (db: Db, table: 'posts' | 'pages', title: string): string =>
  db.$client.prepare(`select slug from ${table} where title = ?`).pluck().get(title) as string

test('import-wordpress brings the theme unit test blog in, with a report, and a second run changes nothing', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const uploads = await oldUploads(t)
  const file = wordpressExport(dir, uploads.origin)
  // A copy of wp-content/uploads holding one of the images: it is read from there, not fetched.
  const mediaDir = join(dir, 'uploads')
  mkdirSync(join(mediaDir, '2008', '06'), { recursive: true })
  writeFileSync(join(mediaDir, '2008', '06', 'canola2.jpg'), await testImage('jpeg', 80, 60))
  const reportFile = join(dir, 'report.json')

  const result = await cli(dir, ['import-wordpress', file, '--media-dir', mediaDir, '--report', reportFile])
  assert.equal(result.status, 0, result.stdout + result.stderr)
  assert.match(
    result.stdout,
    /^Imported .*wordpress-theme-unit-test\.xml \(wordpress https:\/\/wpthemetestdata\.wordpress\.com\):/,
  )
  assert.match(result.stdout, /posts: +\d+ imported/)
  assert.match(result.stdout, /Images missing[\s\S]*triforce-wallpaper\.jpg: the server answered 404/)
  // Long lists are cut short on the terminal; the JSON report keeps every line.
  assert.match(result.stdout, /… and \d+ more \(all in .*report\.json\)/)
  assert.match(result.stdout, /4 comments on 1 page were not imported/)
  const report = readReport(reportFile, uploads.origin)
  assert.ok(
    report.entryNotes.some((n) => n.title === 'Template: Sticky' && n.note === 'sticky on the old site'),
  )
  assert.equal(report.pageComments.length, 4)
  assert.equal(report.counts.posts.imported, rowCount(db, 'posts'))
  assert.equal(report.counts.pages.imported, rowCount(db, 'pages'))
  assert.equal(report.counts.posts.failed + report.counts.pages.failed, 0)
  assert.equal(report.counts.images.failed, 1)
  assert.equal(report.counts.images.imported, rowCount(db, 'media'))
  assert.ok(!uploads.asked.some((path) => path.includes('canola2')), 'the local copy was used')

  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  // Posts, as a reader finds them.
  const sticky = await app.inject(`/posts/${slugOf(db, 'posts', 'Template: Sticky')}`)
  assert.equal(sticky.statusCode, 200)
  assert.match(sticky.body, /Template: Sticky/)
  assert.equal(db.$client.prepare("select status from posts where title = 'Draft'").pluck().get(), 'draft')
  // Nested pages are flattened to one slug each, and their old paths lead there.
  const level3 = slugOf(db, 'pages', 'Level 3')
  assert.equal((await app.inject(`/${level3}`)).statusCode, 200)
  const oldPage = await app.inject('/level-1/level-2/level-3/')
  assert.equal(oldPage.statusCode, 301)
  assert.equal(oldPage.headers.location, `/${level3}`)
  // Old post permalinks, by date and by id.
  for (const old of ['/2012/01/07/template-sticky/', '/?p=1241']) {
    const response = await app.inject(old)
    assert.equal(response.statusCode, 301, old)
    assert.equal(response.headers.location, `/posts/${slugOf(db, 'posts', 'Template: Sticky')}`, old)
  }
  // Comments: approved ones under their post.
  const comments = await app.inject(`/posts/${slugOf(db, 'posts', 'Template: Comments')}`)
  assert.equal(comments.statusCode, 200)
  assert.ok(
    db.$client
      .prepare("select count(*) from responses where source = 'import' and status = 'approved'")
      .pluck()
      .get(),
  )
  // Images: the posts show the library's copies; a feature image that is gone is left out.
  const bodies = db.$client.prepare('select body_md from posts').pluck().all().join('\n')
  assert.match(bodies, /!\[[^\]]*\]\(\/media\/[^)]*canola2[^)]*\.jpg\)/)
  const featureOf = (title: string) =>
    db.$client.prepare('select feature_image_id from posts where title = ?').pluck().get(title)
  assert.ok(featureOf('Template: Featured Image (Horizontal)'))
  assert.equal(featureOf('Post Format: Image (Caption)'), null)
  // A quote post: its quotation with Mark Twain's attribution under it, linking its source.
  const quote = db.$client
    .prepare("select link_url as linkUrl, quote_md as quoteMd from posts where title = 'Post Format: Quote'")
    .get() as { linkUrl: string; quoteMd: string }
  assert.equal(quote.linkUrl, 'http://www.brainyquote.com/quotes/quotes/m/marktwain163473.html')
  assert.match(
    quote.quoteMd,
    /^Only one thing is impossible for God: [^\n]*planet\. {2}\n— \[Mark Twain\]\(http:\/\/www\.brainyquote\.com\/[^)]*\)$/,
  )
  // Categories and tags both became tags; their old pages lead there.
  const tagPages: [string, string][] = [
    ['/category/block/', '/tags/block'],
    ['/tag/post-formats/', '/tags/post-formats'],
  ]
  for (const [old, tag] of tagPages) {
    const response = await app.inject(old)
    assert.equal(response.statusCode, 301, old)
    assert.equal(response.headers.location, tag, old)
    assert.equal((await app.inject(tag)).statusCode, 200, tag)
  }

  const before = tableCounts(db)
  const askedBefore = uploads.asked.length
  const again = await cli(dir, ['import-wordpress', file, '--media-dir', mediaDir, '--report', reportFile])
  assert.equal(again.status, 0, again.stdout + again.stderr)
  assert.deepEqual(tableCounts(db), before)
  const second = readReport(reportFile, uploads.origin)
  assert.equal(second.counts.posts.imported, 0)
  assert.equal(second.counts.posts.unchanged, report.counts.posts.imported)
  assert.equal(second.counts.comments.imported, 0)
  assert.equal(second.counts.redirects.imported, 0)
  // Only the image that was missing is asked for again; the rest are in the library.
  const askedAgain = uploads.asked.slice(askedBefore)
  assert.ok(askedAgain.length > 0)
  for (const path of askedAgain) assert.match(path, /triforce-wallpaper/)
})

test('import-wordpress --dry-run prints what would happen and writes and fetches nothing', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const uploads = await oldUploads(t)
  const file = wordpressExport(dir, uploads.origin)
  const before = tableCounts(db)
  const result = await cli(dir, ['import-wordpress', file, '--dry-run'])
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /^Dry run of .*nothing was written or fetched/)
  assert.match(result.stdout, /posts: +\d+ would be imported/)
  assert.deepEqual(tableCounts(db), before)
  assert.deepEqual(uploads.asked, [])
})

for (const version of ['v4', 'v5']) {
  test(`import-ghost brings a Ghost ${version} export in: posts, pages, tags and its old URLs`, async (t: TestContext) => {
    const { db, dir } = createTestDb(t)
    const uploads = await oldUploads(t)
    const reportFile = join(dir, 'report.json')
    const file = offline(
      dir,
      `ghost-${version}.json`,
      ['https://static.ghost.org'],
      `${uploads.origin}/static`,
    )
    const result = await cli(dir, ['import-ghost', file, '--old-url', uploads.origin, '--report', reportFile])
    assert.ok(result.status === 0 || result.status === 1, result.stderr)
    const report = readReport(reportFile, uploads.origin)
    assert.equal(result.status, report.problems.some((p) => p.outcome === 'failed') ? 1 : 0)
    assert.ok(report.counts.posts.imported > 0)
    assert.equal(report.counts.posts.imported, rowCount(db, 'posts'))
    assert.equal(report.counts.pages.imported, rowCount(db, 'pages'))

    const app = await buildApp({ config: testConfig(dir), db })
    t.after(() => app.close())
    const post = db.$client
      .prepare("select slug, title from posts where status = 'published' and published_at <= ? limit 1")
      .get(Date.now()) as { slug: string; title: string }
    const page = await app.inject(`/posts/${post.slug}`)
    assert.equal(page.statusCode, 200)
    // Ghost's post URLs were /slug/: they lead to the post now.
    const old = await app.inject(`/${post.slug}/`)
    assert.equal(old.statusCode, 301)
    assert.equal(old.headers.location, `/posts/${post.slug}`)
    const tag = db.$client.prepare('select slug from tags limit 1').pluck().get() as string | undefined
    if (tag) assert.equal((await app.inject(`/tags/${tag}`)).statusCode, 200)

    const again = await cli(dir, ['import-ghost', file, '--old-url', uploads.origin, '--report', reportFile])
    assert.equal(again.status, result.status)
    assert.equal(readReport(reportFile, uploads.origin).counts.posts.imported, 0)
  })
}

test('the import commands refuse a missing file, a file of the wrong kind and bad options with a clear message', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const cases: [string[], RegExp][] = [
    [['import-wordpress'], /Name one export file, like: npm run cli -- import-wordpress/],
    [['import-wordpress', join(dir, 'nowhere.xml')], /There is no file at .*nowhere\.xml/],
    [['import-wordpress', join(FIXTURES, 'hostile', 'not-wxr.xml')], /WordPress|WXR|export/i],
    [['import-wordpress', join(FIXTURES, 'hostile', 'broken.xml')], /XML|export/i],
    [['import-ghost', join(FIXTURES, 'hostile', 'not-ghost.json')], /not a Ghost export/],
    [
      ['import-wordpress', join(FIXTURES, 'hostile', 'broken.xml'), '--media-dir', join(dir, 'none')],
      /There is no folder/,
    ],
    [['import-ghost', join(FIXTURES, 'ghost-v4.json'), '--old-url', 'not a url'], /--old-url must be/],
    [
      ['import-ghost', join(FIXTURES, 'ghost-v4.json'), '--report', join(dir, 'no', 'such', 'r.json')],
      /--report/,
    ],
    [['import-ghost', join(FIXTURES, 'ghost-v4.json'), '--force'], /Unknown option '--force'/],
  ]
  const results = await Promise.all(cases.map(([args]) => cli(dir, args)))
  for (const [i, [args, message]] of cases.entries()) {
    const result = results[i] as CliResult
    assert.equal(result.status, 1, args.join(' '))
    assert.match(result.stderr, message, args.join(' '))
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  }
  assert.equal(rowCount(db, 'posts'), 0)
})

test('a hostile export: script in content is made harmless and duplicate slugs are suffixed and reported', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const uploads = await oldUploads(t)
  const hostile = offline(dir, 'hostile/script-in-content.xml', ['https://hostile.example'], uploads.origin)
  const script = await cli(dir, ['import-wordpress', hostile])
  assert.equal(script.status, 0, script.stdout + script.stderr)
  const html = db.$client.prepare('select body_html from posts').pluck().all().join('\n')
  assert.match(html, /After the script\./)
  assert.doesNotMatch(html, /<script|<iframe|\son\w+=|href="\s*(?:javascript|data):/i)

  const dupes = offline(dir, 'hostile/duplicate-slugs.xml', ['https://dupes.example'], uploads.origin)
  const duplicates = await cli(dir, ['import-wordpress', dupes])
  assert.ok(duplicates.status === 0 || duplicates.status === 1, duplicates.stderr)
  assert.match(duplicates.stdout, /Slugs changed:\n.*→ .*-2 \(/)
})

test('reset-2fa removes every passkey, the authenticator app and the recovery codes, and ends every session', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const user = await createUser(db, {
    name: 'Sam',
    email: 'sam@example.com',
    password: 'a long enough password',
  })
  const source = { keepSessionId: 0, ip: '203.0.113.1' }
  for (const name of ['Laptop', 'Phone'])
    addPasskey(
      db,
      {
        userId: user.id,
        credentialId: `cred-${name}`,
        publicKey: 'key',
        counter: 0,
        transports: [],
        name,
        backedUp: false,
      },
      source,
    )
  const secret = startTotpSetup(db, user.id) as string
  assert.ok(confirmTotp(db, user.id, generateSync({ secret })))
  replaceRecoveryCodes(db, user.id)
  for (let i = 0; i < 3; i++) createSession(db, user.id, { userAgent: 'x', ip: `203.0.113.${i}` })

  const result = await cli(dir, ['reset-2fa', '--email', 'SAM@example.com'])
  assert.equal(result.status, 0, result.stderr)
  assert.match(
    result.stdout,
    /^Removed 2 passkeys, the authenticator app and 10 recovery codes; 3 sessions ended\./,
  )
  for (const table of ['passkeys', 'totp_factors', 'recovery_codes', 'sessions'])
    assert.equal(rowCount(db, table), 0, table)

  const nothing = await cli(dir, ['reset-2fa', '--email', 'sam@example.com'])
  assert.equal(nothing.status, 0)
  assert.match(
    nothing.stdout,
    /had no passkey, authenticator app or recovery codes to remove; 0 sessions ended/,
  )
  const unknown = await cli(dir, ['reset-2fa', '--email', 'nobody@example.com'])
  assert.equal(unknown.status, 1)
  assert.match(unknown.stderr, /There is no account for nobody@example\.com\./)
  const missing = await cli(dir, ['reset-2fa'])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /--email is required/)
})
