// Checks the editor's autosave: the slot beside a post (never the post, never a revision), a new post's draft row, restoring and discarding, and versions that stop one tab from overwriting another.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { getSettings } from '../../../src/features/settings/service.ts'
import { formatDateTime } from '../../../src/lib/dates.ts'
import { csrfIn, encodeForm, postForm, type SignedIn, signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

interface Slot {
  post_id: number
  fields: string
  base_version: number
  saved_at: number
}

const slotOf = (db: Db, postId: number) =>
  db.$client.prepare('select * from post_autosaves where post_id = ?').get(postId) as Slot | undefined

const postRow = (db: Db, id: number) =>
  db.$client.prepare('select * from posts where id = ?').get(id) as Record<string, unknown> & {
    version: number
    title: string
    body_md: string
    status: string
  }

const revisionCount = (db: Db, postId: number) =>
  db.$client.prepare('select count(*) from post_revisions where post_id = ?').pluck().get(postId) as number

/** What a textarea shows, unescaped. */
const textareaIn = (html: string, id: string): string | undefined => {
  const raw = new RegExp(`<textarea id="${id}"[^>]*>([^<]*)</textarea>`).exec(html)?.[1]
  return raw
    ?.replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

const versionIn = (html: string): string | undefined => /name="version" value="([^"]*)"/.exec(html)?.[1]

async function editing(t: TestContext) {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id } = createPost(db, {
    title: 'Notes on caching',
    bodyMd: 'The saved text.',
    status: 'draft',
    publishedAt: undefined,
  })
  return { app, db, author, id, editor: `/admin/posts/${id}` }
}

/** The editor's fields, as autosave.js sends them: the form's names, its version, and its _csrf. */
const typed = (fields: Record<string, string> = {}) =>
  postForm({ title: 'Notes on caching', body: 'The saved text.', status: 'draft', version: '1', ...fields })

const autosave = (author: SignedIn, id: number, fields: Record<string, string>) =>
  author.post(`/admin/posts/${id}/autosave`, fields, `/admin/posts/${id}`)

test('autosave keeps the typed fields in the slot and changes neither the post nor its revisions', async (t) => {
  const { db, author, id } = await editing(t)
  const before = postRow(db, id)
  const revisions = revisionCount(db, id)

  const res = await autosave(author, id, typed({ body: 'The saved text, and a new line\r\nbeing typed' }))

  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/plain; charset=utf-8/)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.equal(res.body, 'Saved.')
  assert.deepEqual(postRow(db, id), before, 'the post row is untouched')
  assert.equal(revisionCount(db, id), revisions, 'no revision per autosave')
  const slot = slotOf(db, id)
  assert.ok(slot)
  assert.equal(slot.base_version, 1)
  const fields = JSON.parse(slot.fields) as Record<string, string>
  assert.equal(fields.body, 'The saved text, and a new line\nbeing typed')
  assert.equal(fields._csrf, undefined, 'the token is not kept')

  // A second autosave replaces the slot: still one row.
  assert.equal((await autosave(author, id, typed({ body: 'Rewritten.' }))).statusCode, 200)
  assert.equal(rowCount(db, 'post_autosaves'), 1)
  assert.equal(JSON.parse(slotOf(db, id)?.fields ?? '{}').body, 'Rewritten.')
})

test('a new post gets its draft row on the first autosave, titled Untitled when it has no title yet', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const fields = postForm({ title: '', body: 'Half a sentence typed before', status: 'draft' })

  const nothing = await author.post('/admin/posts/new/autosave', { ...fields, body: '' }, '/admin/posts/new')
  assert.equal(nothing.statusCode, 200)
  assert.equal(rowCount(db, 'posts'), 0, 'an empty editor makes no post')

  const res = await author.post('/admin/posts/new/autosave', fields, '/admin/posts/new')
  assert.equal(res.statusCode, 201)
  const id = Number(/^\/admin\/posts\/(\d+)$/.exec(String(res.headers.location))?.[1])
  assert.ok(id > 0, `Location names the new post's editor: ${res.headers.location}`)
  assert.equal(res.headers['x-post-version'], '1')
  const row = postRow(db, id)
  assert.equal(row.title, 'Untitled')
  assert.equal(row.status, 'draft')
  assert.equal(row.body_md, 'Half a sentence typed before')
  assert.equal(revisionCount(db, id), 0, 'nothing was saved by the author yet')
  assert.equal(JSON.parse(slotOf(db, id)?.fields ?? '{}').title, '', 'the slot keeps the fields as typed')

  // The next autosave goes to the post's own slot, with the version the answer gave.
  const next = await autosave(author, id, {
    ...fields,
    body: 'Half a sentence typed before lunch.',
    version: '1',
  })
  assert.equal(next.statusCode, 200)
  assert.equal(rowCount(db, 'posts'), 1)
})

