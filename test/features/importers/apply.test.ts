// Checks the importer's writer: posts, pages, tags, comments and old URLs come in once, a bad item is left out whole, and a dry run writes nothing.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { type TestContext, test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { savePost } from '../../../src/features/content/posts.ts'
import { loadPostContent, revisionAsInput } from '../../../src/features/content/revisions.ts'
import { applyBundle } from '../../../src/features/importers/apply.ts'
import type { ImageSteps } from '../../../src/features/importers/apply-content.ts'
import type { ImportBundle, ImportedComment, ImportedEntry } from '../../../src/features/importers/model.ts'
import type { ImportReport } from '../../../src/features/importers/report.ts'
import { describeReport } from '../../../src/features/importers/report-text.ts'
import { imageStepsFor } from '../../../src/features/importers/run.ts'
import { createTestApp, createTestDb, rowCount } from '../../helpers/app.ts'
import { createPage, createPost, testImage } from '../../helpers/fixtures.ts'
import { listenOnLoopback } from '../../helpers/loopback.ts'

const SOURCE = 'wordpress https://old.example'
const NOW = new Date('2026-02-01T12:00:00Z')

/** The media step without the network: body images stay where they are; feature images are gone. */
const images: ImageSteps = {
  localizeImages: async (html) => ({ html, fetched: [], reused: [], missing: [] }),
  localizeFeatureImage: async (url) => ({
    reference: undefined,
    fetched: [],
    reused: [],
    missing: [{ url, reason: 'HTTP 404' }],
  }),
}

let ids = 100

function entry(overrides: Partial<ImportedEntry> = {}): ImportedEntry {
  ids += 1
  const sourceId = overrides.sourceId ?? String(ids)
  return {
    kind: 'post',
    sourceId,
    title: `Post ${sourceId}`,
    slug: `post-${sourceId}`,
    status: 'published',
    publishedAt: new Date('2019-03-14T09:00:00Z'),
    body: `<p>The words of post ${sourceId}.</p>`,
    bodyFormat: 'html',
    excerpt: '',
    tags: [],
    linkUrl: '',
    quoteHtml: '',
    featureImageUrl: '',
    metaDescription: '',
    oldPaths: [`/2019/03/post-${sourceId}`, `/?p=${sourceId}`],
    comments: [],
    attachedImages: [],
    notes: [],
    ...overrides,
  }
}

function comment(overrides: Partial<ImportedComment> & { sourceId: string }): ImportedComment {
  return {
    parentSourceId: '',
    kind: 'reply',
    status: 'approved',
    authorName: 'Ada Reader',
    authorUrl: 'https://ada.example/',
    html: `Comment ${overrides.sourceId}.`,
    publishedAt: new Date('2019-03-15T10:00:00Z'),
    ...overrides,
  }
}

function bundle(entries: ImportedEntry[], overrides: Partial<ImportBundle> = {}): ImportBundle {
  return {
    source: SOURCE,
    siteUrl: 'https://old.example',
    entries,
    attachmentUrls: {},
    tags: [],
    pathRedirects: [],
    notes: [],
    skipped: [],
    ...overrides,
  }
}

const run = (db: Db, b: ImportBundle, dryRun = false): Promise<ImportReport> =>
  applyBundle(db, b, { file: 'export.xml', dryRun, images, now: NOW })

const TABLES = [
  'posts',
  'pages',
  'tags',
  'post_tags',
  'responses',
  'redirects',
  'imported_items',
  'post_revisions',
]
const rowCounts = (db: Db) => Object.fromEntries(TABLES.map((table) => [table, rowCount(db, table)]))

