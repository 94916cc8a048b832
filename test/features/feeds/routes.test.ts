// Checks the three feeds: Atom, RSS 2.0 and JSON Feed 1.1, with full content and absolute URLs.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import sharp from 'sharp'
import type { Db } from '../../../src/db/client.ts'
import { saveUpload } from '../../../src/features/media/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'

const SITE = 'https://blog.example.com'

function blog(db: Db) {
  const article = createPost(db, {
    title: 'Images in feeds',
    bodyMd:
      '## Setup\n\nSee ![a diagram](/media/diagram.png) and [the other post](/posts/other).\n\nSecond paragraph.',
    tags: ['Feeds'],
    daysAgo: 2,
  })
  const link = createPost(db, {
    title: 'A link worth following',
    kind: 'link',
    linkUrl: 'https://example.org/article',
    bodyMd: 'My commentary.',
    quoteMd: 'The quoted passage.',
    daysAgo: 1,
  })
  return { article, link }
}

/** The HTML a feed reader gets from each `type="html"` element: CDATA taken as is, otherwise XML-unescaped. */
function atomHtmlValues(xml: string): string[] {
  return [...xml.matchAll(/<(title|summary|content) type="html">([\s\S]*?)<\/\1>/g)].map((m) => {
    const raw = m[2] ?? ''
    const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(raw)
    if (cdata) return cdata[1] ?? ''
    return raw
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
  })
}

test('/feed.xml is an Atom feed of full posts with absolute links', async (t) => {
  const { app, db } = await createTestApp(t)
  const { article, link } = blog(db)

  const res = await app.inject('/feed.xml')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^application\/atom\+xml/)
  assert.match(res.body, /^<\?xml version="1.0" encoding="utf-8"\?>/)
  assert.match(res.body, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/)
  assert.match(res.body, new RegExp(`<link rel="self" href="${SITE}/feed.xml"/>`))
  assert.equal((res.body.match(/<entry>/g) ?? []).length, 2)
  assert.match(res.body, new RegExp(`<link href="${SITE}/posts/${article.slug}"/>`))
  assert.match(res.body, new RegExp(`<id>${SITE}/posts/${link.slug}</id>`))
  assert.match(res.body, /Second paragraph\./, 'full content, not an excerpt')
  assert.match(res.body, new RegExp(`src="${SITE}/media/diagram.png"`), 'images absolute')
  assert.match(res.body, new RegExp(`href="${SITE}/posts/other"`), 'links absolute')
  assert.doesNotMatch(res.body, /(src|href)="\/(?!\/)/, 'no root-relative URLs left')
  assert.doesNotMatch(res.body, /class="anchor"/, 'no heading anchors in feed content')
  assert.ok(res.body.indexOf(link.slug) < res.body.indexOf(article.slug), 'newest first')
})

test('a link post in the Atom feed carries the quote and the link it points to', async (t) => {
  const { app, db } = await createTestApp(t)
  blog(db)
  const xml = (await app.inject('/feed.xml')).body
  assert.match(
    xml,
    /<blockquote cite="https:\/\/example.org\/article"><p>The quoted passage\.<\/p><\/blockquote>/,
  )
  assert.match(xml, /<a href="https:\/\/example.org\/article">/)
})

test('/rss.xml is an RSS 2.0 feed with absolute links and full content', async (t) => {
  const { app, db } = await createTestApp(t)
  const { article, link } = blog(db)

  const res = await app.inject('/rss.xml')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^application\/rss\+xml/)
  assert.match(res.body, /<rss version="2.0"/)
  assert.equal((res.body.match(/<item>/g) ?? []).length, 2)
  assert.match(res.body, new RegExp(`<link>${SITE}/posts/${article.slug}</link>`))
  assert.match(res.body, new RegExp(`<link>${SITE}/posts/${link.slug}</link>`))
  assert.match(res.body, /<content:encoded>/)
  assert.match(res.body, new RegExp(`src="${SITE}/media/diagram.png"`))
  assert.match(res.body, /<pubDate>[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4}/)
})

