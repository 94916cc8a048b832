// Checks a post's own page: articles, link posts, series navigation, SEO tags, escaping and renamed slugs.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { savePost } from '../../../src/features/content/posts.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { jsonLdOf, linkRel, mainOf, metaContent } from '../../helpers/html.ts'

const ARTICLE = [
  'An opening paragraph about caching.',
  '',
  '## Set up the cache',
  '',
  'Some words, and a [link out](https://example.com/docs) and a [link home](/posts/other).',
  '',
  '```ts',
  'const answer: number = 42',
  '```',
].join('\n')

test('an article shows its title, date, reading time, tags and rendered body', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, {
    title: 'Caching on a small VPS',
    bodyMd: ARTICLE,
    tags: ['Performance', 'Caching'],
    publishedAt: new Date('2025-01-15T09:30:00Z'),
  })

  const res = await app.inject(`/posts/${post.slug}`)

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/)
  assert.match(res.body, /<title>Caching on a small VPS · Folio<\/title>/)
  const main = mainOf(res.body)
  assert.match(main, /<h1>Caching on a small VPS<\/h1>/)
  assert.match(main, /<time datetime="2025-01-15T09:30:00.000Z">15 January 2025<\/time>/)
  assert.match(main, /1 min read/)
  assert.match(main, /<a class="tag" href="\/tags\/performance">Performance<\/a>/)
  assert.match(main, /<a class="tag" href="\/tags\/caching">Caching<\/a>/)
  assert.match(main, /An opening paragraph about caching\./)
})

test('an article has highlighted code and heading anchors', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Code post', bodyMd: ARTICLE })

  const main = mainOf((await app.inject(`/posts/${post.slug}`)).body)

  assert.match(main, /<pre tabindex="0"><code class="hljs language-ts">/)
  assert.match(main, /<span class="hljs-keyword">const<\/span>/)
  assert.match(main, /<h2 id="set-up-the-cache">Set up the cache <a class="anchor" href="#set-up-the-cache"/)
  assert.match(main, /<a href="https:\/\/example.com\/docs" rel="noopener">link out<\/a>/)
  assert.match(main, /<a href="\/posts\/other">link home<\/a>/)
})

test('an article links to the previous and next posts', async (t) => {
  const { app, db } = await createTestApp(t)
  const older = createPost(db, { title: 'The older one', daysAgo: 3 })
  const middle = createPost(db, { title: 'The middle one', daysAgo: 2 })
  const newer = createPost(db, { title: 'The newer one', daysAgo: 1 })

  const main = mainOf((await app.inject(`/posts/${middle.slug}`)).body)

  assert.match(
    main,
    new RegExp(`<a class="adjacent__older" href="/posts/${older.slug}" rel="prev">.*The older one</a>`),
  )
  assert.match(
    main,
    new RegExp(`<a class="adjacent__newer" href="/posts/${newer.slug}" rel="next">.*The newer one</a>`),
  )

  const newest = mainOf((await app.inject(`/posts/${newer.slug}`)).body)
  assert.doesNotMatch(newest, /adjacent__newer/, 'the newest post has no next link')
  const oldest = mainOf((await app.inject(`/posts/${older.slug}`)).body)
  assert.doesNotMatch(oldest, /adjacent__older/, 'the oldest post has no previous link')
})

test('a post page has a canonical URL, a description, OpenGraph and Twitter card tags', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, {
    title: 'Meta tags matter',
    bodyMd: 'Search engines read this first paragraph.\n\nAnd more.',
    publishedAt: new Date('2025-02-01T00:00:00Z'),
  })

  const html = (await app.inject(`/posts/${post.slug}`)).body

  const url = `https://blog.example.com/posts/${post.slug}`
  assert.deepEqual(linkRel(html, 'canonical'), [url])
  assert.equal(metaContent(html, 'description'), 'Search engines read this first paragraph.')
  assert.equal(metaContent(html, 'og:title'), 'Meta tags matter')
  assert.equal(metaContent(html, 'og:type'), 'article')
  assert.equal(metaContent(html, 'og:url'), url)
  assert.equal(metaContent(html, 'og:description'), 'Search engines read this first paragraph.')
  assert.equal(metaContent(html, 'og:site_name'), 'Folio')
  assert.equal(metaContent(html, 'article:published_time'), '2025-02-01T00:00:00.000Z')
  assert.equal(metaContent(html, 'twitter:card'), 'summary_large_image')
  assert.equal(metaContent(html, 'twitter:title'), 'Meta tags matter')
})