test('a new link post without its URL yet still gets a draft, and the slot keeps what the draft cannot hold', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const fields = postForm({ title: 'A link', kind: 'link', link_url: 'https://exa', body: 'Worth reading.' })
  const res = await author.post('/admin/posts/new/autosave', fields, '/admin/posts/new')
  assert.equal(res.statusCode, 201)
  const id = Number(String(res.headers.location).split('/').pop())
  assert.equal(postRow(db, id).title, 'A link')
  const editor = await author.get(`/admin/posts/${id}`)
  assert.match(editor.body, /Restore unsaved changes from/, 'the link typed so far can be restored')
  const restored = await author.get(`/admin/posts/${id}?restore=1`)
  assert.match(restored.body, /id="link_url"[^>]*value="https:\/\/exa"/)
})

test('reopening a post with newer autosaved text offers to restore it, with the time it was saved', async (t) => {
  const { db, author, id, editor } = await editing(t)
  assert.doesNotMatch((await author.get(editor)).body, /Restore unsaved changes/, 'no slot, no prompt')
  await autosave(author, id, typed({ body: 'The saved text, and more typed before the tab closed' }))
  const slot = slotOf(db, id)
  assert.ok(slot)
  const when = formatDateTime(new Date(slot.saved_at), getSettings(db).timezone)

  const before = snapshotDb(db)
  const page = await author.get(editor)
  assert.equal(page.statusCode, 200)
  assert.ok(
    page.body.includes(
      `Restore unsaved changes from <time datetime="${new Date(slot.saved_at).toISOString()}">${when}</time>?`,
    ),
  )
  assert.match(page.body, new RegExp(`href="/admin/posts/${id}\\?restore=1">Restore</a>`))
  assert.match(
    page.body,
    new RegExp(`formaction="/admin/posts/${id}/autosave/discard"[^>]*>Discard</button>`),
  )
  assert.equal(
    textareaIn(page.body, 'body'),
    'The saved text.',
    'the editor shows the saved post until Restore',
  )

  const restored = await author.get(`${editor}?restore=1`)
  assert.equal(restored.statusCode, 200)
  assert.equal(textareaIn(restored.body, 'body'), 'The saved text, and more typed before the tab closed')
  assert.match(restored.body, /These are your unsaved changes from/)
  assert.doesNotMatch(restored.body, /Restore unsaved changes/)
  assert.deepEqual(snapshotDb(db), before, 'showing and restoring only read')
})

test('an autosave that matches the saved post offers nothing to restore', async (t) => {
  const { author, id, editor } = await editing(t)
  await autosave(author, id, typed())
  assert.doesNotMatch((await author.get(editor)).body, /Restore unsaved changes/)
})

test('Discard clears the slot and goes back to the editor', async (t) => {
  const { db, author, id, editor } = await editing(t)
  await autosave(author, id, typed({ body: 'Text the author does not want.' }))
  const res = await author.post(`/admin/posts/${id}/autosave/discard`, typed(), editor)
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, editor)
  assert.equal(slotOf(db, id), undefined)
  assert.equal(postRow(db, id).body_md, 'The saved text.')
  assert.doesNotMatch((await author.get(editor)).body, /Restore unsaved changes/)
})

test('a Save clears the slot and moves the version on', async (t) => {
  const { db, author, id, editor } = await editing(t)
  await autosave(author, id, typed({ body: 'Typed, then saved.' }))
  const page = await author.get(editor)
  assert.equal(versionIn(page.body), '1', 'the editor carries the version it shows')

  const saved = await author.post(editor, typed({ body: 'Typed, then saved.' }), editor)
  assert.equal(saved.statusCode, 303)
  assert.equal(slotOf(db, id), undefined)
  assert.equal(postRow(db, id).version, 2)
  assert.equal(postRow(db, id).body_md, 'Typed, then saved.')
  assert.equal(versionIn((await author.get(editor)).body), '2')

  // An autosave from the page loaded before that save is now stale.
  const stale = await autosave(author, id, typed({ version: '1', body: 'Late keystrokes.' }))
  assert.equal(stale.statusCode, 409)
  assert.equal(slotOf(db, id), undefined, 'a stale autosave writes nothing')
})

