// Checks browsing by topic and by series: /tags, /tags/:slug and /series/:slug.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, createPosts } from '../../helpers/fixtures.ts'
import { linkRel, mainOf } from '../../helpers/html.ts'

test("a tag page lists only that tag's posts", async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'About SQLite', tags: ['SQLite'] })
  createPost(db, { title: 'About SQLite and Node', tags: ['SQLite', 'Node'] })
  createPost(db, { title: 'Only about Node', tags: ['Node'] })

  const res = await app.inject('/tags/sqlite')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  const main = mainOf(res.body)
  assert.match(main, /Posts tagged “SQLite”/)
  assert.match(main, /About SQLite</)
  assert.match(main, /About SQLite and Node</)
  assert.doesNotMatch(main, /Only about Node/)
  assert.match(main, /2 posts\./)
  assert.deepEqual(linkRel(res.body, 'canonical'), ['https://blog.example.com/tags/sqlite'])
})

test('tag names that differ only in case share one tag page', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Lower', tags: ['sqlite'] })
  createPost(db, { title: 'Upper', tags: ['SQLite'] })
  const main = mainOf((await app.inject('/tags/sqlite')).body)
  assert.match(main, /Lower</)
  assert.match(main, /Upper</)
})

test('an unknown tag is a 404 page', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/tags/no-such-tag')
  assert.equal(res.statusCode, 404)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
})

test('a tag page is paginated like /posts, and a bad page number is a 400 page', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { postsPerPage: 2 })
  createPosts(db, 5, { tags: ['Paged'] })

  const first = await app.inject('/tags/paged')
  assert.deepEqual(linkRel(first.body, 'next'), ['https://blog.example.com/tags/paged?page=2'])
  assert.deepEqual(linkRel(first.body, 'prev'), [])
  const last = await app.inject('/tags/paged?page=3')
  assert.equal(last.statusCode, 200)
  assert.deepEqual(linkRel(last.body, 'prev'), ['https://blog.example.com/tags/paged?page=2'])
  assert.deepEqual(linkRel(last.body, 'next'), [])
  assert.equal((await app.inject('/tags/paged?page=4')).statusCode, 404)
  const bad = await app.inject('/tags/paged?page=abc')
  assert.equal(bad.statusCode, 400)
  assert.match(bad.headers['content-type'] as string, /^text\/html/)
})

test('tags that differ only in punctuation, like C++ and C#, stay separate topics', {}, async (t) => {
  const { app, db } = await createTestApp(t)
  const cpp = createPost(db, { title: 'Templates', tags: ['C++'] })
  const csharp = createPost(db, { title: 'LINQ', tags: ['C#'] })

  const cppPage = mainOf((await app.inject(`/posts/${cpp.slug}`)).body)
  const csharpPage = mainOf((await app.inject(`/posts/${csharp.slug}`)).body)

  assert.match(cppPage, /class="tag"[^>]*>C\+\+</)
  assert.match(csharpPage, /class="tag"[^>]*>C#</)
})

test('a tag written in a non-Latin script is kept, not silently dropped', {}, async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Tokyo notes', tags: ['日本語'] })
  const main = mainOf((await app.inject(`/posts/${post.slug}`)).body)
  assert.match(main, /class="tag"[^>]*>日本語</)
})

test('/tags lists every topic with public posts and how many there are', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'One', tags: ['Caching', 'SQLite'] })
  createPost(db, { title: 'Two', tags: ['SQLite'] })

  const res = await app.inject('/tags')

  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(main, /<a class="tag" href="\/tags\/caching">Caching<\/a> <span class="count">1<\/span>/)
  assert.match(main, /<a class="tag" href="\/tags\/sqlite">SQLite<\/a> <span class="count">2<\/span>/)
})

test('/tags on a new blog says there are no topics yet', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/tags')
  assert.equal(res.statusCode, 200)
  assert.match(mainOf(res.body), /No topics yet/)
})

test('a series page lists its parts in order', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Deploying, part three', series: 'Deploying Folio', seriesPart: 3, daysAgo: 1 })
  createPost(db, { title: 'Deploying, part one', series: 'Deploying Folio', seriesPart: 1, daysAgo: 2 })
  createPost(db, { title: 'Deploying, part two', series: 'Deploying Folio', seriesPart: 2, daysAgo: 3 })
  createPost(db, { title: 'Not in the series' })

  const res = await app.inject('/series/deploying-folio')

  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(main, /<h1>Deploying Folio<\/h1>/)
  assert.match(main, /A series in 3 parts/)
  assert.match(main, /<ol class="series-list">/)
  const one = main.indexOf('Deploying, part one')
  const two = main.indexOf('Deploying, part two')
  const three = main.indexOf('Deploying, part three')
  assert.ok(one !== -1 && one < two && two < three, 'parts one, two, three in order')
  assert.doesNotMatch(main, /Not in the series/)
  // The list is the series: no part repeats "Part N of M" as a link back to this very page.
  assert.doesNotMatch(main, /Part 1 of 3 in Deploying Folio/)
  assert.doesNotMatch(main, /<a href="\/series\/deploying-folio">/)
  assert.deepEqual(linkRel(res.body, 'canonical'), ['https://blog.example.com/series/deploying-folio'])
})

test('an unknown series is a 404 page', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/series/no-such-series')
  assert.equal(res.statusCode, 404)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
})
