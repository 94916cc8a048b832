// Checks the editor's "Email this post" checkbox: who it would reach, what is stored, what autosave and plain POSTs leave alone, and the note once sent.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { sendsNewsletter } from '../../../src/features/newsletter/issues.ts'
import { postForm, type SignedIn, signIn, snapshotDb } from '../../helpers/admin.ts'
import { rowCount } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { mainOf } from '../../helpers/html.ts'
import { folioApp, UNREACHABLE_SMTP } from './public-visitor.ts'
import { addSubscriber } from './send-fixtures.ts'

const checkbox = (html: string) =>
  /<input type="checkbox" id="send_newsletter" name="send_newsletter"[^>]*>/.exec(html)?.[0]
const labelOf = (html: string) =>
  /<input type="checkbox" id="send_newsletter"[^>]*> ([^<]*)<\/label>/.exec(html)?.[1]

async function editing(t: TestContext, env: Record<string, string> = { SMTP_URL: UNREACHABLE_SMTP }) {
  const { app, db } = await folioApp(t, env)
  const author = await signIn(app, db)
  const { id } = createPost(db, { title: 'Notes on caching', status: 'draft', publishedAt: undefined })
  return { app, db, author, id, editor: `/admin/posts/${id}` }
}

const save = (author: SignedIn, id: number, fields: Record<string, string>) =>
  author.post(
    `/admin/posts/${id}`,
    postForm({ title: 'Notes on caching', status: 'draft', ...fields }),
    `/admin/posts/${id}`,
  )

const tick = (db: Db, id: number) => sendsNewsletter(db, id)

test('the editor offers to email the post to the confirmed subscribers, counted', async (t) => {
  const { db, author, editor } = await editing(t)
  addSubscriber(db, 'ada@example.com')
  addSubscriber(db, 'bob@example.com')
  addSubscriber(db, 'pending@example.com', 'pending')
  addSubscriber(db, 'left@example.com', 'unsubscribed')

  const html = mainOf((await author.get(editor)).body)
  assert.ok(checkbox(html), 'the checkbox is there')
  assert.doesNotMatch(checkbox(html) ?? '', /checked/)
  assert.equal(labelOf(html), 'Email this post to 2 subscribers')
  assert.match(html, /It goes out once, when you publish the post\./)
  assert.match(html, /<input type="hidden" name="send_newsletter_offered" value="1">/)

  const fresh = mainOf((await author.get('/admin/posts/new')).body)
  assert.equal(labelOf(fresh), 'Email this post to 2 subscribers')
})

test('without SMTP_URL there is no checkbox, only a note saying what to set', async (t) => {
  const { app, author, editor } = await editing(t, {})
  const html = mainOf((await author.get(editor)).body)
  assert.equal(checkbox(html), undefined)
  assert.doesNotMatch(html, /send_newsletter_offered/)
  assert.match(html, /To email posts to your subscribers, set <code>SMTP_URL<\/code>/)
  assert.equal(app.newsletter, undefined, 'no newsletter pass runs')
})

test('the tick is stored with the post; a plain POST without it leaves it, the editor unticked clears it', async (t) => {
  const { db, author, id, editor } = await editing(t)
  assert.equal(
    (await save(author, id, { send_newsletter: '1', send_newsletter_offered: '1' })).statusCode,
    303,
  )
  assert.equal(tick(db, id), true)
  assert.ok(checkbox(mainOf((await author.get(editor)).body))?.includes('checked'))

  // A script's plain POST of the contract fields knows nothing of the checkbox.
  assert.equal((await save(author, id, { body: 'Edited by a script.' })).statusCode, 303)
  assert.equal(tick(db, id), true)

  // The editor with the box unticked sends only its marker.
  assert.equal((await save(author, id, { send_newsletter_offered: '1' })).statusCode, 303)
  assert.equal(tick(db, id), false)
})

test('autosave never changes the tick', async (t) => {
  const { db, author, id } = await editing(t)
  await save(author, id, { send_newsletter: '1', send_newsletter_offered: '1' })
  const version = String(db.$client.prepare('select version from posts where id = ?').pluck().get(id))
  const res = await author.post(
    `/admin/posts/${id}/autosave`,
    postForm({ title: 'Notes on caching', status: 'draft', version, send_newsletter_offered: '1' }),
    `/admin/posts/${id}`,
  )
  assert.equal(res.statusCode, 200)
  assert.equal(tick(db, id), true)
})

test('a form refused for another field comes back with the tick as it was sent, and stores nothing', async (t) => {
  const { db, author, id } = await editing(t)
  const posts = () => JSON.stringify(db.$client.prepare('select * from posts').all())
  const before = posts()
  const res = await save(author, id, { title: '', send_newsletter: '1', send_newsletter_offered: '1' })
  assert.equal(res.statusCode, 422)
  assert.ok(checkbox(mainOf(res.body))?.includes('checked'))
  assert.equal(posts(), before)
  assert.equal(tick(db, id), false)
})

test('once emailed, the checkbox gives way to when and to how many it went; opening the editor writes nothing', async (t) => {
  const { app, db, author, id, editor } = await editing(t)
  addSubscriber(db, 'ada@example.com')
  addSubscriber(db, 'bob@example.com')
  const published = await save(author, id, {
    status: 'published',
    send_newsletter: '1',
    send_newsletter_offered: '1',
  })
  assert.equal(published.statusCode, 303)
  assert.ok(app.newsletter)
  await app.newsletter.drain()
  assert.equal(rowCount(db, 'newsletter_issues'), 1)

  const before = snapshotDb(db)
  const html = mainOf((await author.get(editor)).body)
  assert.deepEqual(snapshotDb(db), before, 'GET on the editor writes nothing')
  assert.match(html, /Emailed to 2 subscribers on <time datetime="[^"]+">[^<]+<\/time>\./)
  // Nothing has reached the (unreachable) mail server yet.
  assert.match(html, /0 of 2 sent so far\./)
  assert.equal(checkbox(html), undefined)
  assert.doesNotMatch(html, /send_newsletter_offered/)
})