/** A small blog: two tagged posts (one answered, with a thread), a link post, a page and the old feed. */
function smallBlog(): ImportBundle {
  const travel = { name: 'Travel Notes', oldSlug: 'travel' }
  return bundle(
    [
      entry({
        sourceId: '1',
        title: 'Hello world',
        slug: 'hello-world',
        tags: [travel, { name: 'Uncategorized', oldSlug: 'uncategorized' }],
        comments: [
          comment({ sourceId: '11', html: 'First!\n\nA second paragraph.' }),
          comment({ sourceId: '12', parentSourceId: '11', authorName: 'Bo', html: 'Replying to Ada.' }),
          comment({ sourceId: '13', status: 'pending', html: 'Waiting for a look.' }),
          comment({
            sourceId: '14',
            status: 'spam',
            html: 'Cheap pills <a href="https://spam.example">here</a>',
          }),
        ],
      }),
      entry({ sourceId: '2', title: 'Second post', slug: 'second-post', tags: [travel] }),
      entry({
        sourceId: '3',
        title: 'A link worth reading',
        slug: 'a-link',
        linkUrl: 'https://elsewhere.example/article',
        quoteHtml: '<p>Something quotable.</p>',
      }),
      entry({ kind: 'page', sourceId: '4', title: 'About me', slug: 'about', oldPaths: ['/about-me'] }),
    ],
    {
      tags: [
        { ...travel, oldPaths: ['/category/travel'] },
        { name: 'Never used', oldSlug: 'never-used', oldPaths: ['/tag/never-used'] },
      ],
      pathRedirects: [{ fromPath: '/feed', toPath: '/feed.xml' }],
    },
  )
}

test('an import brings in posts, pages, tags, comments and old URLs, and importing again changes nothing', async (t: TestContext) => {
  const { db } = createTestDb(t)
  const first = await run(db, smallBlog())
  assert.deepEqual(first.counts.posts, { imported: 3, unchanged: 0, matched: 0, skipped: 0, failed: 0 })
  assert.equal(first.counts.pages.imported, 1)
  assert.equal(first.counts.comments.imported, 4)
  assert.deepEqual(first.counts.tags, { imported: 2, unchanged: 0, matched: 0, skipped: 1, failed: 0 })
  // 2 per post, the page's, the category, the unused tag (to the list of tags) and the feed.
  assert.equal(first.counts.redirects.imported, 10)

  const posts = db.$client
    .prepare(
      'select slug, title, kind, link_url as linkUrl, status, published_at as publishedAt from posts order by id',
    )
    .all()
  assert.deepEqual(posts, [
    {
      slug: 'hello-world',
      title: 'Hello world',
      kind: 'article',
      linkUrl: null,
      status: 'published',
      publishedAt: Date.parse('2019-03-14T09:00:00Z'),
    },
    {
      slug: 'second-post',
      title: 'Second post',
      kind: 'article',
      linkUrl: null,
      status: 'published',
      publishedAt: Date.parse('2019-03-14T09:00:00Z'),
    },
    {
      slug: 'a-link',
      title: 'A link worth reading',
      kind: 'link',
      linkUrl: 'https://elsewhere.example/article',
      status: 'published',
      publishedAt: Date.parse('2019-03-14T09:00:00Z'),
    },
  ])
  assert.equal(
    db.$client.prepare("select quote_md from posts where slug = 'a-link'").pluck().get(),
    'Something quotable.',
  )
  assert.deepEqual(db.$client.prepare('select slug, name from tags order by slug').all(), [
    { slug: 'travel-notes', name: 'Travel Notes' },
    { slug: 'uncategorized', name: 'Uncategorized' },
  ])
  assert.equal(rowCount(db, 'post_revisions'), 3, 'each post starts its history with the imported version')

  const before = rowCounts(db)
  const second = await run(db, smallBlog())
  assert.deepEqual(rowCounts(db), before)
  assert.deepEqual(second.counts.posts, { imported: 0, unchanged: 3, matched: 0, skipped: 0, failed: 0 })
  assert.equal(second.counts.pages.unchanged, 1)
  assert.equal(second.counts.comments.unchanged, 4)
  assert.equal(second.counts.comments.imported, 0)
  assert.equal(second.counts.redirects.imported, 0)
  assert.equal(second.counts.redirects.unchanged, 10)
  assert.equal(second.counts.tags.unchanged, 2)
})

