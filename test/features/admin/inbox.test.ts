// Checks the author's inbox: folders, counts, search, paging, reading a message, every action, and bulk actions.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.ts'
import { type Message, messages } from '../../../src/db/schema.ts'
import { receiveMessage } from '../../../src/features/contact/service.ts'
import { containsPattern } from '../../../src/features/inbox/queries.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { browser, signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const CLEAN = { score: 0, reasons: [], isSpam: false }

/** A message as the contact form stores it; `minutesAgo` orders them. */
function addMessage(
  db: Db,
  input: Partial<{ name: string; email: string; subject: string; body: string }> = {},
  options: { minutesAgo?: number; spam?: { score: number; reasons: string[]; isSpam: boolean } } = {},
): Message {
  return receiveMessage(
    db,
    {
      name: input.name ?? 'Jane Doe',
      email: input.email ?? 'jane@example.com',
      subject: input.subject ?? 'A project',
      body: input.body ?? 'Hello, I would like to talk about a project.',
    },
    { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)', spam: options.spam ?? CLEAN },
    new Date(Date.now() - (options.minutesAgo ?? 0) * 60_000),
  )
}

const row = (db: Db, id: number) => db.select().from(messages).where(eq(messages.id, id)).get()

/** The nav badge's number, or 0 when there is no badge. */
const badgeIn = (html: string): number => Number(/<span class="badge">(\d+)/.exec(html)?.[1] ?? 0)

/** Ids of the rows in a rendered list, top to bottom. */
const idsIn = (html: string): number[] =>
  [...html.matchAll(/name="ids" value="(\d+)"/g)].map((m) => Number(m[1]))

test('an author who is not signed in is sent to the login page from every inbox page', async (t) => {
  const { app, db } = await createTestApp(t)
  const m = addMessage(db)
  const visitor = browser(app)
  for (const url of [
    '/admin/inbox',
    '/admin/inbox?folder=spam',
    `/admin/inbox/${m.id}`,
    `/admin/inbox/${m.id}/delete`,
    '/admin/inbox/export.csv',
    '/admin/inbox/export.json',
  ]) {
    const res = await visitor.get(url)
    assert.equal(res.statusCode, 303, url)
    assert.match(String(res.headers.location), /^\/admin\/login\?next=/, url)
  }
  const post = await visitor.send({
    method: 'POST',
    url: `/admin/inbox/${m.id}/read`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  })
  assert.ok(post.statusCode === 401 || post.statusCode === 403, String(post.statusCode))
  assert.equal(row(db, m.id)?.readAt, null)
})

test('the inbox lists messages newest first, with folder tabs, counts and unread ones labelled', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const old = addMessage(db, { name: 'Old Sender', subject: 'Older' }, { minutesAgo: 60 })
  const recent = addMessage(db, {
    name: 'New Sender',
    subject: '',
    body: 'Quick question about your rates for a site',
  })
  const archivedId = addMessage(db, { name: 'Archived Person' }, { minutesAgo: 5 }).id
  db.update(messages).set({ folder: 'archived' }).where(eq(messages.id, archivedId)).run()
  addMessage(
    db,
    { name: 'Bot', subject: 'SEO' },
    { spam: { score: 9, reasons: ['spam phrases: seo service'], isSpam: true } },
  )
  db.update(messages).set({ readAt: new Date() }).where(eq(messages.id, old.id)).run()

  const res = await author.get('/admin/inbox')
  assert.equal(res.statusCode, 200)
  assert.deepEqual(idsIn(res.body), [recent.id, old.id])
  assert.match(res.body, /aria-current="page">Inbox <span class="inbox-count">1 unread<\/span>/)
  assert.match(res.body, />Archived <span class="inbox-count">1 message<\/span>/)
  assert.match(res.body, />Spam <span class="inbox-count">1 message<\/span>/)
  // The unread message is bold (by class) and says "Unread" in words; the read one does not.
  const rows = res.body.split('<tr class="inbox-row').slice(1)
  assert.match(rows[0] ?? '', /^ inbox-row--unread"/)
  assert.match(rows[0] ?? '', /<span class="unread-label">Unread<\/span>/)
  assert.match(rows[0] ?? '', /New Sender/)
  // The address may wrap after "@" and dots: <wbr> marks where.
  assert.match(rows[0]?.replaceAll('<wbr>', '') ?? '', /jane@example\.com/)
  assert.match(rows[0] ?? '', /jane@<wbr>example\.<wbr>com/)
  assert.match(
    rows[0] ?? '',
    /Quick question about your rates for a site/,
    'no subject: the first words show',
  )
  assert.doesNotMatch(rows[1] ?? '', /Unread/)
  assert.match(rows[1] ?? '', /Older/)

  const spam = await author.get('/admin/inbox?folder=spam')
  assert.match(spam.body, /Bot/)
  assert.match(spam.body, /Spam score 9: <bdi>spam phrases: seo service<\/bdi>/)
  assert.doesNotMatch(spam.body, /New Sender/)
  const archived = await author.get('/admin/inbox?folder=archived')
  assert.deepEqual(idsIn(archived.body), [archivedId])

  const empty = await author.get('/admin/inbox?folder=nonsense')
  assert.equal(empty.statusCode, 200, 'an unknown folder falls back to the inbox')
  assert.deepEqual(idsIn(empty.body), [recent.id, old.id])
})

