// Checks that hostile Markdown in the post and page editors is a clear 422 with the text kept, and never stalls the server.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { postForm as editorForm, encodeForm, signIn } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

/** An editor submission whose title, body and tags a refused save must give back. */
const postForm = (fields: Record<string, string> = {}) =>
  editorForm({ title: 'Kept title', body: 'Kept body.', tags: 'kept-tag', ...fields })
const count = rowCount

/** Quadratic in marked: about 40 KB that takes seconds to parse. */
const SLOW = '_a'.repeat(20_000)

const BOMBS: readonly [string, string][] = [
  ['five thousand nested blockquotes', `${'>'.repeat(5000)} x`],
  ['five thousand nested list markers', `${'- '.repeat(5000)}x`],
  [
    'three hundred levels of indented list',
    Array.from({ length: 300 }, (_, i) => `${' '.repeat(2 * i)}- item`).join('\n'),
  ],
]

for (const [label, bomb] of BOMBS) {
  test(`saving a post with ${label} is a 422 naming the problem, with the text kept, while /healthz answers`, async (t) => {
    const { app, db } = await createTestApp(t)
    const author = await signIn(app, db)
    const [res, health] = await Promise.all([
      author.post('/admin/posts', postForm({ body: `Intro.\n\n${bomb}` }), '/admin/posts/new'),
      app.inject('/healthz'),
    ])
    assert.equal(health.statusCode, 200)
    assert.equal(res.statusCode, 422)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.match(res.body, /<a href="#body">Text: This text nests quotes or lists more than 100 levels deep/)
    assert.match(res.body, /value="Kept title"/)
    assert.match(res.body, /value="kept-tag"/)
    assert.ok(res.body.includes('Intro.'), 'the body is shown again')
    assert.equal(count(db, 'posts'), 0)
  })
}

test('a nesting bomb in the quoted passage is reported beside that field', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/posts',
    postForm({ kind: 'link', link_url: 'https://example.com/', quote: `${'>'.repeat(5000)} x` }),
    '/admin/posts/new',
  )
  assert.equal(res.statusCode, 422)
  assert.match(res.body, /<a href="#quote">Quoted passage: This text nests/)
  assert.equal(count(db, 'posts'), 0)
})

test('the live preview answers a nesting bomb with a 422 page that says why', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/posts/preview',
    postForm({ body: `${'>'.repeat(5000)} x` }),
    '/admin/posts/new',
  )
  assert.equal(res.statusCode, 422)
  assert.match(String(res.headers['content-type']), /^text\/html/)
  assert.match(
    res.body,
    /<p class="form-summary" role="alert">This text nests quotes or lists more than 100 levels deep/,
  )
  assert.doesNotMatch(res.body, /Nothing to preview yet/)
})

test('the preview button without JavaScript shows the problem beside the text and keeps it', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/posts',
    { ...postForm({ body: `${'- '.repeat(5000)}x` }), intent: 'preview' },
    '/admin/posts/new',
  )
  assert.equal(res.statusCode, 422)
  assert.match(res.body, /<a href="#body">Text: This text nests/)
  assert.match(res.body, /value="Kept title"/)
  assert.equal(count(db, 'posts'), 0)
})

test('an existing post edited into a nesting bomb keeps its stored version', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db, { title: 'Stored', bodyMd: 'Stored body.' })
  const before = db.$client.prepare('select * from posts where id = ?').get(post.id)
  const res = await author.post(
    `/admin/posts/${post.id}`,
    postForm({ body: `${'>'.repeat(5000)} x` }),
    `/admin/posts/${post.id}`,
  )
  assert.equal(res.statusCode, 422)
  assert.deepEqual(db.$client.prepare('select * from posts where id = ?').get(post.id), before)
})

test('saving a page with a nesting bomb is a 422 with the text kept, and its preview too', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const page = {
    title: 'About me',
    slug: '',
    body: `${'>'.repeat(5000)} x`,
    meta_description: '',
    status: 'published',
  }
  const saved = await author.post('/admin/pages', page, '/admin/pages/new')
  assert.equal(saved.statusCode, 422)
  assert.match(saved.body, /This text nests quotes or lists more than 100 levels deep/)
  assert.match(saved.body, /value="About me"/)
  assert.equal(count(db, 'pages'), 0)
  const preview = await author.post('/admin/pages', { ...page, action: 'preview' }, '/admin/pages/new')
  assert.equal(preview.statusCode, 422)
  assert.match(preview.body, /This text nests quotes or lists/)
})

test('a text that takes seconds to parse is a 422 within the time limit while other visitors are served', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  createPost(db, { title: 'A public post' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const { csrf } = await author.csrfFrom('/admin/posts/new')
  const cookie = Object.entries(author.cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ')
  const preview = (body: string) =>
    fetch(`${base}/admin/posts/preview`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: encodeForm({ ...postForm({ body }), _csrf: csrf }),
    })

  // A normal preview first, so the worker is running and the time limit measures only the render.
  assert.equal((await preview('Warm *up*')).status, 200)

  const started = performance.now()
  let slowDoneAt = 0
  const slow = preview(SLOW).then(async (res) => {
    slowDoneAt = performance.now()
    return { status: res.status, body: await res.text() }
  })
  const visits: { status: number; doneAt: number }[] = []
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    const res = await fetch(`${base}/`)
    await res.text()
    visits.push({ status: res.status, doneAt: performance.now() })
  }
  const answer = await slow

  assert.equal(answer.status, 422)
  assert.match(answer.body, /took more than 2 seconds to turn into a page/)
  // The limit is 2 s; the rest is slack for a busy test machine.
  assert.ok(slowDoneAt - started < 8000, `answered after ${Math.round(slowDoneAt - started)} ms`)
  assert.deepEqual(
    visits.map((v) => v.status),
    [200, 200, 200, 200, 200],
  )
  // Every visit was answered while the slow text was still being parsed, not queued behind it.
  assert.ok(
    visits.every((v) => v.doneAt < slowDoneAt),
    'the home page answered during the slow render',
  )
})
