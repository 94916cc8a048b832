// Checks the admin's pages screens: list, editor, preview, navigation, reserved slugs and deleting.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { findPage, PAGE_LIMITS } from '../../../src/features/content/pages.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPage } from '../../helpers/fixtures.ts'
import { mainOf } from '../../helpers/html.ts'

const pageForm = (fields: Record<string, string> = {}): Record<string, string> => ({
  title: 'Work with me',
  slug: '',
  body: 'I help small teams ship **fast** websites.',
  meta_description: '',
  status: 'published',
  nav_order: '1',
  ...fields,
})

const navOf = (html: string): string =>
  html.slice(
    html.indexOf('<nav class="site-nav"'),
    html.indexOf('</nav>', html.indexOf('<nav class="site-nav"')),
  )

const countPages = (db: Db): number =>
  (db.$client.prepare('select count(*) as n from pages').get() as { n: number }).n

test('the pages list shows every page with its address, status and navigation place, navigation first', async (t) => {
  const { app, db } = await createTestApp(t)
  createPage(db, { title: 'Colophon', navOrder: null })
  createPage(db, { title: 'Work with me', navOrder: 2 })
  createPage(db, { title: 'About', navOrder: 1 })
  createPage(db, { title: 'Secret plans', status: 'draft', navOrder: null })
  const author = await signIn(app, db)

  const res = await author.get('/admin/pages')

  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(main, /href="\/admin\/pages\/new"[^>]*>New page</)
  const order = ['About', 'Work with me', 'Colophon', 'Secret plans'].map((title) =>
    main.indexOf(`>${title}</a>`),
  )
  assert.ok(
    order.every((at, i) => at > -1 && (i === 0 || at > (order[i - 1] ?? 0))),
    `pages in navigation order, then by title: ${order}`,
  )
  assert.match(main, /<a href="\/about">\/about<\/a>/, 'a published page links to its public address')
  assert.match(main, /<code>\/secret-plans<\/code>/, 'a draft has no link to a page that would 404')
  assert.match(main, /In navigation: #1/)
  assert.match(main, /In navigation: #2/)
  assert.match(main, /Not in navigation/)
  assert.match(main, /status--draft">Draft</)
  assert.match(main, /status--published">Published</)
})

test('a new published page is saved and answers at its address at once', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const form = await author.get('/admin/pages/new')
  assert.equal(form.statusCode, 200)
  assert.match(form.body, /name="title"/)
  assert.match(form.body, /Show in the site navigation/)

  const res = await author.post('/admin/pages', pageForm(), '/admin/pages/new')

  assert.equal(res.statusCode, 303)
  const location = String(res.headers.location)
  assert.match(location, /^\/admin\/pages\/\d+\?done=page-saved$/)
  const editor = await author.get(location)
  assert.match(editor.body, /Page saved\./)
  assert.match(editor.body, /https:\/\/blog\.example\.com\/work-with-me/, 'the editor shows the address')
  const page = await app.inject('/work-with-me')
  assert.equal(page.statusCode, 200)
  assert.match(mainOf(page.body), /I help small teams ship <strong>fast<\/strong> websites\./)
})

test('an edited page shows its new text on the public site at once, even after being cached', async (t) => {
  const { app, db } = await createTestApp(t)
  const id = createPage(db, { title: 'About', bodyMd: 'Old words.' })
  const author = await signIn(app, db)
  assert.match((await app.inject('/about')).body, /Old words\./)
  assert.match((await app.inject('/about')).body, /Old words\./, 'served from the page cache')

  const res = await author.post(
    `/admin/pages/${id}`,
    pageForm({ title: 'About', slug: 'about', body: 'New words.' }),
    `/admin/pages/${id}`,
  )

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/pages/${id}?done=page-saved`)
  const page = await app.inject('/about')
  assert.match(page.body, /New words\./)
  assert.doesNotMatch(page.body, /Old words\./)
})

test('a page put in the navigation shows in the public header, in its order', async (t) => {
  const { app, db } = await createTestApp(t)
  createPage(db, { title: 'About', navOrder: 5 })
  const author = await signIn(app, db)
  assert.doesNotMatch(navOf((await app.inject('/')).body), /Work with me/)

  await author.post('/admin/pages', pageForm({ in_nav: '1', nav_order: '2' }), '/admin/pages/new')
  await author.post(
    '/admin/pages',
    pageForm({ title: 'Colophon', body: 'Set in system fonts.' }),
    '/admin/pages/new',
  )

  const nav = navOf((await app.inject('/')).body)
  assert.match(nav, /<a href="\/work-with-me">Work with me<\/a>/)
  assert.ok(nav.indexOf('Work with me') < nav.indexOf('About'), 'position 2 comes before position 5')
  assert.doesNotMatch(nav, /Colophon/, 'a page without the checkbox stays out of the navigation')
  assert.equal((await app.inject('/colophon')).statusCode, 200)
})

test('a draft page is saved but not public, and not in the navigation', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/pages',
    pageForm({ title: 'Secret plans', status: 'draft', in_nav: '1' }),
    '/admin/pages/new',
  )

  assert.equal(res.statusCode, 303)
  assert.equal((await app.inject('/secret-plans')).statusCode, 404)
  assert.doesNotMatch((await app.inject('/')).body, /Secret plans/)
  const editor = await author.get(String(res.headers.location))
  assert.match(editor.body, /a draft: not public yet/)
})

test('a reserved slug gets another address and the author is told which one', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/pages',
    pageForm({ title: 'Search tips', slug: 'search' }),
    '/admin/pages/new',
  )

  assert.equal(res.statusCode, 303)
  const location = String(res.headers.location)
  assert.match(location, /\?done=page-saved-new-slug$/)
  const editor = await author.get(location)
  assert.match(editor.body, /reserved or used by another page, so this page is at \/search-2\./)
  assert.match(editor.body, /name="slug"[^>]*value="search-2"/)
  assert.equal((await app.inject('/search-2')).statusCode, 200)
  assert.match((await app.inject('/search')).body, /Search/, '/search is still the search page')
})

test('a slug another page uses gets a number, and the author is told', async (t) => {
  const { app, db } = await createTestApp(t)
  createPage(db, { title: 'About' })
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/pages',
    pageForm({ title: 'About me', slug: 'about' }),
    '/admin/pages/new',
  )

  const editor = await author.get(String(res.headers.location))
  assert.match(editor.body, /so this page is at \/about-2\./)
})

test('the editor warns before saving that a reserved address will change', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/pages',
    pageForm({ title: 'Contact', action: 'preview' }),
    '/admin/pages/new',
  )

  assert.equal(res.statusCode, 200)
  assert.match(res.body, /this address belongs to Folio itself, so a number will be added/)
})

test('an invalid page is refused with 422, messages beside the fields and the input kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/pages',
    pageForm({ title: '  ', body: 'Keep <these> words', in_nav: '1', nav_order: '1000', slug: 'my-slug' }),
    '/admin/pages/new',
  )

  assert.equal(res.statusCode, 422)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  const main = mainOf(res.body)
  assert.match(main, /id="title-error">Give the page a title/)
  assert.match(main, /name="title"[^>]*aria-invalid="true" aria-describedby="title-error"/)
  assert.match(main, /id="nav_order-error">Enter a whole number from 0 to 999/)
  assert.match(main, /Keep &lt;these&gt; words<\/textarea>/)
  assert.match(main, /name="slug"[^>]*value="my-slug"/)
  assert.match(main, /name="in_nav"[^>]*checked/)
  assert.match(main, /name="nav_order"[^>]*value="1000"/)
  assert.equal(countPages(db), 0)
})

test('a title over 200 characters, an unknown status and a huge body are refused', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/pages',
    pageForm({ title: 'x'.repeat(201), status: 'secret', body: 'y'.repeat(200_001) }),
    '/admin/pages/new',
  )

  assert.equal(res.statusCode, 422)
  assert.match(res.body, /id="title-error">Keep the title under 200 characters/)
  assert.match(res.body, /id="status-error">Choose Draft or Published/)
  assert.match(res.body, /id="body-error">The page is too long/)
})

test('a nav position is not checked when the page stays out of the navigation', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post('/admin/pages', pageForm({ nav_order: 'soon' }), '/admin/pages/new')

  assert.equal(res.statusCode, 303)
  const id = Number(/\/admin\/pages\/(\d+)/.exec(String(res.headers.location))?.[1])
  assert.equal(findPage(db, id)?.navOrder, null)
})

test('preview shows the rendered Markdown and saves nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const id = createPage(db, { title: 'About', bodyMd: 'Saved words.' })
  const author = await signIn(app, db)

  const fresh = await author.post(
    '/admin/pages',
    pageForm({ body: '## Hello\n\nA **bold** claim <script>alert(1)</script>', action: 'preview' }),
    '/admin/pages/new',
  )
  const existing = await author.post(
    `/admin/pages/${id}`,
    pageForm({ title: 'About', slug: 'about', body: 'Unsaved words.', action: 'preview' }),
    `/admin/pages/${id}`,
  )

  assert.equal(fresh.statusCode, 200)
  assert.match(fresh.body, /<h2 id="hello">Hello/)
  assert.match(fresh.body, /A <strong>bold<\/strong> claim/)
  assert.doesNotMatch(fresh.body, /<script>alert/)
  assert.match(fresh.body, /not saved yet/)
  assert.equal(existing.statusCode, 200)
  assert.match(existing.body, /<p>Unsaved words\.<\/p>/)
  assert.match(existing.body, /Unsaved words\.<\/textarea>/, 'the editor keeps what was typed')
  assert.equal(countPages(db), 1)
  assert.equal(findPage(db, id)?.bodyMd, 'Saved words.')
  assert.doesNotMatch((await app.inject('/about')).body, /Unsaved/)
})

test('deleting a page asks for confirmation first, then takes it off the site', async (t) => {
  const { app, db } = await createTestApp(t)
  const id = createPage(db, { title: 'About' })
  const author = await signIn(app, db)
  assert.equal((await app.inject('/about')).statusCode, 200)

  const confirm = await author.get(`/admin/pages/${id}/delete`)

  assert.equal(confirm.statusCode, 200)
  assert.match(confirm.body, /Delete “About”\?/)
  assert.match(confirm.body, new RegExp(`<form method="post" action="/admin/pages/${id}/delete"`))
  assert.match(confirm.body, /This cannot be undone/)
  assert.ok(findPage(db, id), 'asking is not deleting')

  const res = await author.post(`/admin/pages/${id}/delete`, {}, `/admin/pages/${id}/delete`)

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/pages?done=page-deleted')
  assert.match((await author.get('/admin/pages?done=page-deleted')).body, /Page deleted\./)
  assert.equal(findPage(db, id), undefined)
  assert.equal((await app.inject('/about')).statusCode, 404)
  assert.doesNotMatch(navOf((await app.inject('/')).body), /About/)
})

test('an unknown or malformed page id is a 404 page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  for (const url of ['/admin/pages/999', '/admin/pages/abc', '/admin/pages/999/delete', '/admin/pages/0']) {
    const res = await author.get(url)
    assert.equal(res.statusCode, 404, url)
    assert.match(res.body, /Page not found/, url)
  }
  const post = await author.post('/admin/pages/999', pageForm(), '/admin/pages')
  assert.equal(post.statusCode, 404)
  const del = await author.post('/admin/pages/999/delete', {}, '/admin/pages')
  assert.equal(del.statusCode, 404)
  assert.equal(countPages(db), 0)
})

test('saving a page without the form token is refused and changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const id = createPage(db, { title: 'About', bodyMd: 'Original.' })
  const author = await signIn(app, db)

  const res = await author.post(`/admin/pages/${id}`, pageForm({ _csrf: '' }))
  const del = await author.post(`/admin/pages/${id}/delete`, { _csrf: 'forged' })

  assert.equal(res.statusCode, 403)
  assert.equal(del.statusCode, 403)
  assert.equal(findPage(db, id)?.bodyMd, 'Original.')
})

test('the pages screens need a signed-in author', async (t) => {
  const { app } = await createTestApp(t)

  const res = await app.inject('/admin/pages/new')

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/login?next=${encodeURIComponent('/admin/pages/new')}`)
})

test('the editor’s inputs carry the page limits the form checks', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const main = mainOf((await author.get('/admin/pages/new')).body)

  assert.match(main, new RegExp(`name="title"[^>]*maxlength="${PAGE_LIMITS.title}"`))
  assert.match(main, new RegExp(`name="slug"[^>]*maxlength="${PAGE_LIMITS.slug}"`))
  assert.match(main, new RegExp(`name="meta_description"[^>]*maxlength="${PAGE_LIMITS.metaDescription}"`))
  assert.match(main, new RegExp(`name="nav_order"[^>]*max="${PAGE_LIMITS.navOrderMax}"`))
})
