// Checks reading a WordPress export (WXR) into an import bundle: entries, statuses, pages, formats, comments, old URLs, and the files it refuses.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { MAX_EXPORT_BYTES, readExportFile } from '../../../src/features/importers/export-file.ts'
import {
  type ImportBundle,
  type ImportedEntry,
  ImportFileError,
} from '../../../src/features/importers/model.ts'
import { readWordPressExport } from '../../../src/features/importers/wordpress.ts'
import { scratchDir } from '../../helpers/app.ts'

const HANDMADE = join(import.meta.dirname, '../../fixtures/imports/handmade')
const small = (): ImportBundle =>
  readWordPressExport(readFileSync(join(HANDMADE, 'wordpress-small.xml'), 'utf8'))

function entry(bundle: ImportBundle, sourceId: string): ImportedEntry {
  const found = bundle.entries.find((e) => e.sourceId === sourceId)
  assert.ok(found, `entry ${sourceId}`)
  return found
}

/** A minimal export around `items`, for the cases the hand-made file does not hold. */
function wxr(items: string, site = 'https://old.example'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>T</title><link>${site}</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>${site}</wp:base_blog_url>${items}</channel></rss>`
}

function post(fields: Record<string, string>, extra = ''): string {
  const all: Record<string, string> = {
    'wp:post_id': '1',
    'wp:post_type': 'post',
    'wp:status': 'publish',
    'wp:post_name': 'a-post',
    'wp:post_date': '2020-02-03 04:05:06',
    'wp:post_date_gmt': '2020-02-03 03:05:06',
    title: 'A post',
    'content:encoded': '',
    ...fields,
  }
  const elements = Object.entries(all).map(([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`)
  return `<item>${elements.join('')}${extra}</item>`
}

test('a published post keeps its title, slug, GMT date, excerpt, meta description and feature image', () => {
  const hello = entry(small(), '10')
  assert.equal(hello.kind, 'post')
  assert.equal(hello.title, 'Hello & welcome…')
  assert.equal(hello.slug, 'hello-welcome')
  assert.equal(hello.status, 'published')
  assert.equal(hello.publishedAt?.toISOString(), '2019-03-05T08:30:00.000Z')
  assert.equal(hello.excerpt, 'A short <em>hello</em>.')
  assert.equal(hello.metaDescription, 'Where it all began.')
  assert.equal(hello.bodyFormat, 'wordpress')
  assert.match(hello.body, /\[gallery columns="2"\]/)
  assert.equal(hello.featureImageUrl, 'https://old.example/wp-content/uploads/2019/03/harbour.jpg')
  assert.deepEqual(hello.attachedImages, ['https://old.example/wp-content/uploads/2019/03/harbour.jpg'])
  assert.ok(hello.notes.includes('sticky on the old site'))
})

test('a post answers at its link, /?p=ID and the day, month, name and numeric permalinks', () => {
  assert.deepEqual(entry(small(), '10').oldPaths, [
    '/2019/03/05/hello-welcome',
    '/?p=10',
    '/2019/03/hello-welcome',
    '/hello-welcome',
    '/archives/10',
  ])
})

test('script and event handlers in content are passed on untouched, for the sanitiser downstream', () => {
  const body = entry(small(), '10').body
  assert.match(body, /<script>alert\('kept for the sanitiser'\)<\/script>/)
  assert.match(body, /onerror="alert\(1\)"/)
})

test('categories and tags both become tags, once each by name, and the default category becomes none', () => {
  const bundle = small()
  assert.deepEqual(entry(bundle, '10').tags, [
    { name: 'Local News', oldSlug: 'local' },
    { name: 'Travel Notes', oldSlug: 'travel-notes' },
    { name: 'Café', oldSlug: 'café' },
  ])
  assert.deepEqual(entry(bundle, '24').tags, [{ name: 'News', oldSlug: 'news' }])
  const news = bundle.tags.find((t) => t.name === 'News')
  assert.deepEqual(news?.oldPaths, ['/category/news', '/?cat=3', '/tag/news-2', '/?tag=news-2'])
  const local = bundle.tags.find((t) => t.name === 'Local News')
  assert.deepEqual(local?.oldPaths, ['/category/news/local', '/category/local', '/?cat=4'])
  assert.ok(
    bundle.tags.some((t) => t.name === 'Never Used'),
    'an unused category still had a page',
  )
  assert.ok(!bundle.tags.some((t) => t.name === 'Uncategorized'))
  const toPosts = bundle.pathRedirects.filter((r) => r.toPath === '/posts').map((r) => r.fromPath)
  assert.deepEqual(toPosts, ['/category/uncategorized', '/?cat=1'])
  assert.ok(bundle.notes.some((n) => n.includes('Uncategorized')))
})