test('received times are shown in the author’s timezone, with the exact time in datetime and UTC on hover', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'America/New_York' })
  const m = receiveMessage(
    db,
    { name: 'Jane', email: 'jane@example.com', subject: 'Hi', body: 'Hello there, friend.' },
    { ip: '', userAgent: '', spam: CLEAN },
    new Date('2026-01-15T03:30:00Z'),
  )
  const list = await author.get('/admin/inbox')
  assert.match(
    list.body,
    /<time datetime="2026-01-15T03:30:00.000Z" title="2026-01-15 03:30 UTC">14 January 2026, 22:30<\/time>/,
  )
  const detail = await author.get(`/admin/inbox/${m.id}`)
  assert.match(detail.body, /title="2026-01-15 03:30 UTC">14 January 2026, 22:30<\/time>/)
})

test('search finds messages by name, email, subject or message, ignoring case and taking % and _ literally', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const byName = addMessage(db, {
    name: 'Priya Raman',
    email: 'p@example.org',
    subject: 'Hi',
    body: 'Nothing special here.',
  })
  const byEmail = addMessage(db, {
    name: 'Sam',
    email: 'sam@acme-widgets.io',
    subject: 'Hi',
    body: 'Nothing special here.',
  })
  const bySubject = addMessage(db, {
    name: 'Lee',
    email: 'lee@example.org',
    subject: 'Invoice question',
    body: 'See subject.',
  })
  const byBody = addMessage(db, {
    name: 'Kim',
    email: 'kim@example.org',
    subject: 'Hi',
    body: 'We need 100% uptime_guarantee.',
  })
  addMessage(db, {
    name: 'Other',
    email: 'other@example.org',
    subject: 'Hi',
    body: 'We need 100 percent uptime.',
  })

  const search = async (q: string, folder = 'inbox') =>
    idsIn((await author.get(`/admin/inbox?folder=${folder}&q=${encodeURIComponent(q)}`)).body)
  assert.deepEqual(await search('priya'), [byName.id])
  assert.deepEqual(await search('ACME-WIDGETS'), [byEmail.id])
  assert.deepEqual(await search('invoice'), [bySubject.id])
  assert.deepEqual(await search('100%'), [byBody.id], '% is a literal character')
  assert.deepEqual(await search('uptime_'), [byBody.id], '_ is a literal character')
  assert.deepEqual(await search('%'), [byBody.id])
  assert.deepEqual(await search('kim uptime'), [byBody.id], 'every word must match')
  assert.deepEqual(await search('priya', 'spam'), [], 'search stays in the folder')

  const res = await author.get('/admin/inbox?q=nobody-writes-this')
  assert.equal(res.statusCode, 200)
  assert.match(res.body, /0 messages match “<bdi>nobody-writes-this<\/bdi>”/)
  assert.match(res.body, /No messages in Inbox match your search/)
  assert.equal(containsPattern('a%b_c\\d'), '%a\\%b\\_c\\\\d%')
})