test('/feed.json is a JSON Feed 1.1 with full HTML content and absolute URLs', async (t) => {
  const { app, db } = await createTestApp(t)
  const { article, link } = blog(db)

  const res = await app.inject('/feed.json')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^application\/feed\+json/)
  const feed = JSON.parse(res.body) as {
    version: string
    title: string
    home_page_url: string
    feed_url: string
    items: {
      id: string
      url: string
      title: string
      content_html: string
      external_url?: string
      date_published: string
    }[]
  }
  assert.equal(feed.version, 'https://jsonfeed.org/version/1.1')
  assert.equal(feed.home_page_url, `${SITE}/`)
  assert.equal(feed.feed_url, `${SITE}/feed.json`)
  assert.equal(feed.items.length, 2)
  const [first, second] = feed.items
  assert.equal(first?.url, `${SITE}/posts/${link.slug}`)
  assert.equal(first?.external_url, 'https://example.org/article')
  assert.equal(second?.url, `${SITE}/posts/${article.slug}`)
  assert.equal(second?.external_url, undefined)
  assert.match(second?.content_html ?? '', /Second paragraph\./)
  assert.match(second?.content_html ?? '', new RegExp(`src="${SITE}/media/diagram.png"`))
  assert.ok(!Number.isNaN(Date.parse(second?.date_published ?? '')))
})

test('feeds hold the newest 20 posts', async (t) => {
  const { app, db } = await createTestApp(t)
  for (let i = 0; i < 25; i++) createPost(db, { daysAgo: i + 1 })
  assert.equal((JSON.parse((await app.inject('/feed.json')).body) as { items: unknown[] }).items.length, 20)
  assert.equal(((await app.inject('/feed.xml')).body.match(/<entry>/g) ?? []).length, 20)
})

test('feeds of a new blog are valid and empty', async (t) => {
  const { app } = await createTestApp(t)
  for (const url of ['/feed.xml', '/rss.xml', '/feed.json']) {
    assert.equal((await app.inject(url)).statusCode, 200, url)
  }
  assert.deepEqual((JSON.parse((await app.inject('/feed.json')).body) as { items: unknown[] }).items, [])
})

test('markup-like text in a title or summary is escaped for feed readers', {}, async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, {
    title: 'Why </script><script>alert(1)</script> matters',
    bodyMd: 'Never trust `<img src=x onerror=alert(1)>`.',
  })

  const atom = (await app.inject('/feed.xml')).body
  for (const html of atomHtmlValues(atom)) {
    assert.ok(!/<script|<img/i.test(html), `Atom html element contains markup: ${html.slice(0, 80)}`)
  }
  const rss = (await app.inject('/rss.xml')).body
  const description =
    /<item>[\s\S]*?<description><!\[CDATA\[([\s\S]*?)\]\]><\/description>/.exec(rss)?.[1] ?? ''
  assert.ok(!/<img/i.test(description), `RSS description contains markup: ${description}`)
})

test('every HTML page links all three feeds with <link rel="alternate">', async (t) => {
  const { app, db } = await createTestApp(t)
  const { article, link } = blog(db)
  createPost(db, { title: 'In a series', series: 'Feed series' })
  createPage(db, { title: 'About' })

  for (const url of [
    '/',
    '/posts',
    `/posts/${article.slug}`,
    `/posts/${link.slug}`,
    '/tags',
    '/tags/feeds',
    '/series/feed-series',
    '/about',
    '/search?q=feeds',
    '/no-such-page',
    '/posts?page=abc',
  ]) {
    const html = (await app.inject(url)).body
    assert.match(html, /<link rel="alternate" type="application\/atom\+xml" [^>]*href="\/feed.xml">/, url)
    assert.match(html, /<link rel="alternate" type="application\/rss\+xml" [^>]*href="\/rss.xml">/, url)
    assert.match(html, /<link rel="alternate" type="application\/feed\+json" [^>]*href="\/feed.json">/, url)
  }
})

test('a post’s feature image leads its content in every feed, and is the JSON Feed item’s image', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const image = await saveUpload(db, config.mediaDir, {
    buffer: await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#369' } })
      .jpeg()
      .toBuffer(),
    originalName: 'harbour.jpg',
    alt: 'Boats in the harbour',
  })
  createPost(db, { title: 'Pictured', bodyMd: 'The words.', featureImage: String(image.id), daysAgo: 1 })
  createPost(db, { title: 'Plain', bodyMd: 'No picture.', daysAgo: 2 })
  const img = `<p><img src="${SITE}/media/${image.fileName}" alt="Boats in the harbour" width="1200" height="600"></p>`

  const atom = atomHtmlValues((await app.inject('/feed.xml')).body).filter((html) => html.includes('<p>'))
  assert.ok(atom[0]?.startsWith(img), 'the Atom content starts with the picture')
  assert.ok(!atom[1]?.includes('<img'), 'a post without one gets none')
  assert.ok((await app.inject('/rss.xml')).body.includes(img))

  const json = JSON.parse((await app.inject('/feed.json')).body)
  assert.equal(json.items[0].image, `${SITE}/media/${image.fileName}`)
  assert.ok(json.items[0].content_html.startsWith(img))
  assert.equal(json.items[1].image, undefined)
})
