// Journey 1 in real Chromium: a visitor reads the blog the way people do, by following links from the home page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { launchBrowser, openPage, requireChromium, startSite, visibleText } from '../helpers/browser.ts'
import { createPost } from '../helpers/fixtures.ts'

const LINK_TARGET = 'https://example.org/essays/the-case-for-boring-technology'

test('a visitor reads an article, follows a tag, searches, checks a link post, finds the feed and reads a series', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const site = await startSite(t)
  const { db } = site

  // A series of three parts, oldest first, so the newest posts on the home page are the others.
  for (const [part, title] of [
    [1, 'Rebuilding a shop: measuring first'],
    [2, 'Rebuilding a shop: the slow queries'],
    [3, 'Rebuilding a shop: shipping it'],
  ] as const) {
    createPost(db, {
      title,
      bodyMd: `Part ${part} of the story.\n\nWhat happened next, in detail.`,
      series: 'Rebuilding a shop',
      seriesPart: part,
      tags: ['Case study'],
      daysAgo: 20 - part,
    })
  }
  createPost(db, {
    title: 'Tuning SQLite for a small VPS',
    bodyMd:
      'One file, no server, and thousands of writes a second.\n\n## The pragmas\n\nTurn on WAL and a busy timeout; run VACUUM INTO for backups.',
    tags: ['SQLite', 'Performance'],
    daysAgo: 3,
  })
  createPost(db, {
    title: 'Why the first paint is late',
    bodyMd: 'A render-blocking stylesheet costs a round trip.\n\nInline the critical part.',
    tags: ['Performance'],
    daysAgo: 2,
  })
  const linkPost = createPost(db, {
    title: 'The case for boring technology',
    kind: 'link',
    linkUrl: LINK_TARGET,
    bodyMd: 'An essay I send to every client who wants a new database.',
    quoteMd: 'Let’s say every company gets about three innovation tokens.',
    daysAgo: 1,
  })

  const browser = await launchBrowser(t)
  const { page } = await openPage(browser)

  // 1. The home page, then "Read more →" on the SQLite article.
  const home = await page.goto(`${site.baseUrl}/`)
  assert.equal(home?.status(), 200)
  const card = page.locator('article.post-card').filter({ hasText: 'Tuning SQLite for a small VPS' })
  const readMore = card.locator('.read-more a')
  assert.match(await visibleText(readMore), /^Read more/)
  assert.match(await visibleText(readMore), /→$/)
  await readMore.click()
  await page.waitForURL(/\/posts\/tuning-sqlite-for-a-small-vps$/)
  assert.equal(await visibleText(page.locator('main h1')), 'Tuning SQLite for a small VPS')
  assert.match(await visibleText(page.locator('.post__body')), /Turn on WAL and a busy timeout/)

  // 2. A tag link under the title lists every post with that tag.
  await page.locator('.post__header a.tag', { hasText: 'Performance' }).click()
  await page.waitForURL(/\/tags\/performance$/)
  assert.equal(await visibleText(page.locator('main h1')), 'Posts tagged “Performance”')
  const tagged = await page.locator('main .post-card__title').allInnerTexts()
  assert.deepEqual(tagged.map((s) => s.trim()).sort(), [
    'Tuning SQLite for a small VPS',
    'Why the first paint is late',
  ])

  // 3. The header's search box: type and press Enter.
  const searchBox = page.getByRole('searchbox', { name: 'Search posts' })
  await searchBox.fill('vacuum')
  await searchBox.press('Enter')
  await page.waitForURL(/\/search\?q=vacuum$/)
  const results = page.locator('.search-results .search-result')
  await results.first().waitFor()
  assert.equal(await results.count(), 1)
  assert.equal(await visibleText(results.locator('h2 a')), 'Tuning SQLite for a small VPS')
  assert.match(await visibleText(page.locator('.search-count')), /1/)
  await results.locator('h2 a').click()
  await page.waitForURL(/\/posts\/tuning-sqlite-for-a-small-vps$/)

  // 4. A link post: its title on the home page links out; its permalink page links out too.
  await page.locator('.site-title').click()
  await page.waitForURL(`${site.baseUrl}/`)
  const linkCard = page
    .locator('article.post-card--link')
    .filter({ hasText: 'The case for boring technology' })
  assert.equal(await linkCard.locator('.post-card__title a').getAttribute('href'), LINK_TARGET)
  await linkCard.getByRole('link', { name: /Permalink/ }).click()
  await page.waitForURL(new RegExp(`/posts/${linkPost.slug}$`))
  const titleLink = page.locator('main h1 a')
  assert.equal(await visibleText(titleLink), 'The case for boring technology')
  assert.equal(await titleLink.getAttribute('href'), LINK_TARGET)
  assert.equal(await page.locator('.link-host a').getAttribute('href'), LINK_TARGET)
  assert.equal(await visibleText(page.locator('.link-host a')), 'example.org')
  assert.match(await visibleText(page.locator('blockquote.link-quote')), /three innovation tokens/)

  // 5. Subscribing: the page advertises its Atom feed, the footer links to it, and it is Atom XML.
  const advertised = await page
    .locator('link[rel="alternate"][type="application/atom+xml"]')
    .getAttribute('href')
  const footerLink = page.locator('.site-footer').getByRole('link', { name: 'Atom feed' })
  await footerLink.waitFor()
  const footerHref = await footerLink.getAttribute('href')
  assert.ok(advertised && footerHref, 'the feed is linked from <head> and from the footer')
  const feedUrl = new URL(footerHref, page.url()).href
  assert.equal(new URL(advertised, page.url()).href, feedUrl)
  const feed = await page.request.get(feedUrl)
  assert.equal(feed.status(), 200)
  assert.match(feed.headers()['content-type'] ?? '', /^application\/atom\+xml/)
  const xml = await feed.text()
  assert.match(xml, /^<\?xml/)
  assert.match(xml, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/)
  for (const title of ['Tuning SQLite for a small VPS', 'The case for boring technology']) {
    assert.ok(xml.includes(title), `the feed has “${title}”`)
  }

  // 6. A series, part to part: the home page's "Part n of 3" label, then each "next part" link.
  await page.locator('.site-title').click()
  await page.waitForURL(`${site.baseUrl}/`)
  await page.locator('.post-card .series-label a', { hasText: 'Part 1 of 3 in Rebuilding a shop' }).click()
  await page.waitForURL(/\/series\/rebuilding-a-shop$/)
  assert.equal(await visibleText(page.locator('main h1')), 'Rebuilding a shop')
  await page.locator('.series-list .post-card__title a').first().click()
  for (const part of [1, 2, 3]) {
    await page.waitForURL(
      new RegExp(
        `/posts/rebuilding-a-shop-${['measuring-first', 'the-slow-queries', 'shipping-it'][part - 1]}$`,
      ),
    )
    assert.equal(
      await visibleText(page.locator('.post__header .series-label')),
      `Part ${part} of 3 in Rebuilding a shop`,
    )
    assert.match(await visibleText(page.locator('.post__body')), new RegExp(`Part ${part} of the story`))
    const here = page.locator('nav.series-nav li:has([aria-current="page"])')
    assert.match(await visibleText(here), /\(you are here\)/)
    const next = page.locator('nav.series-nav li:has([aria-current="page"]) + li a')
    if (part < 3) await next.click()
    else assert.equal(await next.count(), 0, 'the last part has no next part')
  }
})