test('nested pages are flattened into parent-child slugs and say which page they were under', () => {
  const bundle = small()
  const [about, team, lead] = ['20', '21', '22'].map((id) => entry(bundle, id))
  assert.equal(about?.slug, 'about')
  assert.equal(team?.slug, 'about-team')
  assert.equal(lead?.slug, 'about-team-lead')
  assert.ok(team?.notes.includes('was under About'))
  assert.ok(lead?.notes.includes('was under About › The Team'))
  assert.deepEqual(lead?.oldPaths, ['/about/team/lead', '/?page_id=22'])
  assert.equal(lead?.kind, 'page')
})

test('scheduled, draft, pending, private and password-protected posts get the status Folio can show', () => {
  const bundle = small()
  const status = (id: string) => entry(bundle, id).status
  assert.equal(status('17'), 'scheduled')
  assert.equal(status('16'), 'draft')
  assert.equal(status('18'), 'draft')
  assert.ok(entry(bundle, '18').notes.includes('pending review on the old site: imported as a draft'))
  assert.equal(status('14'), 'draft')
  assert.ok(entry(bundle, '14').notes.includes('private on the old site: imported as a draft'))
  assert.equal(status('15'), 'draft')
  assert.ok(entry(bundle, '15').notes.includes('password-protected on the old site: imported as a draft'))
})

