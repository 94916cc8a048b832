// Checks a post as the fediverse sees it: an Article with its words, hashtags, picture and absolute links.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import sharp from 'sharp'
import { hashtagName, postObject } from '../../../src/features/federation/objects.ts'
import { saveUpload } from '../../../src/features/media/service.ts'
import { createTestApp, createTestDb } from '../../helpers/app.ts'
import { createPost, DAY, fromNow } from '../../helpers/fixtures.ts'

const SITE = 'https://blog.example.com'
const AP = 'application/activity+json'

async function fetchObject(app: Awaited<ReturnType<typeof createTestApp>>['app'], id: number) {
  const res = await app.inject({ url: `/ap/posts/${id}`, headers: { accept: AP } })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/activity+json; charset=utf-8')
  return JSON.parse(res.body)
}

test('an article is an Article with its title, summary, full HTML, canonical URL and dates', async (t) => {
  const { app, db } = await createTestApp(t)
  const { id, slug } = createPost(db, {
    title: 'Fast pages & you',
    bodyMd: '## A heading\n\nSee [the list](/posts) and ![a chart](/media/chart.png).',
    metaDescription: 'Why Array<T> & speed matter.',
    daysAgo: 3,
  })
  const article = await fetchObject(app, id)
  assert.equal(article.id, `${SITE}/ap/posts/${id}`)
  assert.equal(article.type, 'Article')
  assert.equal(article.attributedTo, `${SITE}/ap/actor`)
  assert.equal(article.name, 'Fast pages & you')
  // Read as HTML by servers: the plain-text description arrives escaped, not as markup.
  assert.equal(article.summary, '<p>Why Array&lt;T&gt; &amp; speed matter.</p>')
  assert.equal(article.url, `${SITE}/posts/${slug}`)
  assert.ok(article.to.includes('https://www.w3.org/ns/activitystreams#Public'))
  assert.ok(article.cc.includes(`${SITE}/ap/followers`))
  assert.match(article.published, /^\d{4}-\d\d-\d\dT/)
  assert.match(article.content, /<h2[^>]*>A heading<\/h2>/)
  assert.match(article.content, /href="https:\/\/blog\.example\.com\/posts"/)
  assert.match(article.content, /src="https:\/\/blog\.example\.com\/media\/chart\.png"/)
  assert.doesNotMatch(article.content, /(?:href|src)="\/(?!\/)/, 'no root-relative URL is left')
  assert.doesNotMatch(article.content, /class="anchor"/, 'no "#" heading anchors')
  assert.deepEqual(article.attachment, [])
})

test('tags become hashtags made of their letters and digits, linking to the tag pages', async (t) => {
  const { app, db } = await createTestApp(t)
  const { id } = createPost(db, { title: 'Tagged', tags: ['Web Performance', 'CSS', 'café-2024', '++'] })
  const article = await fetchObject(app, id)
  const byName = new Map(article.tag.map((tag: { name: string }) => [tag.name, tag]))
  assert.deepEqual([...byName.keys()].sort(), ['#CSS', '#WebPerformance', '#café2024'])
  const performance = byName.get('#WebPerformance') as { type: string; href: string }
  assert.equal(performance.type, 'Hashtag')
  assert.match(performance.href, /^https:\/\/blog\.example\.com\/tags\/web-performance$/)
})

test('a hashtag keeps letters of any script and drops the rest', () => {
  assert.equal(hashtagName('Node.js'), '#Nodejs')
  assert.equal(hashtagName('日本語 テキスト'), '#日本語テキスト')
  assert.equal(hashtagName('snake_case'), '#snake_case')
  assert.equal(hashtagName('<script>'), '#script')
  assert.equal(hashtagName('!!!'), undefined)
})

test('the feature image is the attachment, with its type, absolute URL, alt text and size', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const image = await saveUpload(db, config.mediaDir, {
    buffer: await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#369' } })
      .jpeg()
      .toBuffer(),
    originalName: 'harbour.jpg',
    alt: 'Boats in the harbour',
  })
  const { id } = createPost(db, { title: 'Pictured', featureImage: String(image.id) })
  const article = await fetchObject(app, id)
  assert.deepEqual(article.attachment, [
    {
      type: 'Image',
      mediaType: 'image/jpeg',
      url: `${SITE}/media/${image.fileName}`,
      name: 'Boats in the harbour',
      width: 1200,
      height: 600,
    },
  ])
})

test('a link post is an Article whose content carries the quote and the link', async (t) => {
  const { app, db } = await createTestApp(t)
  const { id } = createPost(db, {
    title: 'Worth reading',
    kind: 'link',
    linkUrl: 'https://example.org/essay?a=1&b=2',
    quoteMd: 'A line from the essay.',
    bodyMd: 'My thoughts on it.',
  })
  const article = await fetchObject(app, id)
  assert.equal(article.type, 'Article')
  assert.match(article.content, /My thoughts on it\./)
  assert.match(
    article.content,
    /<blockquote cite="https:\/\/example\.org\/essay\?a=1&amp;b=2"><p>A line from the essay\.<\/p>/,
  )
  assert.match(article.content, /<a href="https:\/\/example\.org\/essay\?a=1&amp;b=2">/)
})

test('a draft, a scheduled post and a missing one have no object: 404 for a server, the 404 page for a browser', async (t) => {
  const { app, db } = await createTestApp(t)
  const draft = createPost(db, { title: 'Draft', status: 'draft' })
  const scheduled = createPost(db, { title: 'Later', status: 'scheduled', publishedAt: fromNow(DAY) })
  for (const url of [`/ap/posts/${draft.id}`, `/ap/posts/${scheduled.id}`, '/ap/posts/9999']) {
    const res = await app.inject({ url, headers: { accept: AP } })
    assert.equal(res.statusCode, 404, url)
    assert.doesNotMatch(res.body, /Draft|Later/)
    const page = await app.inject({ url, headers: { accept: 'text/html' } })
    assert.equal(page.statusCode, 404, url)
    assert.match(String(page.headers['content-type']), /^text\/html/)
  }
  for (const url of [
    '/ap/posts/abc',
    '/ap/posts/0',
    '/ap/posts/-1',
    '/ap/posts/1e3',
    `/ap/posts/${'9'.repeat(40)}`,
  ]) {
    assert.equal((await app.inject({ url, headers: { accept: AP } })).statusCode, 404, url)
  }
})

test('postObject answers only while the post is public', (t) => {
  const { db } = createTestDb(t)
  const { id } = createPost(db, { title: 'Soon', status: 'scheduled', publishedAt: fromNow(DAY) })
  assert.equal(postObject(db, SITE, id, new Date()), undefined)
  assert.equal(postObject(db, SITE, id, fromNow(2 * DAY))?.type, 'Article')
})

test('a browser that opens an object id is sent to the post, which keeps its object id after a new slug', async (t) => {
  const { app, db } = await createTestApp(t)
  const { id, slug } = createPost(db, { title: 'Moved' })
  const res = await app.inject({ url: `/ap/posts/${id}`, headers: { accept: 'text/html' } })
  assert.equal(res.statusCode, 302)
  assert.equal(res.headers.location, `/posts/${slug}`)
  db.$client.prepare('update posts set slug = ? where id = ?').run('moved-on', id)
  const article = await fetchObject(app, id)
  assert.equal(article.id, `${SITE}/ap/posts/${id}`)
  assert.equal(article.url, `${SITE}/posts/moved-on`)
})