test('a slug another post has is suffixed and reported; a post already here with the same title and date is adopted', async (t: TestContext) => {
  const { db } = createTestDb(t)
  const mine = createPost(db, { title: 'My own hello', slug: 'hello-world' })
  const same = createPost(db, {
    title: 'Same post',
    slug: 'same-post',
    publishedAt: new Date('2019-03-14T09:00:00Z'),
  })
  createPage(db, { title: 'Contact me', slug: 'get-in-touch' })

  const report = await run(
    db,
    bundle([
      entry({ sourceId: '1', title: 'Hello world', slug: 'hello-world' }),
      entry({
        sourceId: '2',
        title: 'Same post',
        slug: 'same-post',
        comments: [comment({ sourceId: '21' })],
      }),
      entry({ kind: 'page', sourceId: '3', title: 'Contact', slug: 'contact', oldPaths: ['/contact'] }),
    ]),
  )
  assert.equal(report.counts.posts.imported, 1)
  assert.equal(report.counts.posts.matched, 1)
  assert.deepEqual(
    report.slugChanges.map((c) => [c.kind, c.wanted, c.slug]),
    [
      ['post', 'hello-world', 'hello-world-2'],
      ['page', 'contact', 'contact-2'],
    ],
  )
  assert.match(describeReport(report), /hello-world → hello-world-2 \(another post already has hello-world\)/)
  assert.match(describeReport(report), /contact → contact-2 \(\/contact is one of Folio’s own addresses\)/)
  assert.equal(
    db.$client.prepare('select title from posts where slug = ?').pluck().get('hello-world'),
    'My own hello',
  )
  assert.equal(rowCount(db, 'posts'), 3, 'the matching post was not copied')
  // The adopted post gets its comment and its old URLs, and counts as imported from now on.
  assert.equal(db.$client.prepare('select post_id from responses').pluck().get(), same.id)
  assert.equal(
    db.$client.prepare("select post_id from redirects where from_path = '/?p=2'").pluck().get(),
    same.id,
  )
  assert.notEqual(mine.id, same.id)
  assert.equal(
    (await run(db, bundle([entry({ sourceId: '2', title: 'Same post', slug: 'same-post' })]))).counts.posts
      .unchanged,
    1,
  )
  // Folio's own /contact stays Folio's: no redirect for it.
  assert.equal(rowCount(db, 'redirects') > 0, true)
  assert.equal(
    db.$client.prepare("select count(*) from redirects where from_path = '/contact'").pluck().get(),
    0,
  )
})

test('one bad item is reported with its reason and left out whole; the others are imported', async (t: TestContext) => {
  const { db } = createTestDb(t)
  const tooLong = entry({ sourceId: '2', title: 'Far too long', body: `<p>${'word '.repeat(50_000)}</p>` })
  // Breaks only once its post is saved: the comment's kind is one the responses table refuses.
  const breaksLate = entry({
    sourceId: '3',
    title: 'Breaks halfway',
    tags: [{ name: 'Only here', oldSlug: 'only-here' }],
    comments: [comment({ sourceId: '31', kind: 'bogus' as 'reply' })],
  })
  const report = await run(
    db,
    bundle([entry({ sourceId: '1' }), tooLong, breaksLate, entry({ sourceId: '4' })]),
  )

  assert.deepEqual(report.counts.posts, { imported: 2, unchanged: 0, matched: 0, skipped: 0, failed: 2 })
  const failures = report.problems.filter((p) => p.outcome === 'failed')
  assert.deepEqual(
    failures.map((f) => f.title),
    ['Far too long', 'Breaks halfway'],
  )
  assert.match(failures[0]?.reason ?? '', /too long/)
  assert.match(describeReport(report), /Failed[\s\S]*post “Far too long”: body: The text is too long/)
  assert.deepEqual(db.$client.prepare('select title from posts order by id').pluck().all(), [
    'Post 1',
    'Post 4',
  ])
  assert.equal(rowCount(db, 'responses'), 0)
  assert.equal(rowCount(db, 'tags'), 0, 'the tag only the failed post carried was not left behind')
  assert.equal(rowCount(db, 'post_revisions'), 2)
  assert.equal(rowCount(db, 'imported_items'), 2)
  assert.equal(
    db.$client.prepare("select count(*) from redirects where from_path in ('/?p=2', '/?p=3')").pluck().get(),
    0,
  )

  // Fixed in a later export, the failed ones come in; the others stay as they were.
  const fixed = await run(
    db,
    bundle([entry({ sourceId: '1' }), entry({ sourceId: '3', title: 'Breaks halfway' })]),
  )
  assert.equal(fixed.counts.posts.imported, 1)
  assert.equal(fixed.counts.posts.unchanged, 1)
})

