// Checks that drafts and future posts stay out of every public place, and that scheduled posts appear on time.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { savePost } from '../../../src/features/content/posts.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, fromNow } from '../../helpers/fixtures.ts'
import { sleep } from '../../helpers/html.ts'

const HOUR = 60 * 60 * 1000

/** Every public place a post can show up. */
const PLACES = [
  '/',
  '/posts',
  '/tags/shared',
  '/series/the-saga',
  '/search?q=zanzibar',
  '/feed.xml',
  '/rss.xml',
  '/feed.json',
  '/sitemap.xml',
  '/tags',
]

async function bodies(app: FastifyInstance): Promise<Map<string, string>> {
  const result = new Map<string, string>()
  for (const url of PLACES) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, `${url} answers`)
    result.set(url, res.body)
  }
  return result
}

test('drafts and posts scheduled for the future appear nowhere public', async (t) => {
  const { app, db } = await createTestApp(t)
  const visible = createPost(db, {
    title: 'Visible zanzibar post',
    bodyMd: 'Zanzibar is public.',
    tags: ['Shared'],
    series: 'The saga',
    daysAgo: 3,
  })
  const draft = createPost(db, {
    title: 'Hidden draft kumquat',
    bodyMd: 'Zanzibar draft text.',
    status: 'draft',
    tags: ['Shared', 'Draftonly'],
    series: 'The saga',
    daysAgo: 2,
  })
  const scheduled = createPost(db, {
    title: 'Hidden future persimmon',
    bodyMd: 'Zanzibar future text.',
    status: 'scheduled',
    publishedAt: fromNow(24 * HOUR),
    tags: ['Shared', 'Futureonly'],
    series: 'The saga',
  })
  const futurePublished = createPost(db, {
    title: 'Hidden published-later quince',
    bodyMd: 'Zanzibar later text.',
    status: 'published',
    publishedAt: fromNow(HOUR),
    tags: ['Shared'],
  })
  const hidden = [draft, scheduled, futurePublished]

  const pages = await bodies(app)

  for (const [url, body] of pages) {
    for (const post of hidden) {
      assert.ok(!body.includes(post.slug), `${url} does not mention ${post.slug}`)
    }
    assert.doesNotMatch(body, /kumquat|persimmon|quince/i, `${url} shows no hidden title`)
  }
  assert.ok(pages.get('/')?.includes(visible.slug), 'the visible post is on the home page')
  assert.ok(pages.get('/posts')?.includes(visible.slug), 'the visible post is on /posts')
  assert.match(pages.get('/posts') ?? '', /1 post so far/)
  assert.match(pages.get('/tags/shared') ?? '', /1 post\./)
  assert.match(pages.get('/series/the-saga') ?? '', /A series in 1 part/)
  assert.match(pages.get('/search?q=zanzibar') ?? '', /1 post matches/)
  assert.doesNotMatch(pages.get('/tags') ?? '', /draftonly|futureonly/i)
  assert.doesNotMatch(pages.get('/sitemap.xml') ?? '', /draftonly|futureonly/)
})

test('a draft or a future post has no page of its own', async (t) => {
  const { app, db } = await createTestApp(t)
  const draft = createPost(db, { title: 'A draft', status: 'draft' })
  const dateless = createPost(db, { title: 'A dateless draft', status: 'draft', publishedAt: undefined })
  const scheduled = createPost(db, { title: 'Scheduled', status: 'scheduled', publishedAt: fromNow(HOUR) })
  const future = createPost(db, { title: 'Published later', status: 'published', publishedAt: fromNow(HOUR) })

  for (const post of [draft, dateless, scheduled, future]) {
    const res = await app.inject(`/posts/${post.slug}`)
    assert.equal(res.statusCode, 404, post.slug)
    assert.equal(
      (await app.inject({ method: 'HEAD', url: `/posts/${post.slug}` })).statusCode,
      404,
      `HEAD ${post.slug}`,
    )
  }
})

test('a tag or series whose only posts are hidden is not found', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Draft', status: 'draft', tags: ['Secret'], series: 'Secret saga' })
  createPost(db, {
    title: 'Future',
    status: 'scheduled',
    publishedAt: fromNow(HOUR),
    tags: ['Later'],
    series: 'Later saga',
  })

  for (const url of ['/tags/secret', '/tags/later', '/series/secret-saga', '/series/later-saga']) {
    assert.equal((await app.inject(url)).statusCode, 404, url)
  }
})

test('hidden posts are left out of previous/next links and series navigation', async (t) => {
  const { app, db } = await createTestApp(t)
  const first = createPost(db, { title: 'Part one', series: 'Trilogy', daysAgo: 5 })
  createPost(db, { title: 'Draft between', status: 'draft', series: 'Trilogy', daysAgo: 4 })
  const last = createPost(db, { title: 'Part two', series: 'Trilogy', daysAgo: 3 })
  createPost(db, {
    title: 'Future after',
    status: 'scheduled',
    publishedAt: fromNow(HOUR),
    series: 'Trilogy',
  })

  const firstPage = (await app.inject(`/posts/${first.slug}`)).body
  assert.match(firstPage, new RegExp(`href="/posts/${last.slug}" rel="next"`))
  assert.match(firstPage, /Part 1 of 2 in Trilogy/)
  const lastPage = (await app.inject(`/posts/${last.slug}`)).body
  assert.match(lastPage, new RegExp(`href="/posts/${first.slug}" rel="prev"`))
  assert.match(lastPage, /Part 2 of 2 in Trilogy/)
  assert.doesNotMatch(lastPage, /rel="next"/, 'no next post yet')
  for (const body of [firstPage, lastPage]) assert.doesNotMatch(body, /Draft between|Future after/)
})

test('a post that goes back to draft disappears, and its old URL does not redirect to it', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Second thoughts' })
  assert.equal((await app.inject(`/posts/${post.slug}`)).statusCode, 200)

  savePost(
    db,
    { title: 'Second thoughts, renamed', kind: 'article', bodyMd: 'x', status: 'draft' },
    { id: post.id },
  )

  assert.equal((await app.inject(`/posts/${post.slug}`)).statusCode, 404)
  assert.equal((await app.inject('/posts/second-thoughts-renamed')).statusCode, 404)
})

test('a scheduled post appears everywhere by itself when its time comes', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Already out', tags: ['Launch'], series: 'Launch saga', daysAgo: 1 })
  // Warm the app up first, so that its start-up does not eat the time before the post goes live.
  await app.inject('/')
  const goLive = fromNow(150)
  const soon = createPost(db, {
    title: 'Arriving tangerine',
    bodyMd: 'Tangerine launch notes.\n\nMore.',
    status: 'scheduled',
    publishedAt: goLive,
    tags: ['Launch'],
    series: 'Launch saga',
  })

  assert.equal((await app.inject(`/posts/${soon.slug}`)).statusCode, 404, 'not yet')
  await sleep(goLive.getTime() - Date.now() + 20)

  const page = await app.inject(`/posts/${soon.slug}`)
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /Part 2 of 2 in Launch saga/)
  for (const url of [
    '/',
    '/posts',
    '/tags/launch',
    '/series/launch-saga',
    '/search?q=tangerine',
    '/feed.xml',
    '/rss.xml',
    '/feed.json',
    '/sitemap.xml',
  ]) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, url)
    assert.ok(res.body.includes(soon.slug), `${url} shows the post that has just gone live`)
  }
})
