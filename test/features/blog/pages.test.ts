// Checks standalone pages at /:slug (About, Work with me, …) and the navigation to them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { savePage } from '../../../src/features/content/pages.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPage } from '../../helpers/fixtures.ts'
import { linkRel, mainOf, metaContent } from '../../helpers/html.ts'

test('a published page answers at /:slug with its rendered Markdown', async (t) => {
  const { app, db } = await createTestApp(t)
  createPage(db, { title: 'About', bodyMd: 'I make **fast** websites.\n\n<script>alert(1)</script>' })

  const res = await app.inject('/about')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.match(res.body, /<title>About · Folio<\/title>/)
  const main = mainOf(res.body)
  assert.match(main, /<h1>About<\/h1>/)
  assert.match(main, /I make <strong>fast<\/strong> websites\./)
  assert.doesNotMatch(res.body, /alert\(1\)/)
  assert.deepEqual(linkRel(res.body, 'canonical'), ['https://blog.example.com/about'])
  assert.equal(metaContent(res.body, 'description'), 'I make fast websites.')
})

test('a page with a nav order appears in the site navigation, in order', async (t) => {
  const { app, db } = await createTestApp(t)
  createPage(db, { title: 'Work with me', navOrder: 2 })
  createPage(db, { title: 'About', navOrder: 1 })
  createPage(db, { title: 'Colophon', navOrder: null })

  const html = (await app.inject('/')).body
  const nav = html.slice(html.indexOf('<nav class="site-nav"'), html.indexOf('</nav>'))

  assert.match(nav, /<a href="\/about">About<\/a>/)
  assert.match(nav, /<a href="\/work-with-me">Work with me<\/a>/)
  assert.ok(nav.indexOf('About') < nav.indexOf('Work with me'))
  assert.doesNotMatch(nav, /Colophon/)
  assert.equal((await app.inject('/colophon')).statusCode, 200, 'still reachable by its URL')
})

test('a draft page is not found and is not in the navigation', async (t) => {
  const { app, db } = await createTestApp(t)
  createPage(db, { title: 'Secret plans', status: 'draft', navOrder: 1 })

  const res = await app.inject('/secret-plans')

  assert.equal(res.statusCode, 404)
  assert.doesNotMatch((await app.inject('/')).body, /Secret plans/)
})

test('a page that goes back to draft disappears', async (t) => {
  const { app, db } = await createTestApp(t)
  const id = createPage(db, { title: 'Pricing' })
  assert.equal((await app.inject('/pricing')).statusCode, 200)

  savePage(db, { title: 'Pricing', bodyMd: 'Soon.', status: 'draft' }, { id })

  assert.equal((await app.inject('/pricing')).statusCode, 404)
})

test('a page cannot take the path of one of the blog’s own routes', async (t) => {
  const { app, db } = await createTestApp(t)
  createPage(db, { title: 'Posts', bodyMd: 'A page called Posts.' })
  createPage(db, { title: 'Search', bodyMd: 'A page called Search.' })

  const posts = await app.inject('/posts')
  assert.equal(posts.statusCode, 200)
  assert.doesNotMatch(posts.body, /A page called Posts/)
  assert.doesNotMatch((await app.inject('/search')).body, /A page called Search/)
})