test('the list shows 25 messages a page and its page links keep the folder and the search', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const archived: number[] = []
  for (let i = 0; i < 30; i++) {
    const m = addMessage(db, { subject: `Brief ${i}` }, { minutesAgo: 100 - i })
    archived.push(m.id)
  }
  db.update(messages).set({ folder: 'archived' }).run()
  addMessage(db, { subject: 'Something else entirely', body: 'Nothing to see.' })

  const first = await author.get('/admin/inbox?folder=archived&q=brief')
  assert.equal(idsIn(first.body).length, 25)
  assert.equal(idsIn(first.body)[0], archived[29], 'newest first')
  assert.match(first.body, /Page 1 of 2/)
  assert.match(first.body, /<a href="\/admin\/inbox\?folder=archived&amp;q=brief&amp;page=2" rel="next">/)

  const second = await author.get('/admin/inbox?folder=archived&q=brief&page=2')
  assert.deepEqual(idsIn(second.body), archived.slice(0, 5).reverse())
  assert.match(second.body, /<a href="\/admin\/inbox\?folder=archived&amp;q=brief" rel="prev">/)
  assert.match(second.body, /name="page" value="2"/, 'the bulk form returns to this page')

  const beyond = await author.get('/admin/inbox?folder=archived&q=brief&page=9')
  assert.equal(beyond.statusCode, 200)
  assert.deepEqual(idsIn(beyond.body), archived.slice(0, 5).reverse(), 'past the end shows the last page')
  const junk = await author.get('/admin/inbox?folder=archived&page=-3')
  assert.equal(idsIn(junk.body).length, 25)
})

test('opening a message shows it in full and changes nothing in the database', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(db, {
    name: 'Jane Doe',
    subject: 'Website rebuild',
    body: 'Line one\nLine two\n\n  Indented',
  })
  await author.get('/admin') // settle the session's first-request bookkeeping before the snapshot
  const before = snapshotDb(db)
  const res = await author.get(`/admin/inbox/${m.id}`)
  assert.equal(res.statusCode, 200)
  assert.deepEqual(snapshotDb(db), before)
  assert.equal(row(db, m.id)?.readAt, null)
  assert.match(res.body, /<title>Website rebuild · /)
  assert.match(res.body, /<div class="message-body" dir="auto">Line one\nLine two\n\n {2}Indented<\/div>/)
  assert.match(res.body, /<code>203\.0\.113\.7<\/code>/)
  assert.match(res.body, /<code>Mozilla\/5\.0 \(test\)<\/code>/)
  assert.match(
    res.body,
    /<form method="post" action="\/admin\/inbox\/\d+\/read" class="mark-read" data-auto-read data-in-inbox>/,
  )
  assert.match(res.body, /<button type="submit">Mark as read<\/button>/)
  assert.match(res.body, /name="_csrf" value="[^"]+"/)
})