test('comments arrive under their post as a thread, with the status each had and their HTML made safe', async (t: TestContext) => {
  const { app, db } = await createTestApp(t)
  await run(
    db,
    bundle([
      entry({
        sourceId: '1',
        title: 'Talked about',
        slug: 'talked-about',
        publishedAt: new Date('2019-03-14T09:00:00Z'),
        comments: [
          comment({
            sourceId: '11',
            html: 'Great post.<script>alert(1)</script><img src=x onerror=alert(2)>',
          }),
          comment({
            sourceId: '12',
            parentSourceId: '11',
            authorName: 'Bo',
            authorUrl: 'javascript:alert(3)',
            html: 'Agreed, Ada.',
          }),
          comment({ sourceId: '13', status: 'pending', html: 'Not yet approved.' }),
          comment({ sourceId: '14', status: 'spam', html: 'Buy now' }),
          comment({
            sourceId: '15',
            kind: 'mention',
            authorName: 'Other blog',
            authorUrl: 'https://other.example/post',
            html: '[…] a mention […]',
          }),
        ],
      }),
    ]),
  )
  const rows = db.$client
    .prepare(
      'select source, kind, status, author_name as name, author_url as url, source_url as sourceUrl, in_reply_to as inReplyTo, content_html as html from responses order by id',
    )
    .all() as Record<string, string>[]
  assert.deepEqual(
    rows.map((r) => [r.source, r.kind, r.status, r.name]),
    [
      ['import', 'reply', 'approved', 'Ada Reader'],
      ['import', 'reply', 'approved', 'Bo'],
      ['import', 'reply', 'pending', 'Ada Reader'],
      ['import', 'reply', 'spam', 'Ada Reader'],
      ['import', 'mention', 'approved', 'Other blog'],
    ],
  )
  assert.equal(rows[0]?.sourceUrl, 'https://old.example/2019/03/post-1#comment-11')
  assert.equal(rows[1]?.inReplyTo, 'https://old.example/2019/03/post-1#comment-11')
  assert.equal(rows[1]?.url, '', 'a javascript: address is no author page')
  assert.doesNotMatch(rows[0]?.html ?? '', /script|onerror|<img/)

  const page = await app.inject('/posts/talked-about')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /Great post\./)
  assert.match(page.body, /Agreed, Ada\./)
  assert.doesNotMatch(page.body, /Not yet approved|Buy now|alert\(/)
})

test('old URLs redirect: entries by their old permalinks, tags to their Folio tag, the old feed to the new one', async (t: TestContext) => {
  const { app, db } = await createTestApp(t)
  const report = await run(db, smallBlog())
  const checks: [string, string][] = [
    ['/2019/03/post-1/', '/posts/hello-world'],
    ['/?p=2', '/posts/second-post'],
    ['/about-me/', '/about'],
    ['/category/travel/', '/tags/travel-notes'],
    ['/feed/', '/feed.xml'],
    // A tag no imported post carries has no page: its old one leads to the list of tags.
    ['/tag/never-used/', '/tags'],
    // A post's own feed and AMP copy, and the old search.
    ['/2019/03/post-1/feed/', '/posts/hello-world'],
    ['/2019/03/post-1/amp/', '/posts/hello-world'],
    ['/?s=travel+notes', '/search?q=travel%20notes'],
  ]
  for (const [from, to] of checks) {
    const response = await app.inject(from)
    assert.equal(response.statusCode, 301, from)
    assert.equal(response.headers.location, to, from)
  }
  assert.ok(report.problems.some((p) => p.kind === 'tags' && p.title === 'Never used'))
  assert.equal((await app.inject('/2019/03/nothing-here/feed/')).statusCode, 404)
})

test('a dry run makes the same decisions as the import and writes nothing', async (t: TestContext) => {
  const { db } = createTestDb(t)
  createPost(db, { title: 'My own hello', slug: 'hello-world' })
  const before = rowCounts(db)
  const dry = await run(db, smallBlog(), true)
  assert.deepEqual(rowCounts(db), before)
  assert.equal(dry.dryRun, true)
  assert.match(describeReport(dry), /^Dry run of export\.xml/)
  assert.match(describeReport(dry), /posts: +3 would be imported/)

  const real = await run(db, smallBlog())
  assert.deepEqual(dry.counts, real.counts)
  assert.deepEqual(dry.slugChanges, real.slugChanges)
})

