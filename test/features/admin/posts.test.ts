// Checks the admin's posts screens: the list and its filters, the editor, its validation, scheduling, renames, deleting and preview.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { fromLocalInput, toLocalInput } from '../../../src/lib/dates.ts'
import { postForm, signIn } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { createPost, DAY, fromNow } from '../../helpers/fixtures.ts'
import { mainOf, sleep } from '../../helpers/html.ts'

const idFrom = (location: unknown): number => Number(/^\/admin\/posts\/(\d+)\?/.exec(String(location))?.[1])

/** The titles in the list's table, in order. */
const listedTitles = (html: string): string[] =>
  [...html.matchAll(/<td><a href="\/admin\/posts\/\d+">([^<]*)<\/a><\/td>/g)].map((m) => m[1] ?? '')

const countRows = (db: Db): number => rowCount(db, 'posts')

/** The document the preview frame shows: its srcdoc attribute, unescaped as a browser reads it. */
function previewDocumentOf(html: string): string {
  const srcdoc = /<iframe id="post-preview-content"[^>]* srcdoc="([^"]*)"/.exec(html)?.[1]
  assert.ok(srcdoc, 'the preview frame has a document')
  return srcdoc
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

test('an unsigned visit to the posts list goes to sign-in and comes back after', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/admin/posts')
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/login?next=%2Fadmin%2Fposts')
})

test('the list shows every post, most recently edited first, with drafts and scheduled posts marked', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  createPost(db, { title: 'Old published', tags: ['CSS'] })
  createPost(db, { title: 'A draft', status: 'draft', publishedAt: undefined })
  createPost(db, { title: 'Coming soon', status: 'scheduled', publishedAt: fromNow(3 * DAY) })

  const res = await author.get('/admin/posts')
  assert.equal(res.statusCode, 200)
  const html = mainOf(res.body)
  assert.deepEqual(listedTitles(html), ['Coming soon', 'A draft', 'Old published'])
  assert.match(html, /status--draft">Draft</)
  assert.match(html, /status--scheduled">Scheduled<\/span><br><span class="muted">goes live <time/)
  assert.match(html, /status--published">Published</)
  assert.match(html, /href="\/admin\/posts\?tag=css">CSS</)
  // Only a public post gets a "view" link.
  assert.equal((html.match(/>view</g) ?? []).length, 1)
  assert.match(html, /href="\/posts\/old-published">view/)
})

test('the list filters by status, kind, tag and words in the title', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  createPost(db, { title: 'Published article', tags: ['Performance'] })
  createPost(db, { title: 'Published link', kind: 'link', linkUrl: 'https://example.com/' })
  createPost(db, { title: 'Draft article', status: 'draft', tags: ['Performance'] })
  createPost(db, { title: 'Scheduled article', status: 'scheduled', publishedAt: fromNow(DAY) })
  createPost(db, { title: 'Discount: 50% off_now' })

  const titles = async (query: string) =>
    listedTitles((await author.get(`/admin/posts?${query}`)).body).sort()
  assert.deepEqual(await titles('status=draft'), ['Draft article'])
  assert.deepEqual(await titles('status=scheduled'), ['Scheduled article'])
  assert.deepEqual(await titles('status=published'), [
    'Discount: 50% off_now',
    'Published article',
    'Published link',
  ])
  assert.deepEqual(await titles('kind=link'), ['Published link'])
  assert.deepEqual(await titles('tag=performance'), ['Draft article', 'Published article'])
  assert.deepEqual(await titles('tag=performance&status=published'), ['Published article'])
  assert.deepEqual(await titles('q=ARTICLE'), ['Draft article', 'Published article', 'Scheduled article'])
  // LIKE's wildcards typed by the author match only themselves.
  assert.deepEqual(await titles('q=50%25'), ['Discount: 50% off_now'])
  assert.deepEqual(await titles('q=_'), ['Discount: 50% off_now'])
  assert.deepEqual(await titles('q=%25'), ['Discount: 50% off_now'])

  const none = await author.get('/admin/posts?q=nothing-like-this')
  assert.equal(none.statusCode, 200)
  assert.match(none.body, /No posts match these filters/)
})

test('filter values that mean nothing are ignored rather than failing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  createPost(db, { title: 'Only post' })
  for (const query of [
    'status=deleted',
    'kind=video',
    'page=abc',
    'page=-3',
    'status=draft&status=x',
    'page=1e9',
  ]) {
    const res = await author.get(`/admin/posts?${query}`)
    assert.ok(res.statusCode < 500, `${query} gave ${res.statusCode}`)
    assert.equal(res.statusCode, 200, query)
  }
  assert.deepEqual(listedTitles((await author.get('/admin/posts?status=deleted')).body), ['Only post'])
})

