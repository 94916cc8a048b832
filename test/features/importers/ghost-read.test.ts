// Checks reading a Ghost export (JSON, Ghost 1 to 6) into an import bundle: posts and pages, statuses, bodies, tags, old URLs, and the files it refuses.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { readGhostExport } from '../../../src/features/importers/ghost.ts'
import {
  type ImportBundle,
  type ImportedEntry,
  ImportFileError,
} from '../../../src/features/importers/model.ts'

const HANDMADE = join(import.meta.dirname, '../../fixtures/imports/handmade')
const fixture = (name: string) => readFileSync(join(HANDMADE, name), 'utf8')
const small = (oldUrl?: string): ImportBundle =>
  readGhostExport(fixture('ghost-small.json'), oldUrl ? { oldUrl } : {})

function entry(bundle: ImportBundle, slug: string): ImportedEntry {
  const found = bundle.entries.find((e) => e.slug === slug)
  assert.ok(found, `entry ${slug}`)
  return found
}

test('a post keeps its title, slug, date, HTML, custom excerpt, feature image, tags and meta description', () => {
  const welcome = entry(small(), 'welcome')
  assert.equal(welcome.kind, 'post')
  assert.equal(welcome.sourceId, '0b9c3b6e-0001-4000-8000-000000000001')
  assert.equal(welcome.title, 'Welcome to the new place')
  assert.equal(welcome.status, 'published')
  assert.equal(welcome.publishedAt?.toISOString(), '2024-01-10T10:30:00.000Z')
  assert.equal(welcome.bodyFormat, 'html')
  assert.equal(welcome.excerpt, 'Why I moved.')
  assert.equal(welcome.metaDescription, 'A new home for old notes.')
  assert.deepEqual(welcome.tags, [
    { name: 'Travel Notes', oldSlug: 'travel-notes' },
    { name: 'Café', oldSlug: 'cafe' },
  ])
  assert.ok(welcome.notes.includes('featured on Ghost'))
  assert.ok(welcome.notes.includes('its meta title “Welcome | Old Notes” was not imported'))
})

test('pages are pages, in Ghost 5’s type column and Ghost 1’s page flag alike', () => {
  assert.equal(entry(small(), 'about').kind, 'page')
  const old = readGhostExport(fixture('ghost-v1-bare.json'))
  assert.equal(entry(old, 'colophon').kind, 'page')
  assert.equal(entry(old, 'old-style').kind, 'post')
})

test('__GHOST_URL__ becomes the old site’s address when given, else stays a path on the site', () => {
  const relative = entry(small(), 'welcome')
  assert.match(relative.body, /<img src="\/content\/images\/2024\/01\/harbour\.jpg"/)
  assert.match(relative.body, /href="\/about\/"/)
  assert.equal(relative.featureImageUrl, '/content/images/2024/01/cover.jpg')
  const absolute = entry(small('https://old.example/blog/'), 'welcome')
  assert.match(
    absolute.body,
    /<img src="https:\/\/old\.example\/blog\/content\/images\/2024\/01\/harbour\.jpg"/,
  )
  assert.match(
    absolute.body,
    /href="\/blog\/about\/"/,
    'a link to a page stays on Folio, where its redirect answers',
  )
  assert.equal(absolute.featureImageUrl, 'https://old.example/blog/content/images/2024/01/cover.jpg')
  assert.doesNotMatch(JSON.stringify(small()), /__GHOST_URL__/)
})

/** A Ghost export of the given tables, as Ghost Admin writes it. */
const ghostExport = (data: Record<string, unknown>): string =>
  JSON.stringify({ db: [{ meta: { version: '5.80.0' }, data: { posts: [], ...data } }] })

test('links to the old site’s own pages become root-relative, so Folio’s redirects answer them; files and other sites stay', () => {
  const html = [
    '<a href="https://old.example/blog/2019/03/hello/">a post</a>',
    "<a href='http://www.old.example/blog/tag/travel/#top'>a tag</a>",
    '<a href="https://old.example/blog">the home page</a>',
    '<a href="__GHOST_URL__/hello/?ref=x">the placeholder</a>',
    '<a href="https://old.example/shop/">the shop, outside the blog</a>',
    '<a href="https://old.example/blog/content/files/2019/report.pdf">a file</a>',
    '<a href="__GHOST_URL__/content/files/notes.pdf">a placeholder file</a>',
    '<a href="https://old.example.net/blog/x/">another site</a>',
    '<a href="mailto:me@old.example">mail</a>',
  ].join('\n')
  const bundle = readGhostExport(
    ghostExport({ posts: [{ id: 'p1', slug: 'links', title: 'Links', html }] }),
    {
      oldUrl: 'https://old.example/blog',
    },
  )
  assert.deepEqual(
    [...entry(bundle, 'links').body.matchAll(/href=["']([^"']*)["']/g)].map((m) => m[1]),
    [
      '/blog/2019/03/hello/',
      '/blog/tag/travel/#top',
      '/blog',
      '/blog/hello/?ref=x',
      'https://old.example/shop/',
      'https://old.example/blog/content/files/2019/report.pdf',
      'https://old.example/blog/content/files/notes.pdf',
      'https://old.example.net/blog/x/',
      'mailto:me@old.example',
    ],
  )
})