test('the same entry twice in one export is imported once; a feature image that cannot be fetched is reported', async (t: TestContext) => {
  const { db } = createTestDb(t)
  const report = await run(
    db,
    bundle([
      entry({
        sourceId: '7',
        featureImageUrl: 'https://old.example/gone.jpg',
        bodyFormat: 'wordpress',
        body: 'Form: [contact-form to="me"]\n\n<details><summary>More</summary>Hidden.</details><script>alert(1)</script>',
      }),
      entry({ sourceId: '7' }),
      entry({
        kind: 'page',
        sourceId: '8',
        title: 'Guestbook',
        comments: [comment({ sourceId: '81' }), comment({ sourceId: '82' })],
      }),
    ]),
  )
  assert.equal(report.counts.posts.imported, 1)
  assert.equal(report.counts.posts.skipped, 1)
  assert.equal(report.counts.comments.skipped, 2)
  assert.deepEqual(report.images.missing, [{ url: 'https://old.example/gone.jpg', reason: 'HTTP 404' }])
  assert.equal(report.counts.images.failed, 1)
  const text = describeReport(report)
  assert.match(text, /post “Post 7”: the export holds post 7 twice/)
  assert.match(text, /https:\/\/old\.example\/gone\.jpg: HTTP 404/)
  assert.match(text, /Kept as HTML[\s\S]*details: “Post 7”/)
  assert.match(text, /Removed \(not safe or not showable\):\n {2}script: “Post 7”/)
  assert.deepEqual(report.removed, [{ title: 'Post 7', items: ['script'] }])
  assert.match(text, /Shortcodes left as they were[\s\S]*\[contact-form to="me"\]: “Post 7”/)
  assert.match(text, /Guestbook[\s\S]*Folio shows responses under posts only/)
  // Not imported, but not lost: the JSON report keeps every comment on a page.
  assert.deepEqual(report.pageComments, [
    {
      page: 'Guestbook',
      author: 'Ada Reader',
      authorUrl: 'https://ada.example/',
      date: '2019-03-15T10:00:00.000Z',
      status: 'approved',
      text: 'Comment 81.',
    },
    {
      page: 'Guestbook',
      author: 'Ada Reader',
      authorUrl: 'https://ada.example/',
      date: '2019-03-15T10:00:00.000Z',
      status: 'approved',
      text: 'Comment 82.',
    },
  ])
  assert.match(text, /2 comments on 1 page were not imported[^\n]*--report FILE/)
  assert.match(describeReport(report, 'report.json'), /report\.json keeps each one’s author, date and words/)
})

test('a quote post keeps its quotation with the attribution under it, as WordPress showed it', async (t: TestContext) => {
  const { app, db } = await createTestApp(t)
  // Post 575 of WordPress's theme unit test data, as the reader hands it over.
  await run(
    db,
    bundle([
      entry({
        sourceId: '575',
        title: 'Post Format: Quote',
        slug: 'post-format-quote',
        bodyFormat: 'wordpress',
        body: '',
        linkUrl: 'http://www.brainyquote.com/quotes/quotes/m/marktwain163473.html',
        quoteHtml:
          'Only one thing is impossible for God: To find any sense in any copyright law on the planet.\n<cite><a href="http://www.brainyquote.com/quotes/quotes/m/marktwain163473.html">Mark Twain</a></cite>',
      }),
    ]),
  )
  assert.equal(
    db.$client.prepare("select quote_md from posts where slug = 'post-format-quote'").pluck().get(),
    'Only one thing is impossible for God: To find any sense in any copyright law on the planet.  \n— [Mark Twain](http://www.brainyquote.com/quotes/quotes/m/marktwain163473.html)',
  )
  const page = await app.inject('/posts/post-format-quote')
  assert.equal(page.statusCode, 200)
  assert.match(
    page.body,
    /copyright law on the planet\.<br \/>— <a href="http:\/\/www\.brainyquote\.com[^"]*"[^>]*>Mark Twain<\/a>/,
  )
})

test('imported comments read as said under the post: no link to the old blog’s copy; a pingback links the page that linked', async (t: TestContext) => {
  const { app, db } = await createTestApp(t)
  await run(
    db,
    bundle([
      entry({
        sourceId: '1',
        title: 'Answered',
        slug: 'answered',
        comments: [
          comment({ sourceId: '11', html: 'Thanks for this.' }),
          comment({
            sourceId: '12',
            kind: 'mention',
            authorName: 'Other blog',
            authorUrl: 'https://other.example/2019/a-reply',
            html: '[…] as Ann wrote […]',
          }),
        ],
      }),
    ]),
  )
  const page = await app.inject('/posts/answered')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /Thanks for this\./)
  assert.doesNotMatch(page.body, /#comment-1[12]/, 'the old blog’s addresses are only keys')
  assert.doesNotMatch(page.body, /on old\.example/)
  assert.match(
    page.body,
    /<a href="https:\/\/other\.example\/2019\/a-reply" rel="[^"]*">on other\.example<\/a>/,
  )
})