test('the list shows 20 posts a page, and its page links keep the filters', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (let i = 1; i <= 25; i++) createPost(db, { title: `Tagged ${i}`, tags: ['Series'] })
  createPost(db, { title: 'Untagged' })

  const first = await author.get('/admin/posts?tag=series')
  assert.equal(listedTitles(first.body).length, 20)
  assert.match(first.body, /Page 1 of 2/)
  assert.match(first.body, /href="\/admin\/posts\?tag=series&amp;page=2" rel="next"/)

  const second = await author.get('/admin/posts?tag=series&page=2')
  const titles = listedTitles(second.body)
  assert.equal(titles.length, 5)
  assert.ok(!titles.includes('Untagged'))
  assert.match(second.body, /href="\/admin\/posts\?tag=series" rel="prev"/)

  const beyond = await author.get('/admin/posts?tag=series&page=9')
  assert.equal(beyond.statusCode, 200)
  assert.match(beyond.body, /no posts on this page/)
})

test('the editor has every field under its contract name, and the live preview script', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'Europe/Paris' })
  const res = await author.get('/admin/posts/new')
  assert.equal(res.statusCode, 200)
  const html = mainOf(res.body)
  assert.match(html, /<form id="post-form"[^>]* method="post" action="\/admin\/posts"/)
  assert.match(html, /name="_csrf" value="[^"]+"/)
  for (const name of ['title', 'slug', 'link_url', 'tags', 'series', 'series_part'])
    assert.match(html, new RegExp(`<input id="${name}" name="${name}"`), name)
  for (const name of ['body', 'excerpt', 'quote', 'meta_description'])
    assert.match(html, new RegExp(`<textarea id="${name}" name="${name}"`), name)
  assert.match(html, /<input type="radio" id="kind-article" name="kind" value="article" checked>/)
  assert.match(html, /<input type="radio" id="kind-link" name="kind" value="link">/)
  // A new post is a draft: its status travels with the form, and the publish dialog chooses the time.
  assert.match(html, /<input type="hidden" name="status" value="draft">/)
  assert.match(
    html,
    /<dialog id="publish-dialog"[^>]*>[\s\S]*name="publish_when" value="now"[\s\S]*<\/dialog>/,
  )
  assert.match(html, /<input id="published_at" name="published_at" type="datetime-local"/)
  assert.equal((html.match(/name="published_at"/g) ?? []).length, 1, 'one published_at field')
  assert.match(html, /Europe\/Paris \(GMT\+\d\)/)
  for (const intent of ['save', 'preview', 'publish'])
    assert.match(html, new RegExp(`<button type="submit" name="intent" value="${intent}"`), intent)
  assert.match(res.body, /<script src="\/static\/js\/publish\.[0-9a-f]+\.js" defer><\/script>/)
  assert.match(res.body, /<script src="\/static\/js\/editor\.[0-9a-f]+\.js" defer><\/script>/)
  // No inline script or style: the CSP allows neither.
  assert.doesNotMatch(res.body, /<script>|<script(?![^>]*src=)[^>]*>| style=| on[a-z]+="/)
})

test('an unknown or malformed post id is a 404 page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (const url of [
    '/admin/posts/999',
    '/admin/posts/abc',
    '/admin/posts/0',
    '/admin/posts/999/revisions',
  ]) {
    const res = await author.get(url)
    assert.equal(res.statusCode, 404, url)
    assert.match(res.body, /Post not found/)
  }
  const post = await author.post('/admin/posts/999', postForm())
  assert.equal(post.statusCode, 404)
  assert.equal(countRows(db), 0)
})

