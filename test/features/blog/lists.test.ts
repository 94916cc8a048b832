// Checks the home page's extras and /posts: pagination, its edges, and how each kind of post shows in a list.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, createPosts } from '../../helpers/fixtures.ts'
import { linkRel, mainOf } from '../../helpers/html.ts'

test('the home page lists the newest posts first and links to all posts when there are more', async (t) => {
  const { app, db } = await createTestApp(t)
  createPosts(db, 10)
  createPost(db, { title: 'Brand new post', daysAgo: 0.5 })

  const res = await app.inject('/')

  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(main, /Brand new post/)
  assert.ok(main.indexOf('Brand new post') < main.indexOf('Listed post 1'), 'newest first')
  assert.doesNotMatch(main, /Listed post 10\b/, 'the home page shows a handful of posts, not all of them')
  assert.match(main, /href="\/posts"/)
})

test('the home page links the services block to the contact page', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { servicesTitle: 'Need some help?', servicesMd: '- **Performance audits**' })

  const main = mainOf((await app.inject('/')).body)

  assert.match(main, /<h2 id="services-title">Need some help\?<\/h2>/)
  assert.match(main, /<strong>Performance audits<\/strong>/)
  assert.match(main, /<a class="button" href="\/contact">/)
})

test('the home page of a new blog says nothing is published yet', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/')
  assert.equal(res.statusCode, 200)
  assert.match(mainOf(res.body), /Nothing published yet/)
})

test('the intro is rendered from Markdown and hostile HTML in it is removed', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { introMd: 'Hello <script>alert(1)</script> *there* <img src=x onerror=alert(2)>' })
  const res = await app.inject('/')
  assert.match(res.body, /<em>there<\/em>/)
  assert.doesNotMatch(res.body, /alert\(1\)|onerror/)
})

test('the site title and author from settings are escaped in every place they appear', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { title: 'Sam <b>&</b> Co', authorName: '<i>Sam</i>' })
  const res = await app.inject('/')
  assert.doesNotMatch(res.body, /<b>&<\/b>|<i>Sam<\/i>/)
  assert.match(res.body, /Sam &lt;b&gt;&amp;&lt;\/b&gt; Co/)
})

test('/posts pages through posts with rel=prev/next links in the head and in the page', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { postsPerPage: 10 })
  createPosts(db, 25)

  const first = await app.inject('/posts')
  assert.equal(first.statusCode, 200)
  assert.match(first.body, /25 posts so far/)
  assert.deepEqual(linkRel(first.body, 'next'), ['https://blog.example.com/posts?page=2'])
  assert.deepEqual(linkRel(first.body, 'prev'), [])
  assert.deepEqual(linkRel(first.body, 'canonical'), ['https://blog.example.com/posts'])
  assert.match(first.body, /<a href="\/posts\?page=2" rel="next">/)
  assert.match(first.body, /Page 1 of 3/)
  assert.equal((mainOf(first.body).match(/<article class="post-card/g) ?? []).length, 10)
  assert.match(first.body, /Listed post 1</)
  assert.doesNotMatch(first.body, /Listed post 11</)

  const second = await app.inject('/posts?page=2')
  assert.equal(second.statusCode, 200)
  assert.deepEqual(linkRel(second.body, 'prev'), ['https://blog.example.com/posts'])
  assert.deepEqual(linkRel(second.body, 'next'), ['https://blog.example.com/posts?page=3'])
  assert.deepEqual(linkRel(second.body, 'canonical'), ['https://blog.example.com/posts?page=2'])
  assert.match(second.body, /Listed post 11</)
  assert.match(second.body, /Listed post 20</)
  assert.doesNotMatch(second.body, /Listed post 10</)

  const third = await app.inject('/posts?page=3')
  assert.equal(third.statusCode, 200)
  assert.deepEqual(linkRel(third.body, 'prev'), ['https://blog.example.com/posts?page=2'])
  assert.deepEqual(linkRel(third.body, 'next'), [])
  assert.equal((mainOf(third.body).match(/<article class="post-card/g) ?? []).length, 5)
  assert.match(third.body, /Listed post 25</)
})

test('a page number past the last page is not found', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { postsPerPage: 10 })
  createPosts(db, 25)

  const res = await app.inject('/posts?page=4')

  assert.equal(res.statusCode, 404)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
})

test('an empty blog still answers /posts with a page', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/posts')
  assert.equal(res.statusCode, 200)
  assert.match(res.body, /0 posts so far/)
})

for (const bad of ['0', '-1', 'abc', '1.5', '', '1e9', '99999999999999999999', '2%00']) {
  test(`/posts?page=${bad} is a 400 page explaining page numbers, never a 500`, async (t) => {
    const { app, db } = await createTestApp(t)
    createPosts(db, 3)

    const res = await app.inject(`/posts?page=${bad}`)

    assert.equal(res.statusCode, 400)
    assert.match(res.headers['content-type'] as string, /^text\/html/)
    assert.match(res.body, /page number/i)
    assert.match(res.body, /<meta name="robots" content="noindex">/)
  })
}

test('a repeated page parameter is a 400 page, never a 500', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/posts?page=1&page=2')
  assert.equal(res.statusCode, 400)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
})

