// Checks /search: ranking, highlighted snippets, phrase and prefix queries, and any input giving a page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, createPosts } from '../../helpers/fixtures.ts'
import { mainOf } from '../../helpers/html.ts'

test('a post whose title matches ranks above one that only mentions the word in its body', async (t) => {
  const { app, db } = await createTestApp(t)
  const bodyOnly = createPost(db, {
    title: 'Notes on deployment',
    bodyMd: 'We mention SQLite once here.',
    daysAgo: 1,
  })
  const titled = createPost(db, {
    title: 'SQLite in production',
    bodyMd: 'A post about databases.',
    daysAgo: 30,
  })
  createPost(db, { title: 'Unrelated', bodyMd: 'Nothing to see.' })

  const res = await app.inject('/search?q=sqlite')

  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(main, /2 posts match “sqlite”/)
  const first = main.indexOf(`/posts/${titled.slug}`)
  const second = main.indexOf(`/posts/${bodyOnly.slug}`)
  assert.ok(first !== -1 && second !== -1 && first < second, 'title match first')
  assert.doesNotMatch(main, /Unrelated/)
})

test('search results show a snippet with the matches highlighted', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Caching', bodyMd: 'The trick is to cache the rendered HTML at save time.' })

  const main = mainOf((await app.inject('/search?q=rendered')).body)

  assert.match(main, /<p class="snippet">[^<]*<mark>rendered<\/mark>[^<]*<\/p>/)
  assert.match(main, /<time datetime="/)
})

test('a quoted phrase matches the words together, not apart', async (t) => {
  const { app, db } = await createTestApp(t)
  const together = createPost(db, { title: 'Together', bodyMd: 'Build a static site today.' })
  const apart = createPost(db, { title: 'Apart', bodyMd: 'The site is not static at all.' })

  const main = mainOf((await app.inject({ url: '/search', query: { q: '"static site"' } })).body)

  assert.match(main, /1 post matches/)
  assert.ok(main.includes(`/posts/${together.slug}`))
  assert.ok(!main.includes(`/posts/${apart.slug}`))
  assert.match(main, /<mark>static site<\/mark>/)
})

test('a trailing star matches words by their beginning', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Speed', bodyMd: 'Optimization of images matters.' })

  const main = mainOf((await app.inject({ url: '/search', query: { q: 'optim*' } })).body)

  assert.ok(main.includes(`/posts/${post.slug}`), 'prefix match found')
  assert.match(main, /<mark>Optimization<\/mark>/)
})

test('search finds posts by tag and by a link post quote', async (t) => {
  const { app, db } = await createTestApp(t)
  const tagged = createPost(db, { title: 'Tagged', bodyMd: 'Body.', tags: ['Kubernetes'] })
  const quoted = createPost(db, {
    title: 'Quoted',
    kind: 'link',
    linkUrl: 'https://example.org/',
    bodyMd: 'Read it.',
    quoteMd: 'Serendipity favours the prepared.',
  })
  assert.ok((await app.inject('/search?q=kubernetes')).body.includes(`/posts/${tagged.slug}`))
  assert.ok((await app.inject('/search?q=serendipity')).body.includes(`/posts/${quoted.slug}`))
})

test('a search with no match says so', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Something' })
  const res = await app.inject('/search?q=xylophone')
  assert.equal(res.statusCode, 200)
  assert.match(mainOf(res.body), /No posts match “xylophone”/)
})

test('search results are paginated', async (t) => {
  const { app, db } = await createTestApp(t)
  createPosts(db, 12, { bodyMd: 'Every one mentions walrus.' })
  const first = mainOf((await app.inject('/search?q=walrus')).body)
  assert.match(first, /12 posts match/)
  assert.equal((first.match(/class="search-result"/g) ?? []).length, 10)
  assert.match(first, /href="\/search\?q=walrus&amp;page=2" rel="next"/)
  const second = mainOf((await app.inject('/search?q=walrus&page=2')).body)
  assert.equal((second.match(/class="search-result"/g) ?? []).length, 2)
})

const ODD_QUERIES: readonly [string, string][] = [
  ['a lone double quote', 'q=%22'],
  ['a lone star', 'q=*'],
  ['an unfinished NEAR(', 'q=NEAR('],
  ['a dangling AND', 'q=a%20AND'],
  ['a bare NOT', 'q=NOT'],
  ['a column filter', 'q=title%3Asecret'],
  ['a leading minus', 'q=-draft'],
  ['an empty q', 'q='],
  ['no q at all', ''],
  ['q given twice', 'q=a&q=b'],
  ['q as an object', 'q[a]=1'],
  ['control characters', 'q=a%00b%01c%07%1B%7F'],
  ['broken percent-encoding', 'q=%E0%A4%A'],
  ['HTML', 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
  ['a bad page number', 'q=test&page=abc'],
  ['a huge page number', 'q=test&page=999999999'],
]

for (const [label, query] of ODD_QUERIES) {
  test(`a search with ${label} gives a result page, never an error`, async (t) => {
    const { app, db } = await createTestApp(t)
    createPost(db, { title: 'A test post', bodyMd: 'Test content with a, b and c.' })

    const res = await app.inject(`/search${query ? `?${query}` : ''}`)

    assert.equal(res.statusCode, 200)
    assert.match(res.headers['content-type'] as string, /^text\/html/)
    assert.match(res.body, /<form class="search-form" action="\/search"/)
    assert.doesNotMatch(res.body, /<script>alert/)
  })
}

test('a 5,000-character search gives a page that says it was shortened', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Anything' })

  const res = await app.inject({ url: '/search', query: { q: 'word '.repeat(1000) } })

  assert.equal(res.statusCode, 200)
  assert.match(mainOf(res.body), /only its first 200 characters were used/)
})

test('punctuation alone gets a hint rather than an error', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({ url: '/search', query: { q: '"*:-' } })
  assert.equal(res.statusCode, 200)
  assert.match(mainOf(res.body), /punctuation on its own matches nothing/)
})

test('the query is shown back escaped in the box, the title and the count', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({ url: '/search', query: { q: '"><img src=x onerror=alert(1)>' } })
  assert.equal(res.statusCode, 200)
  assert.doesNotMatch(res.body, /<img src=x/)
  assert.match(res.body, /value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;"/)
})

test('HTML written as text in a post shows escaped in its snippet, never as a tag', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, {
    title: 'XSS explained',
    bodyMd: 'Never trust `<img src=x onerror=alert(1)>` from visitors.',
  })

  const main = mainOf((await app.inject('/search?q=visitors')).body)

  assert.match(main, /&lt;img src=x onerror=alert\(1\)&gt;/)
  assert.doesNotMatch(main, /<img/)
})

test('the search page is kept out of search engines', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/search?q=anything')
  assert.match(res.body, /<meta name="robots" content="noindex">/)
})