test('a new article is on the public site at once', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  // Warm the public page cache first: the write must not leave a stale page behind.
  assert.doesNotMatch((await app.inject('/posts')).body, /A post about caching/)

  const res = await author.post('/admin/posts', postForm({ tags: 'Caching, HTTP' }))
  assert.equal(res.statusCode, 303)
  assert.match(String(res.headers.location), /^\/admin\/posts\/\d+\?done=post-published$/)

  const page = await app.inject('/posts/a-post-about-caching')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /The second paragraph\./)
  assert.match((await app.inject('/posts')).body, /A post about caching/)
  assert.equal((await app.inject('/tags/caching')).statusCode, 200)

  const editor = await author.get(String(res.headers.location))
  assert.match(editor.body, /Post published\./)
  assert.match(
    editor.body,
    /Public at <a href="\/posts\/a-post-about-caching">https:\/\/blog\.example\.com\/posts\/a-post-about-caching<\/a>/,
  )
})

test('a new link post shows its link and quoted passage on the public site', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/posts',
    postForm({
      title: 'Worth reading',
      kind: 'link',
      link_url: 'https://example.org/essay',
      body: 'A sharp essay on caches.',
      quote: 'There are only two hard things.',
    }),
  )
  assert.equal(res.statusCode, 303)
  const page = await app.inject('/posts/worth-reading')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<h1><a href="https:\/\/example\.org\/essay"/)
  assert.match(page.body, /<blockquote class="link-quote"[^>]*><p>There are only two hard things\.<\/p>/)
})

test('a draft is saved but not public, and says so', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post('/admin/posts', postForm({ status: 'draft' }))
  assert.match(String(res.headers.location), /\?done=post-saved$/)
  assert.equal((await app.inject('/posts/a-post-about-caching')).statusCode, 404)
  assert.match((await author.get(String(res.headers.location))).body, /status--draft">Draft</)
})

/** Posts the form and checks the 422 page: the message beside `field`, and the typed text kept. */
async function assertRefused(
  author: Awaited<ReturnType<typeof signIn>>,
  fields: Record<string, string>,
  field: string,
  message: RegExp,
) {
  const body = 'Keep <this> & that text.'
  const res = await author.post('/admin/posts', postForm({ body, ...fields }))
  assert.equal(res.statusCode, 422, `${field} should be refused`)
  const html = mainOf(res.body)
  const beside = new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(html)
  assert.ok(beside, `no error beside ${field}`)
  assert.match(beside[1] ?? '', message)
  assert.match(
    html,
    new RegExp(`id="${field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="${field}"`),
  )
  assert.match(html, /class="form-error error-summary"/)
  assert.match(html, new RegExp(`<a href="#${field}">`))
  assert.match(html, /<textarea id="body" name="body"[^>]*>Keep &lt;this&gt; &amp; that text\.<\/textarea>/)
  for (const [name, value] of Object.entries(fields)) {
    if (['title', 'slug', 'link_url', 'series', 'series_part', 'published_at', 'tags'].includes(name))
      assert.match(
        html,
        new RegExp(`name="${name}"[^>]* value="${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`),
        name,
      )
  }
  return html
}

