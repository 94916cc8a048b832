// Checks /sitemap.xml and /robots.txt: every public page listed with an absolute URL, nothing hidden.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp } from '../../helpers/app.ts'
import { createPage, createPost, fromNow } from '../../helpers/fixtures.ts'

const SITE = 'https://blog.example.com'

const locs = (xml: string): string[] => [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1] ?? '')

test('the sitemap lists every public post, page, tag and series with absolute URLs, and nothing hidden', async (t) => {
  const { app, db } = await createTestApp(t)
  const one = createPost(db, { title: 'First post', tags: ['Public tag'], series: 'Public series' })
  const two = createPost(db, {
    title: 'Second post',
    kind: 'link',
    linkUrl: 'https://example.org/',
    bodyMd: 'Nice.',
  })
  const draft = createPost(db, {
    title: 'Draft post',
    status: 'draft',
    tags: ['Draft tag'],
    series: 'Draft series',
  })
  const future = createPost(db, {
    title: 'Future post',
    status: 'scheduled',
    publishedAt: fromNow(60 * 60 * 1000),
    tags: ['Future tag'],
  })
  createPage(db, { title: 'About' })
  createPage(db, { title: 'Unfinished page', status: 'draft' })

  const res = await app.inject('/sitemap.xml')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^application\/xml/)
  assert.match(res.body, /^<\?xml version="1.0" encoding="UTF-8"\?>/)
  assert.match(res.body, /<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/)
  const urls = locs(res.body)
  for (const expected of [
    `${SITE}/`,
    `${SITE}/posts`,
    `${SITE}/posts/${one.slug}`,
    `${SITE}/posts/${two.slug}`,
    `${SITE}/about`,
    `${SITE}/tags/public-tag`,
    `${SITE}/series/public-series`,
  ]) {
    assert.ok(urls.includes(expected), `lists ${expected}`)
  }
  for (const hidden of [
    `${SITE}/posts/${draft.slug}`,
    `${SITE}/posts/${future.slug}`,
    `${SITE}/unfinished-page`,
    `${SITE}/tags/draft-tag`,
    `${SITE}/tags/future-tag`,
    `${SITE}/series/draft-series`,
  ]) {
    assert.ok(!urls.includes(hidden), `does not list ${hidden}`)
  }
  for (const url of urls) assert.ok(url.startsWith(`${SITE}/`), `${url} is absolute`)
  assert.equal(new Set(urls).size, urls.length, 'no URL twice')
  assert.match(res.body, /<lastmod>\d{4}-\d{2}-\d{2}T/)
})

test('the sitemap of a new blog lists the home page', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/sitemap.xml')
  assert.equal(res.statusCode, 200)
  assert.ok(locs(res.body).includes(`${SITE}/`))
})

test('robots.txt points to the absolute sitemap URL and keeps crawlers out of the admin', async (t) => {
  const { app } = await createTestApp(t)

  const res = await app.inject('/robots.txt')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/plain/)
  assert.match(res.body, /^User-agent: \*$/m)
  assert.match(res.body, /^Disallow: \/admin$/m)
  assert.match(res.body, /^Sitemap: https:\/\/blog.example.com\/sitemap.xml$/m)
})

test('the sitemap and robots.txt follow SITE_URL', async (t) => {
  const { app, db } = await createTestApp(t, { SITE_URL: 'http://localhost:4000/' })
  const post = createPost(db, { title: 'Local' })
  assert.match((await app.inject('/robots.txt')).body, /^Sitemap: http:\/\/localhost:4000\/sitemap.xml$/m)
  assert.ok(
    locs((await app.inject('/sitemap.xml')).body).includes(`http://localhost:4000/posts/${post.slug}`),
  )
})