test('marking a message read from its page marks it read and the unread count in the navigation drops', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(db)
  addMessage(db, { name: 'Second' })
  assert.equal(badgeIn((await author.get('/admin')).body), 2)
  assert.match((await author.get('/admin')).body, /<span class="big-number">2<\/span> unread/)

  const res = await author.post(`/admin/inbox/${m.id}/read`, {}, `/admin/inbox/${m.id}`)
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/inbox/${m.id}?done=inbox-read`)
  assert.ok(row(db, m.id)?.readAt instanceof Date)

  const page = await author.get(String(res.headers.location))
  assert.match(page.body, /Marked as read\./)
  assert.doesNotMatch(page.body, /Mark as read<\/button>/)
  assert.match(page.body, /Mark unread<\/button>/)
  assert.equal(badgeIn(page.body), 1)
  assert.match((await author.get('/admin')).body, /<span class="big-number">1<\/span> unread/)

  const unread = await author.post(`/admin/inbox/${m.id}/unread`, {}, `/admin/inbox/${m.id}`)
  assert.equal(unread.statusCode, 303)
  assert.equal(unread.headers.location, '/admin/inbox?done=inbox-unread')
  assert.equal(row(db, m.id)?.readAt, null)
  assert.equal(badgeIn((await author.get('/admin/inbox')).body), 2)
})

test('archive, move to inbox, spam and not spam move a message where they say', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(db)
  const url = `/admin/inbox/${m.id}`
  const act = (path: string) => author.post(`${url}/${path}`, {}, url)

  let res = await act('archive')
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/inbox?done=inbox-archived')
  assert.equal(row(db, m.id)?.folder, 'archived')
  assert.equal(badgeIn((await author.get('/admin')).body), 0, 'archived messages leave the unread count')
  assert.match((await author.get(url)).body, /Move to inbox<\/button>/)

  res = await act('move-to-inbox')
  assert.equal(res.headers.location, `${url}?done=inbox-moved`)
  assert.equal(row(db, m.id)?.folder, 'inbox')

  res = await act('spam')
  assert.equal(res.headers.location, '/admin/inbox?done=inbox-spam')
  assert.equal(row(db, m.id)?.folder, 'spam')
  const spamPage = await author.get(url)
  assert.match(spamPage.body, /Why this is in Spam/)
  assert.match(spamPage.body, /Not spam<\/button>/)

  res = await act('not-spam')
  assert.equal(res.headers.location, `${url}?done=inbox-not-spam`)
  assert.equal(row(db, m.id)?.folder, 'inbox')
  assert.match(
    (await author.get(String(res.headers.location))).body,
    /Marked as not spam and moved to the inbox\./,
  )
})

test('a message in Spam shows its score and the reasons it was caught', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(
    db,
    {},
    { spam: { score: 12, reasons: ['filled in the hidden field', '3 links'], isSpam: true } },
  )
  const res = await author.get(`/admin/inbox/${m.id}`)
  assert.match(res.body, /Spam score 12\./)
  assert.match(res.body, /<li><bdi>filled in the hidden field<\/bdi><\/li>/)
  assert.match(res.body, /<li><bdi>3 links<\/bdi><\/li>/)
  assert.doesNotMatch(res.body, /data-in-inbox/, 'reading spam does not touch the inbox count')
})

test('deleting a message asks for confirmation first, then removes it', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(db, { subject: 'Delete me' })
  const confirm = await author.get(`/admin/inbox/${m.id}/delete`)
  assert.equal(confirm.statusCode, 200)
  assert.match(confirm.body, /Delete this message\?/)
  assert.match(confirm.body, /<input type="hidden" name="confirm" value="yes">/)
  assert.ok(row(db, m.id), 'the confirmation page deletes nothing')

  const unconfirmed = await author.post(`/admin/inbox/${m.id}/delete`, {}, `/admin/inbox/${m.id}/delete`)
  assert.equal(unconfirmed.statusCode, 422)
  assert.match(unconfirmed.body, /Nothing was deleted/)
  assert.ok(row(db, m.id))

  const res = await author.post(
    `/admin/inbox/${m.id}/delete`,
    { confirm: 'yes' },
    `/admin/inbox/${m.id}/delete`,
  )
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/inbox?done=inbox-deleted')
  assert.equal(row(db, m.id), undefined)
  assert.match((await author.get(String(res.headers.location))).body, /Deleted for good\./)
  assert.equal((await author.get(`/admin/inbox/${m.id}`)).statusCode, 404)
})

test('an unknown or malformed message id answers with the inbox’s 404 page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (const url of ['/admin/inbox/999', '/admin/inbox/abc', '/admin/inbox/0', '/admin/inbox/999/delete']) {
    const res = await author.get(url)
    assert.equal(res.statusCode, 404, url)
    assert.match(res.body, /Message not found/, url)
  }
  const post = await author.post('/admin/inbox/999/read', {}, '/admin/inbox')
  assert.equal(post.statusCode, 404)
})

test('bulk actions change every selected message and return to the same folder, search and page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const a = addMessage(db, { subject: 'Alpha job' })
  const b = addMessage(db, { subject: 'Beta job' })
  const c = addMessage(db, { subject: 'Gamma job' })
  const bulk = (fields: Record<string, string | string[]>) =>
    author.post('/admin/inbox/bulk', fields, '/admin/inbox')

  let res = await bulk({
    action: 'mark_read',
    ids: [String(a.id), String(b.id)],
    folder: 'inbox',
    q: 'job',
    page: '1',
  })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/inbox?q=job&done=inbox-read')
  assert.ok(row(db, a.id)?.readAt && row(db, b.id)?.readAt)
  assert.equal(row(db, c.id)?.readAt, null)
  assert.equal(badgeIn((await author.get('/admin/inbox')).body), 1)

  res = await bulk({ action: 'mark_unread', ids: [String(a.id)], folder: 'inbox' })
  assert.equal(res.headers.location, '/admin/inbox?done=inbox-unread')
  assert.equal(row(db, a.id)?.readAt, null)

  res = await bulk({ action: 'archive', ids: [String(a.id), String(c.id)], folder: 'inbox' })
  assert.equal(res.headers.location, '/admin/inbox?done=inbox-archived')
  assert.deepEqual(
    [row(db, a.id)?.folder, row(db, b.id)?.folder, row(db, c.id)?.folder],
    ['archived', 'inbox', 'archived'],
  )

  res = await bulk({ action: 'move_to_inbox', ids: [String(a.id)], folder: 'archived', page: '2' })
  assert.equal(res.headers.location, '/admin/inbox?folder=archived&page=2&done=inbox-moved')
  assert.equal(row(db, a.id)?.folder, 'inbox')

  res = await bulk({ action: 'spam', ids: [String(a.id), String(b.id)], folder: 'inbox' })
  assert.equal(res.headers.location, '/admin/inbox?done=inbox-spam')
  assert.equal(row(db, a.id)?.folder, 'spam')
  assert.equal(row(db, b.id)?.folder, 'spam')

  res = await bulk({ action: 'not_spam', ids: [String(b.id)], folder: 'spam' })
  assert.equal(res.headers.location, '/admin/inbox?folder=spam&done=inbox-not-spam')
  assert.equal(row(db, b.id)?.folder, 'inbox')
  assert.equal(row(db, a.id)?.folder, 'spam')
})

test('bulk delete needs its confirmation box ticked, and deletes nothing without it', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const a = addMessage(db, { subject: 'First' })
  const b = addMessage(db, { subject: 'Second' })
  const ids = [String(a.id), String(b.id)]

  const refused = await author.post(
    '/admin/inbox/bulk',
    { action: 'delete', ids, folder: 'inbox' },
    '/admin/inbox',
  )
  assert.equal(refused.statusCode, 422)
  assert.match(refused.body, /<p class="form-error" role="alert">Nothing was deleted\./)
  assert.match(
    refused.body,
    new RegExp(`name="ids" value="${a.id}" id="select-${a.id}" checked`),
    'the selection is kept',
  )
  assert.ok(row(db, a.id) && row(db, b.id))

  const res = await author.post(
    '/admin/inbox/bulk',
    { action: 'delete', ids, confirm: 'yes' },
    '/admin/inbox',
  )
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/inbox?done=inbox-deleted')
  assert.equal(row(db, a.id), undefined)
  assert.equal(row(db, b.id), undefined)
})

test('a bulk action with nothing selected, or no action, re-renders the list with a message', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(db)
  const none = await author.post('/admin/inbox/bulk', { action: 'archive', folder: 'inbox' }, '/admin/inbox')
  assert.equal(none.statusCode, 422)
  assert.match(none.body, /Select at least one message first/)
  const noAction = await author.post('/admin/inbox/bulk', { ids: String(m.id) }, '/admin/inbox')
  assert.equal(noAction.statusCode, 422)
  assert.match(noAction.body, /Choose what to do with the selected messages/)
  const bogus = await author.post('/admin/inbox/bulk', { ids: 'abc', action: 'archive' }, '/admin/inbox')
  assert.equal(bogus.statusCode, 422)
  const gone = await author.post('/admin/inbox/bulk', { ids: '999', action: 'archive' }, '/admin/inbox')
  assert.equal(gone.statusCode, 422)
  assert.equal(row(db, m.id)?.folder, 'inbox')
})

test('every inbox form sent without its CSRF token is refused with 403 and changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(db)
  await author.csrfFrom('/admin/inbox') // the CSRF cookie is there; only the form field is missing
  const before = snapshotDb(db)
  const posts: [string, Record<string, string | string[]>][] = [
    [`/admin/inbox/${m.id}/read`, {}],
    [`/admin/inbox/${m.id}/unread`, {}],
    [`/admin/inbox/${m.id}/archive`, {}],
    [`/admin/inbox/${m.id}/move-to-inbox`, {}],
    [`/admin/inbox/${m.id}/spam`, {}],
    [`/admin/inbox/${m.id}/not-spam`, {}],
    [`/admin/inbox/${m.id}/delete`, { confirm: 'yes' }],
    ['/admin/inbox/bulk', { action: 'delete', ids: [String(m.id)], confirm: 'yes' }],
  ]
  for (const [url, fields] of posts) {
    const missing = await author.post(url, { ...fields, _csrf: '' })
    assert.equal(missing.statusCode, 403, url)
    const forged = await author.post(url, { ...fields, _csrf: 'forged-token' })
    assert.equal(forged.statusCode, 403, url)
  }
  assert.deepEqual(snapshotDb(db), before)
})