test('each field is validated, with the message beside it and everything typed kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  await assertRefused(author, { title: '   ' }, 'title', /title/)
  await assertRefused(author, { title: 'x'.repeat(201) }, 'title', /200/)
  await assertRefused(author, { kind: 'link', link_url: '' }, 'link_url', /needs the URL/)
  await assertRefused(author, { kind: 'link', link_url: 'javascript:alert(1)' }, 'link_url', /http/)
  await assertRefused(author, { kind: 'link', link_url: 'example.com/page' }, 'link_url', /http/)
  await assertRefused(author, { series: 'Caching', series_part: 'two' }, 'series_part', /whole number/)
  await assertRefused(author, { series: 'Caching', series_part: '0' }, 'series_part', /whole number/)
  await assertRefused(author, { series: 'Caching', series_part: '1.5' }, 'series_part', /whole number/)
  await assertRefused(
    author,
    { status: 'scheduled', published_at: '' },
    'published_at',
    /when the post goes live/,
  )
  await assertRefused(
    author,
    { status: 'scheduled', published_at: '2020-01-01T10:00' },
    'published_at',
    /in the future/,
  )
  await assertRefused(
    author,
    { status: 'published', published_at: '2026-02-31T10:00' },
    'published_at',
    /date/,
  )
  await assertRefused(author, { meta_description: 'm'.repeat(301) }, 'meta_description', /300/)
  await assertRefused(author, { slug: '!!! ???' }, 'slug', /letter or digit/)
  await assertRefused(
    author,
    { tags: Array.from({ length: 21 }, (_, i) => `tag${i}`).join(', ') },
    'tags',
    /20/,
  )
  await assertRefused(author, { tags: `ok, ${'t'.repeat(51)}` }, 'tags', /50/)
  // Status has no control of its own (the buttons set it): its message stands in the publishing bar.
  const badStatus = await author.post('/admin/posts', postForm({ status: 'archived', body: 'Kept text.' }))
  assert.equal(badStatus.statusCode, 422)
  const badStatusHtml = mainOf(badStatus.body)
  assert.match(badStatusHtml, /id="status-error">Choose draft, published or scheduled\./)
  assert.match(badStatusHtml, /<a href="#post-state">Status: Choose draft, published or scheduled\./)
  assert.match(badStatusHtml, /<p class="editor-bar__state" id="post-state">/)
  assert.match(badStatusHtml, /<textarea id="body" name="body"[^>]*>Kept text\.<\/textarea>/)
  const long = await author.post('/admin/posts', postForm({ body: 'x'.repeat(200_001) }))
  assert.equal(long.statusCode, 422)
  assert.match(long.body, /id="body-error">The text is too long/)
  assert.equal(countRows(db), 0)
})

test('a slug is made from the title when empty, cleaned when typed, and kept unique', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  await author.post('/admin/posts', postForm({ title: 'Same title' }))
  await author.post('/admin/posts', postForm({ title: 'Same title' }))
  await author.post('/admin/posts', postForm({ title: 'Other', slug: 'My Custom Slug!' }))
  assert.equal((await app.inject('/posts/same-title')).statusCode, 200)
  assert.equal((await app.inject('/posts/same-title-2')).statusCode, 200)
  assert.equal((await app.inject('/posts/my-custom-slug')).statusCode, 200)
})

test('a scheduled post stays private until its time, then appears on its own', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const goLive = fromNow(1500)
  // The form takes seconds and milliseconds too, as a datetime-local input with a step may send.
  const local = goLive.toISOString().slice(0, 23)
  const res = await author.post('/admin/posts', postForm({ status: 'scheduled', published_at: local }))
  assert.equal(res.statusCode, 303)
  assert.match(String(res.headers.location), /\?done=post-scheduled$/)
  assert.equal((await app.inject('/posts/a-post-about-caching')).statusCode, 404)
  assert.doesNotMatch((await app.inject('/posts')).body, /A post about caching/)
  assert.match((await author.get('/admin/posts?status=scheduled')).body, /A post about caching/)

  await sleep(goLive.getTime() - Date.now() + 100)
  assert.equal((await app.inject('/posts/a-post-about-caching')).statusCode, 200)
  assert.match((await app.inject('/posts')).body, /A post about caching/)
})

test('the publish time is read and shown in the site timezone', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'America/New_York' })
  const res = await author.post('/admin/posts', postForm({ published_at: '2025-01-15T09:30' }))
  const id = idFrom(res.headers.location)
  const stored = db.$client.prepare('select published_at as at from posts where id = ?').get(id) as {
    at: number
  }
  assert.equal(new Date(stored.at).toISOString(), '2025-01-15T14:30:00.000Z')
  const editor = await author.get(`/admin/posts/${id}`)
  assert.match(editor.body, /name="published_at" type="datetime-local" value="2025-01-15T09:30"/)
  assert.match(editor.body, /America\/New_York/)
})