test('an article in a list shows its excerpt and "Read more", not the whole body', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, {
    title: 'Long read',
    bodyMd: 'The opening paragraph.\n\nThe second paragraph, only on the post page.',
  })

  const main = mainOf((await app.inject('/posts')).body)

  assert.match(main, /The opening paragraph\./)
  assert.doesNotMatch(main, /only on the post page/)
  assert.match(main, new RegExp(`<a href="/posts/${post.slug}">Read more`))
})

test("an article's manual excerpt is what lists show", async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'With excerpt', bodyMd: 'Body text here.', excerptMd: 'A hand-written *summary*.' })

  const main = mainOf((await app.inject('/posts')).body)

  assert.match(main, /A hand-written <em>summary<\/em>\./)
  assert.doesNotMatch(main, /Body text here/)
  assert.match(main, /Read more/)
})

test('a one-paragraph article in a list has no "Read more"', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Short note', bodyMd: 'Just one paragraph.' })
  const main = mainOf((await app.inject('/posts')).body)
  assert.match(main, /Just one paragraph\./)
  assert.doesNotMatch(main, /Read more/)
})

test('a link post shows in full in a list, its title linking out, with a permalink', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, {
    title: 'A great article elsewhere',
    kind: 'link',
    linkUrl: 'https://example.org/great?x=1&y=2',
    bodyMd: 'My first thought.\n\nMy second thought.',
    quoteMd: 'The quoted passage.',
  })

  const main = mainOf((await app.inject('/posts')).body)

  assert.match(
    main,
    /<a href="https:\/\/example.org\/great\?x=1&amp;y=2" rel="noopener">A great article elsewhere<\/a>/,
  )
  assert.match(main, /\(example.org\)/)
  assert.match(main, /My first thought\./)
  assert.match(main, /My second thought\./)
  assert.match(
    main,
    /<blockquote class="link-quote" cite="https:\/\/example.org\/great\?x=1&amp;y=2"><p>The quoted passage\.<\/p><\/blockquote>/,
  )
  assert.match(main, new RegExp(`<a href="/posts/${post.slug}">Permalink`))
  assert.doesNotMatch(main, /Read more/)
})

test('posts in a list show their date, reading time and tags', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, {
    title: 'Tagged post',
    publishedAt: new Date('2024-03-05T10:00:00Z'),
    tags: ['SQLite', 'Performance'],
  })

  const main = mainOf((await app.inject('/posts')).body)

  assert.match(main, /<time datetime="2024-03-05T10:00:00.000Z">5 March 2024<\/time>/)
  assert.match(main, /1 min read/)
  assert.match(main, /<a class="tag" href="\/tags\/sqlite">SQLite<\/a>/)
  assert.match(main, /<a class="tag" href="\/tags\/performance">Performance<\/a>/)
})