test('a save based on a version another tab replaced warns with 409, keeps the text, and saving again goes through', async (t) => {
  const { db, author, id, editor } = await editing(t)
  // Tab B saves first.
  assert.equal((await author.post(editor, typed({ body: 'Tab B’s version.' }), editor)).statusCode, 303)
  const changedAt = formatDateTime(new Date(Number(postRow(db, id).updated_at)), getSettings(db).timezone)

  // Tab A's autosave and Save still say version 1.
  const autosaved = await autosave(author, id, typed({ body: 'Tab A’s text.' }))
  assert.equal(autosaved.statusCode, 409)
  assert.match(String(autosaved.headers['content-type']), /^text\/plain/)
  assert.equal(
    autosaved.body,
    `Not saved: this post was changed in another tab or window at ${changedAt}. Your text is still here; Save will ask before replacing that version.`,
  )

  const refused = await author.post(editor, typed({ body: 'Tab A’s text.' }), editor)
  assert.equal(refused.statusCode, 409)
  assert.ok(
    refused.body.includes(
      `This post was changed in another tab or window at ${changedAt}. Your text is below; saving again will replace that version.`,
    ),
  )
  assert.equal(textareaIn(refused.body, 'body'), 'Tab A’s text.', 'the typed text is kept')
  assert.equal(postRow(db, id).body_md, 'Tab B’s version.', 'nothing was overwritten')
  assert.equal(versionIn(refused.body), '2', 'saving again is based on the version that was shown')

  const again = await author.post(editor, typed({ body: 'Tab A’s text.', version: '2' }), editor)
  assert.equal(again.statusCode, 303)
  assert.equal(postRow(db, id).body_md, 'Tab A’s text.')
  assert.equal(postRow(db, id).version, 3)
})

test('a plain POST without a version still saves, as scripts and imports send it', async (t) => {
  const { db, author, editor, id } = await editing(t)
  const { version: _version, ...fields } = typed({ body: 'From a script.' })
  assert.equal((await author.post(editor, fields, editor)).statusCode, 303)
  assert.equal(postRow(db, id).body_md, 'From a script.')
})

test('restoring a revision is a save: the version moves on and the slot is cleared', async (t) => {
  const { db, author, id, editor } = await editing(t)
  await author.post(editor, typed({ body: 'First save.' }), editor)
  await author.post(editor, typed({ body: 'Second save.', version: '2' }), editor)
  await autosave(author, id, typed({ body: 'Typing after the second save.', version: '3' }))
  const first = db.$client.prepare('select min(id) from post_revisions where post_id = ?').pluck().get(id)
  const res = await author.post(`${editor}/revisions/${first}/restore`, {}, `${editor}/revisions/${first}`)
  assert.equal(res.statusCode, 303)
  assert.equal(postRow(db, id).version, 4)
  assert.equal(slotOf(db, id), undefined)
})

test('autosave refuses an unknown post, a missing token, a missing version and text over the limits', async (t) => {
  const { app, db, author, id, editor } = await editing(t)

  const unknown = await autosave(author, 999, typed())
  assert.equal(unknown.statusCode, 404)
  assert.match(String(unknown.headers['content-type']), /^text\/plain/)
  assert.equal(unknown.body, 'Not saved: this post no longer exists.')
  assert.equal((await author.post('/admin/posts/abc/autosave', typed(), editor)).statusCode, 404)

  const noToken = await app.inject({
    method: 'POST',
    url: `/admin/posts/${id}/autosave`,
    cookies: author.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm(typed({ body: 'No token.' })),
  })
  assert.equal(noToken.statusCode, 403)
  const badToken = await author.post(`/admin/posts/${id}/autosave`, { ...typed(), _csrf: 'forged' })
  assert.equal(badToken.statusCode, 403)

  const { version: _version, ...unversioned } = typed({ body: 'No version.' })
  const noVersion = await autosave(author, id, unversioned)
  assert.equal(noVersion.statusCode, 422)
  assert.match(noVersion.body, /Reload the page/)

  const long = await autosave(author, id, typed({ body: 'x'.repeat(200_001) }))
  assert.equal(long.statusCode, 422)
  assert.match(String(long.headers['content-type']), /^text\/plain/)
  assert.equal(long.body, 'Not saved: Text is too long. Use at most 200,000 characters.')

  const { csrf } = await author.csrfFrom(editor)
  const huge = await app.inject({
    method: 'POST',
    url: `/admin/posts/${id}/autosave`,
    cookies: author.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
    payload: `_csrf=${encodeURIComponent(csrf)}&version=1&body=${'x'.repeat(3 * 1024 * 1024)}`,
  })
  assert.equal(huge.statusCode, 413)
  assert.doesNotMatch(huge.body, /^\{/, 'not JSON')
  assert.match(huge.body, /nothing was saved/)

  assert.equal(slotOf(db, id), undefined, 'nothing refused was kept')
})

test('the editor page loads the autosave script and says where to send', async (t) => {
  const { author, id, editor } = await editing(t)
  const page = await author.get(editor)
  assert.match(page.body, /<script src="\/static\/js\/autosave\.[0-9a-f]+\.js" defer><\/script>/)
  assert.match(page.body, new RegExp(`id="autosave-status" data-url="/admin/posts/${id}/autosave"`))
  assert.ok(csrfIn(page.body))
  const fresh = await author.get('/admin/posts/new')
  assert.match(fresh.body, /id="autosave-status" data-url="\/admin\/posts\/new\/autosave"/)
  assert.equal(versionIn(fresh.body), '')
})
