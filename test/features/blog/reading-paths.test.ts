// Checks the ways a reader finds more: the author box that ends an article, links to /tags, and
// list headings that say which page this is.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, createPosts } from '../../helpers/fixtures.ts'
import { mainOf } from '../../helpers/html.ts'

test('an article ends with an author box: name, bio and a way to get in touch', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, {
    authorName: 'Sam <Rivera>',
    authorBioMd: 'I help small teams ship **fast** sites. <script>alert(1)</script>',
    servicesTitle: 'Need some help?',
  })
  const { slug } = createPost(db, { title: 'An article' })
  const main = mainOf((await app.inject(`/posts/${slug}`)).body)

  const box = main.slice(main.indexOf('<aside class="author-box"'))
  assert.ok(box.length < main.length, 'the article has an author box')
  assert.match(box, /Written by Sam &lt;Rivera&gt;/)
  assert.match(box, /I help small teams ship <strong>fast<\/strong> sites\./)
  assert.doesNotMatch(box, /<script>/)
  assert.match(box, /Need some help\? <a href="\/contact">Get in touch →<\/a>/)
  assert.ok(main.indexOf('author-box') > main.indexOf('post__body'), 'after the text')
})

test('a link post has no author box: it is a pointer to someone else', async (t) => {
  const { app, db } = await createTestApp(t)
  const { slug } = createPost(db, { title: 'A link', kind: 'link', linkUrl: 'https://example.com/' })
  assert.doesNotMatch((await app.inject(`/posts/${slug}`)).body, /author-box/)
})

test('every page links to /tags, and lists of posts offer browsing by topic', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Tagged', tags: ['SQLite'] })
  for (const url of ['/', '/posts', '/contact', '/tags/sqlite']) {
    const body = (await app.inject(url)).body
    assert.match(body, /<a href="\/tags"[^>]*>Topics<\/a>/, `${url} links to /tags in its footer`)
  }
  assert.match(mainOf((await app.inject('/posts')).body), /<a href="\/tags">Browse by topic<\/a>/)
  assert.match((await app.inject('/tags')).body, /<a href="\/tags" aria-current="page">Topics<\/a>/)
})

test('a later page of a list says which page it is in its heading', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { postsPerPage: 5 })
  createPosts(db, 12, { tags: ['Node'] })
  assert.match(mainOf((await app.inject('/posts')).body), /<h1>Writing<\/h1>/)
  assert.match(mainOf((await app.inject('/posts?page=2')).body), /<h1>Writing, page 2 of 3<\/h1>/)
  assert.match(
    mainOf((await app.inject('/tags/node?page=3')).body),
    /<h1>Posts tagged “Node”, page 3 of 3<\/h1>/,
  )
})