test('trashed posts, auto-drafts, attachments, menu items and reusable blocks are skipped with a reason', () => {
  const reasons = new Map(small().skipped.map((s) => [s.sourceId, `${s.kind}: ${s.reason}`]))
  assert.equal(reasons.get('19'), 'post: in the trash on the old site')
  assert.equal(reasons.get('23'), 'post: an empty draft WordPress saved on its own')
  assert.equal(reasons.get('30'), 'attachment: attachment (its image comes in with the posts that use it)')
  assert.match(reasons.get('31') ?? '', /^attachment: attachment \(a file/)
  assert.match(reasons.get('40') ?? '', /^nav_menu_item: a menu item/)
  assert.match(reasons.get('41') ?? '', /^wp_block: a reusable block/)
  assert.ok(!small().entries.some((e) => ['19', '23', '30', '40'].includes(e.sourceId)))
})

test('attachments are kept by id for galleries and feature images', () => {
  assert.deepEqual(
    { ...small().attachmentUrls },
    {
      '30': 'https://old.example/wp-content/uploads/2019/03/harbour.jpg',
      '31': 'https://old.example/wp-content/uploads/2019/03/menu.pdf',
    },
  )
})

test('a draft with no GMT date keeps its local date; a published one notes it was read as UTC', () => {
  assert.equal(entry(small(), '16').publishedAt?.toISOString(), '2019-06-01T09:00:00.000Z')
  assert.deepEqual(entry(small(), '16').notes, [])
  const bundle = readWordPressExport(wxr(post({ 'wp:post_date_gmt': '0000-00-00 00:00:00' })))
  const only = bundle.entries[0]
  assert.equal(only?.publishedAt?.toISOString(), '2020-02-03T04:05:06.000Z')
  assert.ok(only?.notes.some((n) => n.includes('read as UTC')))
})

test('comments keep their status and thread, pingbacks become mentions, trashed ones are left out, emails never kept', () => {
  const hello = entry(small(), '10')
  const byId = new Map(hello.comments.map((c) => [c.sourceId, c]))
  assert.deepEqual([...byId.keys()], ['100', '101', '102', '103', '105', '106'])
  assert.equal(byId.get('100')?.status, 'approved')
  assert.equal(byId.get('100')?.authorUrl, 'https://reader.example/')
  assert.equal(byId.get('101')?.parentSourceId, '100')
  assert.equal(byId.get('101')?.authorUrl, '', 'a javascript: URL is not a site')
  assert.equal(byId.get('102')?.status, 'pending')
  assert.equal(byId.get('102')?.publishedAt?.toISOString(), '2019-03-06T10:00:00.000Z')
  assert.equal(byId.get('103')?.status, 'spam')
  assert.equal(byId.get('105')?.kind, 'mention')
  assert.equal(byId.get('105')?.authorName, "Weekly Links « Someone's Blog")
  assert.equal(byId.get('106')?.parentSourceId, '', 'its parent was trashed')
  assert.ok(hello.notes.includes('1 trashed comment left out'))
  assert.doesNotMatch(JSON.stringify(small()), /one@reader\.example|ann@old\.example/)
})

test('a link-format post links to the first URL in it and keeps the rest as its body', () => {
  const link = entry(small(), '11')
  assert.equal(link.linkUrl, 'https://example.com/article?a=1&b=2')
  assert.equal(link.body, 'Worth reading for the second half.')
  const inSentence = readWordPressExport(
    wxr(
      post(
        { 'content:encoded': 'Read <a href="https://a.example/x">this piece</a> today.' },
        '<category domain="post_format" nicename="post-format-link">Link</category>',
      ),
    ),
  ).entries[0]
  assert.equal(inSentence?.linkUrl, 'https://a.example/x')
  assert.equal(inSentence?.body, 'Read <a href="https://a.example/x">this piece</a> today.')
  const noLink = readWordPressExport(
    wxr(
      post(
        { 'content:encoded': 'Nothing to follow.' },
        '<category domain="post_format" nicename="post-format-link">Link</category>',
      ),
    ),
  ).entries[0]
  assert.equal(noLink?.linkUrl, '')
  assert.ok(noLink?.notes.some((n) => n.includes('no link')))
})

test('a quote-format post takes its blockquote as the quotation and the cite as its link', () => {
  const quote = entry(small(), '12')
  assert.equal(quote.linkUrl, 'https://writer.example/essay')
  assert.equal(quote.quoteHtml, '<p>Write every day.</p><cite>A Writer</cite>')
  assert.equal(quote.body, '<p>I try.</p>')
  const unsourced = entry(small(), '13')
  assert.equal(unsourced.linkUrl, '')
  assert.equal(unsourced.body, '<blockquote>Nobody said this.</blockquote>')
  assert.ok(unsourced.notes.includes('a “quote” post with no source link: imported as an article'))
})

test('other post formats stay articles and the format is noted; an untitled post is titled from its words', () => {
  const aside = entry(small(), '24')
  assert.equal(aside.linkUrl, '')
  assert.equal(aside.title, 'Quick thought: short posts need no title.')
  assert.ok(aside.notes.includes('“aside” format on the old site'))
  assert.ok(aside.notes.some((n) => n.startsWith('had no title')))
})

test('feeds, author pages and category and tag feeds lead to Folio’s feeds and home page', () => {
  const redirects = new Map(small().pathRedirects.map((r) => [r.fromPath, r.toPath]))
  for (const path of ['/feed', '/feed/rss2', '/comments/feed', '/?feed=rss2', '/category/news/local/feed']) {
    assert.equal(redirects.get(path), '/rss.xml', path)
  }
  assert.equal(redirects.get('/feed/atom'), '/feed.xml')
  assert.equal(redirects.get('/?feed=atom'), '/feed.xml')
  assert.equal(redirects.get('/author/ann'), '/')
  assert.equal(redirects.get('/author/bo-guest'), '/')
  assert.equal(redirects.get('/?author=2'), '/')
  assert.equal(redirects.get('/tag/travel-notes/feed'), '/rss.xml')
})

test('the file notes every author mapped to the one Folio author, and names the site it came from', () => {
  const bundle = small()
  assert.deepEqual(bundle.notes[0], '2 authors mapped to you: Ann Writer and Bo & Co.')
  assert.equal(bundle.source, 'wordpress https://old.example')
  assert.equal(bundle.siteUrl, 'https://old.example')
})

test('links to the old site’s own pages become root-relative, so Folio’s redirects answer them; its uploads stay', () => {
  const body = [
    'See <a href="https://old.example/2019/03/hello/">my first post</a>,',
    "<a href='http://www.old.example/?p=12'>another</a> and <a href=https://old.example/about>about</a>.",
    '[caption]<a href="https://old.example/wp-content/uploads/2019/03/pic.jpg"><img src="https://old.example/wp-content/uploads/2019/03/pic-300x200.jpg"></a> A pic[/caption]',
    '<a href="https://elsewhere.example/2019/03/hello/">elsewhere</a>',
  ].join('\n')
  const [only] = readWordPressExport(
    wxr(
      post({
        'content:encoded': body,
        'excerpt:encoded': 'From <a href="https://old.example/trips/">my trips</a>.',
      }),
    ),
  ).entries
  assert.deepEqual(
    [...(only?.body ?? '').matchAll(/(?:href|src)=["']?([^"'\s>]*)/g)].map((m) => m[1]),
    [
      '/2019/03/hello/',
      '/?p=12',
      '/about',
      'https://old.example/wp-content/uploads/2019/03/pic.jpg',
      'https://old.example/wp-content/uploads/2019/03/pic-300x200.jpg',
      'https://elsewhere.example/2019/03/hello/',
    ],
  )
  assert.equal(only?.excerpt, 'From <a href="/trips/">my trips</a>.')
})

test('a blog that lived in a folder keeps the folder in every old path', () => {
  const bundle = readWordPressExport(
    wxr(post({ link: 'https://ex.example/blog/2020/02/03/a-post/' }), 'https://ex.example/blog/'),
  )
  assert.equal(bundle.siteUrl, 'https://ex.example/blog')
  assert.deepEqual(bundle.entries[0]?.oldPaths, [
    '/blog/2020/02/03/a-post',
    '/blog?p=1',
    '/blog/2020/02/a-post',
    '/blog/a-post',
    '/blog/archives/1',
  ])
  assert.ok(bundle.pathRedirects.some((r) => r.fromPath === '/blog/feed'))
})

test('a page claims its path before a post with the same slug', () => {
  const bundle = readWordPressExport(
    wxr(
      post({ 'wp:post_name': 'about' }) +
        post({ 'wp:post_id': '2', 'wp:post_type': 'page', 'wp:post_name': 'about', title: 'About' }),
    ),
  )
  const [blogPost, page] = bundle.entries
  assert.ok(page?.oldPaths.includes('/about'))
  assert.ok(!blogPost?.oldPaths.includes('/about'))
})

test('percent-encoded slugs are decoded for Folio and matched decoded as old paths', () => {
  const bundle = readWordPressExport(wxr(post({ 'wp:post_name': '%e6%97%a5%e6%9c%ac' })))
  assert.equal(bundle.entries[0]?.slug, '日本')
  assert.ok(bundle.entries[0]?.oldPaths.includes('/日本'))
})

test('broken XML is refused with the line where it breaks', () => {
  const broken = wxr(post({}).replace('</item>', ''))
  assert.throws(
    () => readWordPressExport(broken),
    (error: unknown) =>
      error instanceof ImportFileError && /not well-formed XML \(line 4, column \d+/.test(error.message),
  )
})

test('a file cut off while downloading is refused, not read in part', () => {
  const whole = readFileSync(join(HANDMADE, 'wordpress-small.xml'), 'utf8')
  assert.throws(() => readWordPressExport(whole.slice(0, whole.length / 2)), ImportFileError)
})

test('an RSS feed, other XML and text that is not XML are refused saying what a WordPress export is', () => {
  const feed = '<rss version="2.0"><channel><title>x</title><item><title>y</title></item></channel></rss>'
  for (const input of [feed, '<html><body>hi</body></html>', 'just some text', '']) {
    assert.throws(
      () => readWordPressExport(input),
      (error: unknown) => error instanceof ImportFileError && /WordPress/.test(error.message),
      JSON.stringify(input),
    )
  }
})

test('ids and values that name JavaScript built-ins (constructor, __proto__) are only text', () => {
  const comment =
    '<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_approved>constructor</wp:comment_approved></wp:comment>'
  const meta =
    '<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>constructor</wp:meta_value></wp:postmeta>'
  const bundle = readWordPressExport(
    wxr(
      post({ 'wp:status': 'constructor' }, `${meta}${comment}`) +
        post({ 'wp:post_id': '__proto__', 'wp:post_type': 'toString' }),
    ),
  )
  const [only] = bundle.entries
  assert.equal(only?.status, 'draft')
  assert.equal(only?.featureImageUrl, '')
  assert.deepEqual(only?.comments, [])
  assert.equal(typeof bundle.skipped[0]?.reason, 'string')
  assert.equal(Object.getPrototypeOf(bundle.attachmentUrls), null)
})

const LAUGHS = `<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>`

test('a billion-laughs DOCTYPE is refused before any entity is expanded', () => {
  const before = process.memoryUsage().heapUsed
  const file = readFileSync(join(HANDMADE, 'wordpress-billion-laughs.xml'), 'utf8')
  assert.throws(
    () => readWordPressExport(file),
    (error: unknown) => error instanceof ImportFileError && /DOCTYPE/.test(error.message),
  )
  // Expanded, &lol9; is 3 GB of text: the heap would not merely grow, the process would die.
  assert.ok(process.memoryUsage().heapUsed - before < 200 * 1024 * 1024)
})

test('entities declared further into the file are not expanded either', () => {
  const hidden = wxr(
    `${LAUGHS}${post({}).replace('<title><![CDATA[A post]]></title>', '<title>&lol9;</title>')}`,
  )
  assert.throws(() => readWordPressExport(hidden), ImportFileError)
})

test('a DOCTYPE hidden behind a comment, a processing instruction or an attribute is refused all the same', () => {
  const file = wxr(post({}))
  const prolog = file.replace(/^<\?xml[^>]*>\n/, '')
  const laughs = (before: string) => `<?xml version="1.0"?>${before}${LAUGHS}${prolog}`
  const hidden = [
    laughs('<!-- an <a> element, then -->'),
    laughs('<?note <!-- ?>'),
    laughs('<!-- <rss> --><![CDATA[ ]]>'),
    file.replace('<channel>', `<channel x="<!--">${LAUGHS}<!-- -->`),
    file.replace('<channel>', `<channel>${LAUGHS.toLowerCase()}`),
  ]
  for (const xml of hidden) {
    assert.throws(
      () => readWordPressExport(xml),
      (error: unknown) => error instanceof ImportFileError && /DOCTYPE/.test(error.message),
      xml.slice(0, 80),
    )
  }
})

test('a post about HTML may show <!DOCTYPE html> in its content or a comment and is read', () => {
  const body = 'Start every page with <code><!DOCTYPE html></code>.'
  const file = wxr(`<!-- <!DOCTYPE html> in a comment -->${post({ 'content:encoded': body })}`)
  assert.equal(readWordPressExport(file).entries[0]?.body, body)
})

test('an external entity is never read', () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${wxr(
    post({ title: '&xxe;' }),
  ).replace(/^<\?xml[^>]*>/, '')}`
  assert.throws(
    () => readWordPressExport(xxe),
    (error: unknown) => error instanceof ImportFileError && !/root:/.test(error.message),
  )
})

/** About 4 KB of post, as a long-running blog writes them: paragraphs, a category, tags, two comments. */
function generatedItem(n: number): string {
  const paragraph = `<p>Entry ${n} of a long-running blog, with enough words to look like one &amp; a link to <a href="https://example.com/${n}">elsewhere</a>.</p>\n\n`
  const comment = (id: number, parent: number) =>
    `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author><![CDATA[Reader ${id}]]></wp:comment_author><wp:comment_author_email>r${id}@example.com</wp:comment_author_email><wp:comment_date_gmt>2015-01-01 10:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[Thanks for post ${n}.]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent></wp:comment>`
  return post(
    {
      'wp:post_id': String(n),
      'wp:post_name': `entry-${n}`,
      title: `Entry ${n}`,
      link: `https://old.example/2015/01/01/entry-${n}/`,
      'content:encoded': paragraph.repeat(24),
    },
    `<category domain="category" nicename="notes-${n % 40}"><![CDATA[Notes ${n % 40}]]></category><category domain="post_tag" nicename="tag-${n % 300}"><![CDATA[Tag ${n % 300}]]></category>${comment(n * 10, 0)}${comment(n * 10 + 1, n * 10)}`,
  )
}

test('a 50 MB export is read from disk within the size limit, every post and comment in it', async (t) => {
  const items: string[] = []
  let size = 0
  while (size < 50 * 1024 * 1024) {
    const item = generatedItem(items.length + 1)
    items.push(item)
    size += item.length
  }
  const path = join(scratchDir(t), 'big.xml')
  writeFileSync(path, wxr(items.join('\n')))
  const bundle = readWordPressExport(await readExportFile(path))
  assert.equal(bundle.entries.length, items.length)
  assert.equal(bundle.tags.length, 340)
  const last = bundle.entries.at(-1)
  assert.equal(last?.title, `Entry ${items.length}`)
  assert.equal(last?.comments[1]?.parentSourceId, last?.comments[0]?.sourceId)
  assert.ok(items.length > 10_000, `${items.length} posts`)
})

test('a file over the size limit is refused with how to split it, before it is read', async (t) => {
  const path = join(scratchDir(t), 'huge.xml')
  writeFileSync(path, '')
  truncateSync(path, MAX_EXPORT_BYTES + 1) // sparse: nothing is written to disk
  await assert.rejects(
    readExportFile(path),
    (error: unknown) => error instanceof ImportFileError && /Export the site in parts/.test(error.message),
  )
})

test('a missing file and a folder are refused by name', async (t) => {
  const dir = scratchDir(t)
  await assert.rejects(readExportFile(join(dir, 'nope.xml')), /There is no file at .*nope\.xml/)
  mkdirSync(join(dir, 'export.xml'))
  await assert.rejects(readExportFile(join(dir, 'export.xml')), /export\.xml is a folder/)
})

test('an export in the encoding its XML declaration names is read as that encoding; a byte-order mark is dropped', async (t) => {
  const dir = scratchDir(t)
  const latin = join(dir, 'latin.xml')
  const declared = wxr(post({ title: 'Caf\u00e9 cr\u00e8me' })).replace(
    'encoding="UTF-8"',
    'encoding="ISO-8859-1"',
  )
  writeFileSync(latin, Buffer.from(declared, 'latin1'))
  assert.equal(readWordPressExport(await readExportFile(latin)).entries[0]?.title, 'Café crème')
  const bom = join(dir, 'bom.xml')
  writeFileSync(bom, `\ufeff${wxr(post({ title: 'Über' }))}`)
  assert.equal(readWordPressExport(await readExportFile(bom)).entries[0]?.title, 'Über')
})

// WordPress's own theme unit test data (an excerpt, see test/fixtures/imports/README.md).
const REAL = join(import.meta.dirname, '../../fixtures/imports')
const themeUnitTest = (): ImportBundle =>
  readWordPressExport(readFileSync(join(REAL, 'wordpress-theme-unit-test.xml'), 'utf8'))

test('the theme unit test’s nested pages, Greek ones too, are flattened and say where they were', () => {
  const bundle = themeUnitTest()
  assert.equal(entry(bundle, '174').slug, 'level-1')
  assert.equal(entry(bundle, '173').slug, 'level-1-level-2')
  assert.equal(entry(bundle, '172').slug, 'level-1-level-2-level-3')
  assert.ok(entry(bundle, '172').notes.includes('was under Level 1 › Level 2'))
  assert.equal(entry(bundle, '1813').slug, 'greek-επίπεδο-2-επίπεδο-3')
  assert.ok(entry(bundle, '1813').oldPaths.includes('/greek/επίπεδο-2/επίπεδο-3'))
})

test('the theme unit test’s sticky, password-protected, draft and scheduled posts are kept and noted', () => {
  const bundle = themeUnitTest()
  assert.ok(entry(bundle, '1241').notes.includes('sticky on the old site'))
  assert.equal(entry(bundle, '1168').status, 'draft')
  assert.ok(entry(bundle, '1168').notes.includes('password-protected on the old site: imported as a draft'))
  assert.equal(entry(bundle, '1164').status, 'draft')
  assert.equal(entry(bundle, '1153').status, 'scheduled')
})

test('the theme unit test’s comments stay threaded ten deep, with its pending comment and its pingbacks', () => {
  const comments = entry(themeUnitTest(), '1148').comments
  const parentOf = new Map(comments.map((c) => [c.sourceId, c.parentSourceId]))
  let depth = 1 // 915 itself, then each comment it answers
  for (let id = '915'; parentOf.get(id); id = parentOf.get(id) ?? '') depth += 1
  assert.equal(depth, 10)
  assert.equal(comments.find((c) => c.sourceId === '1015')?.status, 'pending')
  const pings = entry(themeUnitTest(), '1149').comments.filter((c) => c.kind === 'mention')
  assert.equal(pings.length, 4)
  assert.ok(pings.every((c) => c.authorUrl.startsWith('http://tellyworth.wordpress.com/')))
  assert.match(pings[0]?.authorName ?? '', /^Ping 1 « What’s a tellyworth\?$/)
})

test('the theme unit test’s link and quote formats become link posts; its other formats are noted', () => {
  const bundle = themeUnitTest()
  assert.equal(entry(bundle, '565').linkUrl, 'https://make.wordpress.org/themes')
  assert.equal(
    entry(bundle, '575').linkUrl,
    'http://www.brainyquote.com/quotes/quotes/m/marktwain163473.html',
  )
  assert.match(entry(bundle, '575').quoteHtml, /^Only one thing is impossible for God/)
  assert.ok(entry(bundle, '555').notes.includes('“gallery” format on the old site'))
  assert.equal(entry(bundle, '555').attachedImages.length, 3)
})

test('the theme unit test’s titles with markup, special characters or none come out as plain text', () => {
  const bundle = themeUnitTest()
  assert.equal(entry(bundle, '1173').title, 'Markup: Title With Markup')
  assert.equal(
    entry(bundle, '1174').title,
    'Markup: Title With Special Characters ~`!@#$%^&*()-_=+{}[]/\\;:\'"?,.>',
  )
  assert.ok(entry(bundle, '1169').title.startsWith('This post has no title'))
  assert.equal(entry(bundle, '1011').featureImageUrl.endsWith('.jpg'), true)
  assert.ok(bundle.skipped.every((s) => s.kind === 'attachment'))
  assert.deepEqual(bundle.notes[0], '2 authors mapped to you: Theme Buster and Theme Reviewer.')
})

test('the hostile exports: script kept for the sanitiser, duplicate slugs never share an old path, broken and billion-laughs files refused', () => {
  const hostile = (name: string) => readFileSync(join(REAL, 'hostile', name), 'utf8')
  const scripted = readWordPressExport(hostile('script-in-content.xml'))
  assert.ok(scripted.entries.some((e) => /<script/i.test(e.body)))
  assert.equal(entry(scripted, '11').linkUrl, '', 'a javascript: link is no link')
  assert.deepEqual({ ...scripted.attachmentUrls }, {}, 'a javascript: attachment is no file')
  assert.ok(scripted.entries.every((e) => e.comments.every((c) => !/^javascript:/i.test(c.authorUrl))))
  const duplicates = readWordPressExport(hostile('duplicate-slugs.xml'))
  const paths = duplicates.entries.flatMap((e) => e.oldPaths)
  assert.equal(new Set(paths).size, paths.length)
  assert.throws(
    () => readWordPressExport(hostile('broken.xml')),
    /stops at line \d+ with elements still open/,
  )
  assert.throws(() => readWordPressExport(hostile('billion-laughs.xml')), /DOCTYPE/)
  assert.throws(() => readWordPressExport(hostile('not-wxr.xml')), /not a WordPress export/)
})