test('posts and comments are remembered by their uuid, so two Ghost 1 blogs’ post 1 never meet; by id when there is none', () => {
  const blog = (uuid: string) =>
    readGhostExport(
      ghostExport({
        posts: [
          { id: 1, uuid, slug: 'hello', title: 'Hello', html: '<p>Hi</p>' },
          { id: 2, slug: 'no-uuid', title: 'No uuid', html: '<p>Old</p>' },
        ],
        comments: [
          { id: 'c1', uuid: `${uuid}-c1`, post_id: 1, status: 'published', html: '<p>First</p>' },
          { id: 'c2', post_id: 1, parent_id: 'c1', status: 'published', html: '<p>Reply</p>' },
          { id: 'c3', post_id: 1, parent_id: 'gone', status: 'published', html: '<p>Orphan</p>' },
        ],
      }),
    )
  const first = blog('aaaaaaaa-0000-4000-8000-000000000001')
  const second = blog('bbbbbbbb-0000-4000-8000-000000000001')
  assert.equal(entry(first, 'hello').sourceId, 'aaaaaaaa-0000-4000-8000-000000000001')
  assert.notEqual(entry(first, 'hello').sourceId, entry(second, 'hello').sourceId)
  assert.equal(entry(first, 'no-uuid').sourceId, '2')
  assert.deepEqual(
    entry(first, 'hello').comments.map((c) => [c.sourceId, c.parentSourceId]),
    [
      ['aaaaaaaa-0000-4000-8000-000000000001-c1', ''],
      ['c2', 'aaaaaaaa-0000-4000-8000-000000000001-c1'],
      ['c3', ''],
    ],
  )
})

test('script and event handlers in the HTML are passed on untouched, for the sanitiser downstream', () => {
  assert.match(entry(small(), 'welcome').body, /onerror="alert\(1\)"><script>alert\(2\)<\/script>/)
})

test('internal tags (#name, or marked internal) are left out of posts and of the tag list', () => {
  const bundle = small()
  assert.deepEqual(
    bundle.tags.map((t) => t.name),
    ['Travel Notes', 'Café'],
  )
  assert.deepEqual(entry(bundle, 'half-written').tags, [])
})

test('drafts stay drafts, scheduled posts stay scheduled, emailed posts are published with a note', () => {
  const bundle = small()
  assert.equal(entry(bundle, 'half-written').status, 'draft')
  assert.equal(entry(bundle, 'half-written').publishedAt, null)
  assert.equal(entry(bundle, 'next-week').status, 'scheduled')
  const sent = entry(bundle, 'only-in-the-inbox')
  assert.equal(sent.status, 'published')
  assert.ok(sent.notes.some((n) => n.startsWith('sent as an email only')))
})

test('a members-only post comes in as a draft, so paid writing is not published to everyone', () => {
  const paid = entry(small(), 'for-paying-readers')
  assert.equal(paid.status, 'draft')
  assert.ok(paid.notes.some((n) => n.includes('members only')))
})

test('a post without HTML uses its plain text as escaped paragraphs; one with neither is skipped', () => {
  const plain = entry(small(), 'plain-words')
  assert.equal(plain.body, '<p>First paragraph &amp; more.</p>\n<p>Second &lt;one&gt;.</p>')
  assert.ok(plain.notes.some((n) => n.includes('plain text')))
  assert.deepEqual(small().skipped, [
    {
      kind: 'post',
      sourceId: '6500000000000000000000a8',
      title: 'Editor format only',
      reason: 'no HTML in the export',
    },
  ])
})

test('posts and pages answer at /slug, posts at /slug/amp too, under the old site’s folder', () => {
  assert.deepEqual(entry(small(), 'welcome').oldPaths, ['/welcome', '/welcome/amp'])
  assert.deepEqual(entry(small(), 'about').oldPaths, ['/about'])
  assert.deepEqual(entry(small('https://old.example/blog'), 'about').oldPaths, ['/blog/about'])
})

test('tag pages, tag and author feeds, author pages, /rss and the sitemaps lead somewhere on Folio', () => {
  const bundle = small()
  assert.deepEqual(bundle.tags.find((t) => t.name === 'Café')?.oldPaths, ['/tag/cafe'])
  const redirects = new Map(bundle.pathRedirects.map((r) => [r.fromPath, r.toPath]))
  assert.equal(redirects.get('/rss'), '/rss.xml')
  assert.equal(redirects.get('/tag/travel-notes/rss'), '/rss.xml')
  assert.equal(redirects.get('/author/ann'), '/')
  assert.equal(redirects.get('/author/bo/rss'), '/rss.xml')
  assert.equal(redirects.get('/sitemap-posts.xml'), '/sitemap.xml')
  assert.equal(redirects.has('/tag/hash-hero'), false)
  assert.equal(redirects.has('/author/never'), false, 'only the staff who wrote posts')
})

