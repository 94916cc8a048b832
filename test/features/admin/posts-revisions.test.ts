// Checks post revisions: one per save, the list, the diff against the current post, and restoring.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { diffText } from '../../../src/features/content/revision-diff.ts'
import { postForm as editorForm, signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { mainOf } from '../../helpers/html.ts'

/** The editor's fields for the post these tests revise. */
const postForm = (fields: Record<string, string> = {}): Record<string, string> =>
  editorForm({
    title: 'Notes on SQLite',
    body: 'Line one.\n\nLine two.\n\nLine three.',
    tags: 'SQLite',
    ...fields,
  })

const idFrom = (location: unknown): number => Number(/^\/admin\/posts\/(\d+)\?/.exec(String(location))?.[1])

/** The revision pages linked from the revisions list, newest first. */
const revisionLinks = (html: string): string[] =>
  [...html.matchAll(/href="(\/admin\/posts\/\d+\/revisions\/\d+)"/g)].map((m) => m[1] ?? '')

async function postWithTwoSaves(t: Parameters<typeof createTestApp>[0]) {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const created = await author.post('/admin/posts', postForm())
  const id = idFrom(created.headers.location)
  const updated = await author.post(
    `/admin/posts/${id}`,
    postForm({
      title: 'Notes on SQLite, revised',
      slug: 'notes-on-sqlite',
      body: 'Line one.\n\nLine 2, rewritten.\n\nLine three.',
    }),
  )
  assert.equal(updated.statusCode, 303)
  return { app, db, author, id }
}

test('every save keeps a revision, listed newest first with its time and title', async (t) => {
  const { author, id } = await postWithTwoSaves(t)
  const res = await author.get(`/admin/posts/${id}/revisions`)
  assert.equal(res.statusCode, 200)
  const html = mainOf(res.body)
  assert.equal(revisionLinks(html).length, 2)
  const revised = html.indexOf('<td>Notes on SQLite, revised</td>')
  const original = html.indexOf('<td>Notes on SQLite</td>')
  assert.ok(revised > 0 && original > revised, 'the newest revision comes first')
  assert.match(
    html,
    /<time datetime="\d{4}-\d{2}-\d{2}T[^"]+">[^<]+<\/time><\/a> <span class="muted">\(latest\)/,
  )
  assert.match(
    (await author.get(`/admin/posts/${id}`)).body,
    new RegExp(`href="/admin/posts/${id}/revisions"`),
  )
})

test('a revision shows the changed lines and fields against the current post', async (t) => {
  const { author, id } = await postWithTwoSaves(t)
  const [, oldest] = revisionLinks((await author.get(`/admin/posts/${id}/revisions`)).body)
  const res = await author.get(String(oldest))
  assert.equal(res.statusCode, 200)
  const html = mainOf(res.body)
  assert.match(
    html,
    /<del class="diff-line diff-line--removed"><span class="diff-sign" aria-hidden="true">−<\/span><span class="visually-hidden">Removed: <\/span>Line two\.<\/del>/,
  )
  assert.match(
    html,
    /<ins class="diff-line diff-line--added"><span class="diff-sign" aria-hidden="true">\+<\/span><span class="visually-hidden">Added: <\/span>Line 2, rewritten\.<\/ins>/,
  )
  assert.doesNotMatch(html, /<(ins|del)[^>]*>.*Line one\./)
  assert.match(
    html,
    /<th scope="row">Title<\/th><td><del>Notes on SQLite<\/del><\/td><td><ins>Notes on SQLite, revised<\/ins><\/td>/,
  )
  assert.doesNotMatch(html, /<th scope="row">Tags<\/th>/)
})