test('a published post saved again keeps its exact publish time', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const exact = new Date('2025-03-04T05:06:07.089Z')
  const { id } = createPost(db, { title: 'Precise', publishedAt: exact })
  const res = await author.post(
    `/admin/posts/${id}`,
    postForm({ title: 'Precise', published_at: toLocalInput(exact, 'UTC'), body: 'Edited.' }),
  )
  assert.equal(res.statusCode, 303)
  const stored = db.$client.prepare('select published_at as at from posts where id = ?').get(id) as {
    at: number
  }
  assert.equal(stored.at, exact.getTime())
})

test('local times convert across daylight-saving changes', () => {
  // Paris in summer is UTC+2, in winter UTC+1.
  assert.equal(fromLocalInput('2025-07-01T12:00', 'Europe/Paris')?.toISOString(), '2025-07-01T10:00:00.000Z')
  assert.equal(fromLocalInput('2025-12-01T12:00', 'Europe/Paris')?.toISOString(), '2025-12-01T11:00:00.000Z')
  // 02:30 on 30 March 2025 does not exist in Paris: it lands after the gap.
  assert.equal(fromLocalInput('2025-03-30T02:30', 'Europe/Paris')?.toISOString(), '2025-03-30T01:30:00.000Z')
  assert.equal(toLocalInput(new Date('2025-07-01T10:00:00Z'), 'Europe/Paris'), '2025-07-01T12:00')
  assert.equal(toLocalInput(new Date('2025-01-01T00:00:00Z'), 'Asia/Kolkata'), '2025-01-01T05:30')
  assert.equal(fromLocalInput('2025-13-01T12:00', 'UTC'), undefined)
  assert.equal(fromLocalInput('yesterday', 'UTC'), undefined)
})