test('the authors of the posts are noted as mapped to you, and the source is Ghost', () => {
  const bundle = small()
  assert.deepEqual(bundle.notes, ['2 authors mapped to you: Ann Writer and Bo Guest.'])
  assert.equal(bundle.source, 'ghost')
  assert.equal(bundle.siteUrl, '')
  assert.equal(small('https://old.example/').siteUrl, 'https://old.example')
})

test('Ghost’s own comments come in threaded, hidden ones pending, deleted ones not at all, no email', () => {
  const comments = entry(small(), 'welcome').comments
  assert.deepEqual(
    comments.map((c) => [c.sourceId, c.parentSourceId, c.status, c.authorName]),
    [
      ['c1', '', 'approved', 'Reader One'],
      ['c2', 'c1', 'pending', 'A member'],
    ],
  )
  assert.doesNotMatch(JSON.stringify(small()), /one@reader\.example|ann@old\.example/)
})

test('a bare Ghost 1 export reads meta on the post, millisecond dates and its dated permalinks', () => {
  const old = readGhostExport(fixture('ghost-v1-bare.json'))
  const post = entry(old, 'old-style')
  assert.equal(post.sourceId, '1')
  assert.equal(post.metaDescription, 'Said in 2017.')
  assert.equal(post.publishedAt?.toISOString(), '2017-07-14T02:40:00.000Z')
  assert.deepEqual(post.tags, [{ name: 'Notes', oldSlug: 'notes' }])
  assert.deepEqual(post.oldPaths, ['/old-style', '/old-style/amp', '/2017/07/14/old-style'])
  assert.deepEqual(old.notes, ['1 author mapped to you: Cy Old.'])
})

test('text that is not JSON is refused with where it breaks and what a Ghost export is', () => {
  assert.throws(
    () => readGhostExport('{\n  "db": [\n    { "data": { "posts": [], } }\n  ]\n}'),
    (error: unknown) =>
      error instanceof ImportFileError &&
      /not valid JSON \(line 3/.test(error.message) &&
      /Ghost/.test(error.message),
  )
  assert.throws(
    () => readGhostExport('{ "db": [ { "data": { "posts": [ } } ] }'),
    (error: unknown) => error instanceof ImportFileError && /"posts": \[ \}/.test(error.message),
  )
  assert.throws(() => readGhostExport(''), ImportFileError)
})

test('JSON that is not a Ghost export is refused saying what was expected', () => {
  for (const json of ['[]', '{"posts": []}', '{"db": [{"data": {}}]}', '{"db": []}', 'null', '"text"']) {
    assert.throws(
      () => readGhostExport(json),
      (error: unknown) => error instanceof ImportFileError && /not a Ghost export/.test(error.message),
      json,
    )
  }
})

test('an old-site address that is not http(s) is refused rather than written into every image', () => {
  assert.throws(() => small('javascript:alert(1)'), /--old-url must be/)
})

// Ghost's own export fixtures (see test/fixtures/imports/README.md).
const REAL = join(import.meta.dirname, '../../fixtures/imports')

for (const name of ['ghost-v4.json', 'ghost-v5.json']) {
  test(`Ghost’s ${name} reads every post and page, with bodies, images and old paths and no placeholder left`, () => {
    const bundle = readGhostExport(readFileSync(join(REAL, name), 'utf8'), {
      oldUrl: 'https://ghost.example',
    })
    assert.ok(bundle.entries.length >= 3)
    assert.ok(bundle.entries.some((e) => e.kind === 'page'))
    for (const e of bundle.entries) {
      assert.ok(e.body.length > 0, e.slug)
      assert.ok(e.oldPaths.includes(`/${e.slug}`), e.slug)
    }
    assert.doesNotMatch(JSON.stringify(bundle), /__GHOST_URL__/)
    assert.ok(bundle.tags.every((t) => !t.name.startsWith('#')))
    assert.ok(bundle.notes.some((n) => n.includes('mapped to you')))
  })
}

test('the hand-made Ghost 5 export without HTML: plain text escaped, nothing at all skipped, an empty page kept', () => {
  const bundle = readGhostExport(readFileSync(join(REAL, 'hostile', 'ghost-missing-html.json'), 'utf8'))
  assert.match(entry(bundle, 'only-plaintext').body, /&lt;angle brackets&gt; &amp;/)
  assert.deepEqual(
    bundle.skipped.map((s) => s.reason),
    ['no HTML in the export'],
  )
  assert.equal(entry(bundle, 'empty-page').kind, 'page')
  assert.equal(entry(bundle, 'empty-page').body, '')
  assert.ok(!bundle.tags.some((t) => t.name === '#hidden'))
  assert.equal(entry(bundle, 'normal-post').featureImageUrl, '/content/images/2024/01/cover.jpg')
})

test('a WordPress REST dump is refused as not a Ghost export', () => {
  assert.throws(
    () => readGhostExport(readFileSync(join(REAL, 'hostile', 'not-ghost.json'), 'utf8')),
    /not a Ghost export/,
  )
})