test("a post's own meta description is used when the author wrote one", async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Described', metaDescription: 'Hand-written description.' })
  const html = (await app.inject(`/posts/${post.slug}`)).body
  assert.equal(metaContent(html, 'description'), 'Hand-written description.')
})

test('a post page carries a parseable JSON-LD BlogPosting', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { authorName: 'Sam Example' })
  const post = createPost(db, {
    title: 'Structured data',
    tags: ['SEO'],
    publishedAt: new Date('2025-03-01T12:00:00Z'),
  })

  const html = (await app.inject(`/posts/${post.slug}`)).body
  const data = JSON.parse(jsonLdOf(html)) as Record<string, unknown>

  assert.equal(data['@context'], 'https://schema.org')
  assert.equal(data['@type'], 'BlogPosting')
  assert.equal(data.headline, 'Structured data')
  assert.equal(data.url, `https://blog.example.com/posts/${post.slug}`)
  assert.equal(data.datePublished, '2025-03-01T12:00:00.000Z')
  assert.deepEqual((data.author as Record<string, unknown>).name, 'Sam Example')
  // Search engines and social sites get the same picture: the post's card, absolute, with its size.
  assert.deepEqual(data.image, {
    '@type': 'ImageObject',
    url: metaContent(html, 'og:image'),
    width: 1200,
    height: 630,
  })
})

test('a title with a script tag in it is escaped in the title, heading, meta tags and JSON-LD', async (t) => {
  const { app, db } = await createTestApp(t)
  const title = 'Hello </script><script>alert(1)</script> & "friends"'
  const post = createPost(db, { title, bodyMd: 'Body.' })

  const html = (await app.inject(`/posts/${post.slug}`)).body

  assert.equal((html.match(/<script/g) ?? []).length, 1, 'only the JSON-LD script tag')
  assert.doesNotMatch(html, /<script>alert/)
  assert.match(
    html,
    /<title>Hello &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;friends&quot; · Folio<\/title>/,
  )
  assert.match(
    mainOf(html),
    /<h1>Hello &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;friends&quot;<\/h1>/,
  )
  assert.equal(
    metaContent(html, 'og:title'),
    'Hello &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;',
  )
  const jsonLd = jsonLdOf(html)
  assert.doesNotMatch(jsonLd, /<\/script|<!--/i)
  const data = JSON.parse(jsonLd) as { headline: string }
  assert.equal(data.headline, title)
})

test('hostile HTML in a post body never reaches the page', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, {
    title: 'Hostile body',
    bodyMd:
      'Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) <iframe src="https://evil.example"></iframe>',
  })
  const html = (await app.inject(`/posts/${post.slug}`)).body
  assert.doesNotMatch(html, /alert\(1\)|onerror|javascript:|<iframe/)
})

test('a link post page links its title to the article, with the commentary and the quote', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, {
    title: 'Worth reading: caching',
    kind: 'link',
    linkUrl: 'https://www.example.org/caching',
    bodyMd: 'This explains caching better than I could.',
    quoteMd: 'Cache invalidation is one of the two hard things.',
  })

  const res = await app.inject(`/posts/${post.slug}`)

  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(
    main,
    /<h1><a href="https:\/\/www.example.org\/caching" rel="noopener">Worth reading: caching<\/a><\/h1>/,
  )
  assert.match(main, /example.org/)
  assert.match(main, /This explains caching better than I could\./)
  assert.match(
    main,
    /<blockquote class="link-quote" cite="https:\/\/www.example.org\/caching"><p>Cache invalidation is one of the two hard things\.<\/p><\/blockquote>/,
  )
  const data = JSON.parse(jsonLdOf(res.body)) as Record<string, unknown>
  assert.equal(data.headline, 'Worth reading: caching')
})

test('a link post without a quote shows no empty blockquote', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, {
    title: 'Just a link',
    kind: 'link',
    linkUrl: 'https://example.org/',
    bodyMd: 'Nice.',
  })
  const main = mainOf((await app.inject(`/posts/${post.slug}`)).body)
  assert.doesNotMatch(main, /<blockquote/)
})