test('tags past Folio’s limit and tags without an address are named in the report; their old pages lead to the list of tags', async (t: TestContext) => {
  const { app, db } = await createTestApp(t)
  const many = Array.from({ length: 22 }, (_, i) => ({ name: `Topic ${i + 1}`, oldSlug: `topic-${i + 1}` }))
  const report = await run(
    db,
    bundle([entry({ sourceId: '1', tags: [...many, { name: '!!!', oldSlug: 'bangs' }] })], {
      tags: [...many, { name: '!!!', oldSlug: 'bangs' }].map((tag) => ({
        ...tag,
        oldPaths: [`/tag/${tag.oldSlug}`],
      })),
    }),
  )
  assert.equal(rowCount(db, 'tags'), 20)
  const notes = report.entryNotes.map((n) => n.note)
  assert.ok(
    notes.includes('22 tags: only the first 20 were kept; left out: “Topic 21”, “Topic 22”'),
    notes.join('\n'),
  )
  assert.ok(notes.includes('tag “!!!” left out: a tag needs a letter or digit for its address'))
  assert.ok(report.problems.some((p) => p.kind === 'tags' && p.title === '!!!'))
  const moved: [string, string][] = [
    ['/tag/topic-1/', '/tags/topic-1'],
    ['/tag/topic-22/', '/tags'],
  ]
  for (const [old, to] of moved) {
    const response = await app.inject(old)
    assert.equal(response.statusCode, 301, old)
    assert.equal(response.headers.location, to, old)
  }
  assert.match(describeReport(report), /Topic 21/)
})

test('a big blog’s report stays readable: lines grouped and cut short, every one of them still in the JSON', async (t: TestContext) => {
  const { db } = createTestDb(t)
  const entries = Array.from({ length: 40 }, (_, i) =>
    entry({
      sourceId: String(1000 + i),
      title: `Old post ${i + 1}`,
      notes: ['sticky on the old site'],
      body: `<p>Post ${i}</p><iframe src="https://video.example/${i}"></iframe><details><summary>s</summary>x</details>`,
    }),
  )
  const missing = (html: string) =>
    Array.from(html.matchAll(/<img src="([^"]+)"/g), (m) => ({
      url: m[1] ?? '',
      reason: 'the server answered 404',
    }))
  const lossy: ImageSteps = {
    ...images,
    localizeImages: async (html) => ({ html, fetched: [], reused: [], missing: missing(html) }),
  }
  // 25 images gone from the old site, and one each from 15 other hosts.
  const withImages = entries.map((e, i) => {
    const host = i < 25 ? 'old.example/wp-content/uploads' : `cdn${i}.example`
    return { ...e, body: `${e.body}<img src="https://${host}/${i}.jpg">` }
  })
  const report = await applyBundle(db, bundle(withImages), {
    file: 'big.xml',
    dryRun: false,
    images: lossy,
    now: NOW,
  })
  const text = describeReport(report, 'big.json')
  assert.match(text, /40 posts \(“Old post 1”, “Old post 2”, [^)]* and 32 more\): sticky on the old site/)
  assert.match(
    text,
    /25 images on old\.example: the server answered 404 \(https:\/\/old\.example\/wp-content\/uploads\/0\.jpg, [^)]* and 22 more\)/,
  )
  assert.match(
    text,
    /https:\/\/cdn33\.example\/33\.jpg: the server answered 404\n {2}… and 6 more \(all in big\.json\)/,
  )
  assert.match(text, /details: 40 entries, “Old post 1”, [^\n]* and 32 more/)
  for (const [heading, lines] of text
    .split('\n\n')
    .map((s) => [s.split('\n')[0], s.split('\n').length - 1] as const))
    assert.ok(lines <= 11, `${heading}: ${lines} lines`)
  assert.equal(report.images.missing.length, 40)
  assert.equal(report.entryNotes.length, 40)
  assert.equal(report.keptHtml.length, 40)
})