test('restoring a revision brings its text back, on the site too, and keeps a new revision', async (t) => {
  const { app, author, id } = await postWithTwoSaves(t)
  const [, oldest] = revisionLinks((await author.get(`/admin/posts/${id}/revisions`)).body)
  assert.match((await app.inject('/posts/notes-on-sqlite')).body, /Line 2, rewritten\./)

  const res = await author.post(`${oldest}/restore`, {})
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/posts/${id}?done=revision-restored`)

  const editor = await author.get(String(res.headers.location))
  assert.match(
    editor.body,
    /<textarea id="body" name="body"[^>]*>Line one\.\n\nLine two\.\n\nLine three\.<\/textarea>/,
  )
  assert.match(editor.body, /name="title"[^>]* value="Notes on SQLite"/)
  const page = await app.inject('/posts/notes-on-sqlite')
  assert.equal(page.statusCode, 200, 'the address did not change')
  assert.match(page.body, /Line two\./)
  assert.doesNotMatch(page.body, /rewritten/)
  assert.equal(revisionLinks((await author.get(`/admin/posts/${id}/revisions`)).body).length, 3)
})

test('a revision of another post, or one that does not exist, is a 404', async (t) => {
  const { author, id } = await postWithTwoSaves(t)
  const other = idFrom((await author.post('/admin/posts', postForm({ title: 'Other' }))).headers.location)
  const [latest] = revisionLinks((await author.get(`/admin/posts/${id}/revisions`)).body)
  const revisionId = String(latest).split('/').pop()
  assert.equal((await author.get(`/admin/posts/${other}/revisions/${revisionId}`)).statusCode, 404)
  assert.equal((await author.get(`/admin/posts/${id}/revisions/99999`)).statusCode, 404)
  assert.equal(
    (await author.post(`/admin/posts/${other}/revisions/${revisionId}/restore`, {})).statusCode,
    404,
  )
})

test('a refused save keeps no revision', async (t) => {
  const { db, author, id } = await postWithTwoSaves(t)
  const res = await author.post(`/admin/posts/${id}`, postForm({ title: '' }))
  assert.equal(res.statusCode, 422)
  const count = db.$client.prepare('select count(*) as n from post_revisions where post_id = ?').get(id) as {
    n: number
  }
  assert.equal(count.n, 2)
})

test('deleting a post deletes its revisions', async (t) => {
  const { db, author, id } = await postWithTwoSaves(t)
  await author.post(`/admin/posts/${id}/delete`, {})
  const count = db.$client.prepare('select count(*) as n from post_revisions').get() as { n: number }
  assert.equal(count.n, 0)
})

test('the line diff marks only what changed, each removed line before the one that replaces it', () => {
  assert.deepEqual(diffText('a\n<b>\nc\nd', 'a\n<B>\nc\nd\ne'), [
    { kind: 'unchanged', text: 'a' },
    { kind: 'removed', text: '<b>' },
    { kind: 'added', text: '<B>' },
    { kind: 'unchanged', text: 'c' },
    { kind: 'unchanged', text: 'd' },
    { kind: 'added', text: 'e' },
  ])
  assert.deepEqual(diffText('same\ntext', 'same\ntext'), [])
  assert.deepEqual(diffText('crlf\r\nline', 'crlf\nline'), [], 'line endings are not changes')
})

test('long unchanged stretches are folded in the diff, keeping three lines around each change', () => {
  const before = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n')
  const after = before.replace('line 20', 'line twenty')
  const unchanged = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ kind: 'unchanged', text: `line ${from + i}` }))
  assert.deepEqual(diffText(before, after), [
    { kind: 'skipped', count: 17 },
    ...unchanged(17, 19),
    { kind: 'removed', text: 'line 20' },
    { kind: 'added', text: 'line twenty' },
    ...unchanged(21, 23),
    { kind: 'skipped', count: 16 },
  ])
})

/** The revision page of a post first saved with `before`, then with `after`. */
async function revisionPageOf(t: Parameters<typeof createTestApp>[0], before: string, after: string) {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const id = idFrom((await author.post('/admin/posts', postForm({ body: before }))).headers.location)
  assert.equal((await author.post(`/admin/posts/${id}`, postForm({ body: after }))).statusCode, 303)
  const [, oldest] = revisionLinks((await author.get(`/admin/posts/${id}/revisions`)).body)
  const res = await author.get(String(oldest))
  assert.equal(res.statusCode, 200)
  const html = mainOf(res.body)
  const diff = /<pre class="diff" tabindex="0"><code>([\s\S]*?)<\/code><\/pre>/.exec(html)?.[1]
  assert.ok(diff !== undefined, 'the page shows the diff')
  return { html, diff }
}

test('the revision diff shows a hostile line as text: markup in the body is escaped', async (t) => {
  const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
  const { html, diff } = await revisionPageOf(t, 'Intro.\n\nPlain line.', `Intro.\n\n${hostile}`)
  assert.match(
    diff,
    /<ins class="diff-line diff-line--added"><span class="diff-sign" aria-hidden="true">\+<\/span><span class="visually-hidden">Added: <\/span>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &lt;img src=x onerror=alert\(1\)&gt;<\/ins>/,
  )
  assert.match(diff, /<del class="diff-line diff-line--removed">.*Removed: <\/span>Plain line\.<\/del>/)
  assert.doesNotMatch(html, /<script|<img/)
})

test('the revision diff folds long unchanged runs into one line saying how many it hides', async (t) => {
  const before = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n')
  // Two changes seven lines apart leave exactly one line between their contexts.
  const after = before.replace('line 20', 'line twenty').replace('line 28', 'line twenty-eight')
  const { diff } = await revisionPageOf(t, before, after)
  assert.doesNotMatch(diff, /\n/, 'each line is a block of its own: no newline between them in <pre>')
  const skipped = [...diff.matchAll(/<span class="diff-line diff-line--skipped">([^<]*)<\/span>/g)].map(
    (m) => m[1],
  )
  assert.deepEqual(skipped, ['… 17 unchanged lines …', '… 1 unchanged line …', '… 8 unchanged lines …'])
  assert.match(
    diff,
    /<span class="diff-line"><span class="diff-sign" aria-hidden="true"> <\/span>line 17<\/span>/,
  )
  assert.doesNotMatch(diff, /line 16</)
  assert.doesNotMatch(diff, /line 24</)
})