test('a link post whose URL is not http(s) is refused or never rendered as a link', {}, async (t) => {
  const { app, db } = await createTestApp(t)
  let slug: string | undefined
  try {
    slug = createPost(db, {
      title: 'Evil link',
      kind: 'link',
      linkUrl: 'javascript:alert(1)',
      bodyMd: 'x',
    }).slug
  } catch {
    return
  }
  for (const url of [`/posts/${slug}`, '/', '/posts', '/feed.xml', '/rss.xml']) {
    const res = await app.inject(url)
    assert.ok(!/href="javascript:/i.test(res.body), `${url} links to javascript:`)
  }
})

test('each part of a series says which part it is and links to the other parts', async (t) => {
  const { app, db } = await createTestApp(t)
  const one = createPost(db, { title: 'SQLite part one', series: 'SQLite in depth', daysAgo: 3 })
  const two = createPost(db, { title: 'SQLite part two', series: 'SQLite in depth', daysAgo: 2 })
  const three = createPost(db, { title: 'SQLite part three', series: 'SQLite in depth', daysAgo: 1 })

  const main = mainOf((await app.inject(`/posts/${two.slug}`)).body)

  assert.match(main, /Part 2 of 3 in SQLite in depth/)
  assert.match(main, /href="\/series\/sqlite-in-depth"/)
  assert.match(main, new RegExp(`<a href="/posts/${one.slug}">SQLite part one</a>`))
  assert.match(main, new RegExp(`<a href="/posts/${three.slug}">SQLite part three</a>`))
  assert.match(main, /<span aria-current="page">SQLite part two<\/span>/)
  assert.ok(main.indexOf('SQLite part one') < main.indexOf('SQLite part three'), 'parts in order')

  const first = mainOf((await app.inject(`/posts/${one.slug}`)).body)
  assert.match(first, /Part 1 of 3 in SQLite in depth/)
})

test('series parts follow their part numbers, not their dates', async (t) => {
  const { app, db } = await createTestApp(t)
  const second = createPost(db, {
    title: 'Written first, part two',
    series: 'Backwards',
    seriesPart: 2,
    daysAgo: 5,
  })
  const first = createPost(db, {
    title: 'Written later, part one',
    series: 'Backwards',
    seriesPart: 1,
    daysAgo: 1,
  })

  assert.match(mainOf((await app.inject(`/posts/${first.slug}`)).body), /Part 1 of 2 in Backwards/)
  assert.match(mainOf((await app.inject(`/posts/${second.slug}`)).body), /Part 2 of 2 in Backwards/)
})

test('a renamed post answers its old URL with a permanent redirect to the new one', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Old title' })
  savePost(
    db,
    {
      title: 'New title',
      slug: 'new-title',
      kind: 'article',
      bodyMd: 'Body.',
      status: 'published',
      publishedAt: new Date(Date.now() - 1000),
    },
    { id: post.id },
  )

  const old = await app.inject(`/posts/${post.slug}`)
  assert.equal(old.statusCode, 301)
  assert.equal(old.headers.location, '/posts/new-title')

  const renamed = await app.inject('/posts/new-title')
  assert.equal(renamed.statusCode, 200)
  assert.match(renamed.body, /<h1>New title<\/h1>/)
})

test('a post renamed twice still redirects from its first URL to the current one', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'First name' })
  const base = {
    kind: 'article' as const,
    bodyMd: 'Body.',
    status: 'published' as const,
    publishedAt: new Date(Date.now() - 1000),
  }
  savePost(db, { ...base, title: 'Second name' }, { id: post.id })
  savePost(db, { ...base, title: 'Third name' }, { id: post.id })

  const res = await app.inject(`/posts/${post.slug}`)
  assert.equal(res.statusCode, 301)
  assert.equal(res.headers.location, '/posts/third-name')
})

test('an unknown post slug is a 404 page', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/posts/no-such-post')
  assert.equal(res.statusCode, 404)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.match(res.body, /Page not found/)
})

test('an odd post slug is a 404 page, never a 500', async (t) => {
  const { app } = await createTestApp(t)
  for (const slug of ['x'.repeat(400), '..%2F..%2Fetc%2Fpasswd', '%00', "it's", '%3Cscript%3E']) {
    const res = await app.inject(`/posts/${slug}`)
    assert.equal(res.statusCode, 404, slug.slice(0, 20))
    assert.match(res.headers['content-type'] as string, /^text\/html/)
    assert.doesNotMatch(res.body, /<script>/)
  }
})

test('a malformed or over-long URL gets an HTML error page, not raw JSON', async (t) => {
  const { app } = await createTestApp(t)
  for (const url of ['/posts/%E0%A4%A', '/%E0%A4%A', `/posts/${'x'.repeat(600)}`]) {
    const res = await app.inject(url)
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url.slice(0, 20)} → ${res.statusCode}`)
    assert.match(res.headers['content-type'] as string, /^text\/html/, url.slice(0, 20))
  }
})