test('a second import brings in the images the first could not have; a post edited since is left as it is, noted', async (t: TestContext) => {
  const { app, db, config } = await createTestApp(t, { FETCH_ALLOW_PRIVATE: 'true' })
  // The old site is down: every image answers 404.
  const asked: string[] = []
  const server = createServer((request, response) => {
    asked.push(request.url ?? '')
    response.writeHead(404).end()
  })
  const origin = await listenOnLoopback(t, server)
  const pictured = (sourceId: string, slug: string, file: string) =>
    entry({
      sourceId,
      title: `About ${file}`,
      slug,
      body: `<p>Look:</p><p><img src="${origin}/wp-content/uploads/2019/03/${file}" alt="A picture"></p>`,
    })
  const blog = bundle([pictured('1', 'as-imported', 'pic.jpg'), pictured('2', 'edited-since', 'other.jpg')], {
    source: `wordpress ${origin}`,
    siteUrl: origin,
  })
  const importAt = (now: Date, localDir?: string) =>
    applyBundle(db, blog, {
      file: 'export.xml',
      dryRun: false,
      images: imageStepsFor(db, config, {
        source: blog.source,
        localDir,
        oldUrl: origin,
        dryRun: false,
        now,
      }),
      now,
    })
  const bodyOf = (slug: string) =>
    db.$client.prepare('select body_md from posts where slug = ?').pluck().get(slug) as string

  const first = await importAt(NOW)
  assert.equal(first.counts.images.failed, 2)
  assert.match(bodyOf('as-imported'), new RegExp(`\\(${origin}/wp-content/uploads/2019/03/pic\\.jpg\\)`))
  // The author edits one of them on Folio.
  const editedId = db.$client
    .prepare("select id from posts where slug = 'edited-since'")
    .pluck()
    .get() as number
  const content = loadPostContent(db, editedId)
  assert.ok(content)
  const later = new Date(NOW.getTime() + 60_000)
  savePost(
    db,
    { ...revisionAsInput(content, content), bodyMd: `${content.bodyMd}\n\nAn edit.` },
    { id: editedId, now: later },
  )

  // The operator found a copy of the uploads folder.
  const uploads = join(dirname(config.mediaDir), 'uploads')
  for (const file of ['pic.jpg', 'other.jpg']) {
    mkdirSync(join(uploads, '2019', '03'), { recursive: true })
    writeFileSync(join(uploads, '2019', '03', file), await testImage('jpeg', 80, 60))
  }
  const askedBefore = asked.length
  const revisionsBefore = rowCount(db, 'post_revisions')
  const second = await importAt(new Date(NOW.getTime() + 120_000), uploads)
  assert.deepEqual(second.counts.posts, { imported: 0, unchanged: 2, matched: 0, skipped: 0, failed: 0 })
  assert.equal(second.counts.images.imported, 1)
  assert.equal(asked.length, askedBefore, 'read from the folder, not fetched')
  assert.match(bodyOf('as-imported'), /^Look:\n\n!\[A picture\]\(\/media\/[^)]+\)$/)
  assert.equal(rowCount(db, 'post_revisions'), revisionsBefore + 1, 'saved like an edit, with its revision')
  const page = await app.inject('/posts/as-imported')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<img [^>]*src="\/media\/[^"]+"/)
  assert.doesNotMatch(page.body, /wp-content\/uploads/)
  // The edited one keeps the author's text and says why its picture still points away.
  assert.match(bodyOf('edited-since'), /other\.jpg\)\n\nAn edit\.$/)
  assert.ok(
    second.entryNotes.some(
      (n) =>
        n.title === 'About other.jpg' &&
        n.note ===
          '1 image from an earlier import still points at the old site: edited on Folio since, so left as it is',
    ),
  )
  assert.match(describeReport(second), /1 image from an earlier import still points at the old site/)
  // The old site's address of the picture brought in now leads to the library's copy.
  const oldImage = await app.inject('/wp-content/uploads/2019/03/pic.jpg')
  assert.equal(oldImage.statusCode, 301)
  assert.match(String(oldImage.headers.location), /^\/media\/[^/]+$/)
  // So does a resized copy the old site made of it.
  const resized = await app.inject('/wp-content/uploads/2019/03/pic-300x225.jpg')
  assert.equal(resized.statusCode, 301)
  assert.equal(resized.headers.location, oldImage.headers.location)

  // A third run has nothing left to do.
  const before = rowCounts(db)
  const third = await importAt(new Date(NOW.getTime() + 180_000), uploads)
  assert.deepEqual(rowCounts(db), before)
  assert.equal(third.counts.images.imported, 0)
  assert.equal(asked.length, askedBefore)
})
