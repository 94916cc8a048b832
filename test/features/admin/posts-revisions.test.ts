// Checks post revisions: one per save, the list, the diff against the current post, and restoring.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { diffLines, renderDiffHtml } from '../../../src/features/content/revisions.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { mainOf } from '../../helpers/html.ts'

function postForm(fields: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Notes on SQLite',
    slug: '',
    kind: 'article',
    body: 'Line one.\n\nLine two.\n\nLine three.',
    excerpt: '',
    link_url: '',
    quote: '',
    tags: 'SQLite',
    series: '',
    series_part: '',
    meta_description: '',
    status: 'published',
    published_at: '',
    ...fields,
  }
}

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

test('the line diff marks only what changed and escapes the text', () => {
  const lines = diffLines('a\n<b>\nc\nd', 'a\n<B>\nc\nd\ne')
  assert.deepEqual(lines, [
    { kind: 'same', text: 'a' },
    { kind: 'removed', text: '<b>' },
    { kind: 'added', text: '<B>' },
    { kind: 'same', text: 'c' },
    { kind: 'same', text: 'd' },
    { kind: 'added', text: 'e' },
  ])
  const html = renderDiffHtml(lines)
  assert.match(html, /Removed: <\/span>&lt;b&gt;<\/del>/)
  assert.doesNotMatch(html, /<b>|<B>/)
  assert.equal(renderDiffHtml(diffLines('same\ntext', 'same\ntext')), '')
})

test('long unchanged stretches are folded in the diff', () => {
  const before = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n')
  const after = before.replace('line 20', 'line twenty')
  const html = renderDiffHtml(diffLines(before, after))
  assert.match(html, /… 17 unchanged lines …/)
  assert.match(html, /line 17/)
  assert.doesNotMatch(html, /line 16</)
})