test('renaming a published post redirects its old address permanently and says so', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const created = await author.post('/admin/posts', postForm({ title: 'First name' }))
  const id = idFrom(created.headers.location)
  assert.equal((await app.inject('/posts/first-name')).statusCode, 200)

  const res = await author.post(`/admin/posts/${id}`, postForm({ title: 'First name', slug: 'better-name' }))
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/posts/${id}?done=post-renamed`)
  assert.match((await author.get(String(res.headers.location))).body, /the old address now redirects/)

  const old = await app.inject('/posts/first-name')
  assert.equal(old.statusCode, 301)
  assert.equal(old.headers.location, '/posts/better-name')
  assert.equal((await app.inject('/posts/better-name')).statusCode, 200)
})

test('deleting a post asks first, then removes it from the site', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id, slug } = createPost(db, { title: 'Short-lived' })

  const confirm = await author.get(`/admin/posts/${id}/delete`)
  assert.equal(confirm.statusCode, 200)
  assert.match(confirm.body, /Delete “Short-lived”\?/)
  assert.match(confirm.body, /This cannot be undone\./)
  assert.match(confirm.body, new RegExp(`<form method="post" action="/admin/posts/${id}/delete"`))
  assert.equal(countRows(db), 1, 'the confirmation page changes nothing')

  const res = await author.post(`/admin/posts/${id}/delete`, {})
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/posts?done=post-deleted')
  assert.match((await author.get('/admin/posts?done=post-deleted')).body, /Post deleted\./)
  assert.equal(countRows(db), 0)
  assert.equal((await app.inject(`/posts/${slug}`)).statusCode, 404)
  assert.equal((await author.get(`/admin/posts/${id}`)).statusCode, 404)
})

test('the preview renders through the public pipeline and strips scripts', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/posts/preview',
    postForm({
      title: 'Preview <em>me</em>',
      kind: 'link',
      link_url: 'https://example.org/',
      body: '## Hello\n\n<script>alert(1)</script>\n\n**bold** <img src="x" onerror="alert(2)">',
      quote: 'Quoted *words*.',
    }),
  )
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/html/)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.doesNotMatch(res.body, /<script|onerror|alert\(1\)/)
  assert.match(res.body, /<h2 id="hello">Hello/)
  assert.match(res.body, /<strong>bold<\/strong>/)
  assert.match(res.body, /Preview &lt;em&gt;me&lt;\/em&gt;/)
  assert.match(res.body, /<a href="https:\/\/example\.org\/" rel="noopener">/)
  assert.match(
    res.body,
    /<blockquote class="link-quote" cite="https:\/\/example\.org\/"><p>Quoted <em>words<\/em>\.<\/p>/,
  )
  assert.equal(countRows(db), 0)
})

test('the preview never links to a javascript: address', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/posts/preview',
    postForm({ kind: 'link', link_url: 'javascript:alert(1)' }),
  )
  assert.equal(res.statusCode, 200)
  assert.doesNotMatch(res.body, /javascript:/)
})

test('the preview button without JavaScript shows the rendered post and saves nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id } = createPost(db, { title: 'Existing', bodyMd: 'Original text.' })

  const res = await author.post(
    `/admin/posts/${id}`,
    postForm({ title: 'Existing', body: 'Changed *text*.', intent: 'preview' }),
  )
  assert.equal(res.statusCode, 200)
  const html = mainOf(res.body)
  assert.match(html, /Nothing has been saved/)
  assert.match(html, /<section class="post-preview" id="post-preview" aria-labelledby="post-preview-title">/)
  // The preview is a page of the public site in a frame: its stylesheet and the article's classes.
  const shown = previewDocumentOf(html)
  assert.match(shown, /<link rel="stylesheet" href="\/static\/css\/site\.[0-9a-f]+\.css">/)
  assert.match(shown, /<div class="prose post__body"><p>Changed <em>text<\/em>\.<\/p>/)
  assert.doesNotMatch(shown, /admin\.[0-9a-f]+\.css/)
  assert.match(html, /<textarea id="body" name="body"[^>]*>Changed \*text\*\.<\/textarea>/)
  assert.match((await app.inject('/posts/existing')).body, /Original text\./)

  const fresh = await author.post('/admin/posts', postForm({ intent: 'preview' }))
  assert.equal(fresh.statusCode, 200)
  assert.equal(countRows(db), 1)
})

test('a post without its CSRF token is refused and changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id } = createPost(db, { title: 'Guarded', bodyMd: 'Original.' })
  for (const url of [
    '/admin/posts',
    `/admin/posts/${id}`,
    `/admin/posts/${id}/delete`,
    '/admin/posts/preview',
  ]) {
    const res = await app.inject({
      method: 'POST',
      url,
      cookies: author.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams(postForm({ title: 'Hijacked', body: 'Changed.' })).toString(),
    })
    assert.equal(res.statusCode, 403, url)
  }
  assert.equal(countRows(db), 1)
  assert.match((await app.inject('/posts/guarded')).body, /Original\./)
})

test('the dashboard links to each post’s editor', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  createPost(db, { title: 'Draft in progress', status: 'draft' })
  createPost(db, { title: 'Later on', status: 'scheduled', publishedAt: fromNow(DAY) })
  createPost(db, { title: 'Out already' })
  const dashboard = await author.get('/admin')
  const links = [...dashboard.body.matchAll(/href="(\/admin\/posts\/\d+)"/g)].map((m) => m[1] ?? '')
  assert.equal(links.length, 3)
  for (const link of links) {
    const res = await author.get(link)
    assert.equal(res.statusCode, 200, link)
    assert.match(res.body, /<h1>Edit post<\/h1>/)
  }
})

test('a post marked published but dated in the future is scheduled, not public', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const later = toLocalInput(fromNow(2 * DAY), 'UTC')
  const res = await author.post('/admin/posts', postForm({ status: 'published', published_at: later }))
  assert.match(String(res.headers.location), /\?done=post-scheduled$/)
  assert.equal((await app.inject('/posts/a-post-about-caching')).statusCode, 404)
  const editor = await author.get(String(res.headers.location))
  assert.match(mainOf(editor.body), /status--scheduled">Scheduled<\/span>\s*for <time datetime=/)
})
