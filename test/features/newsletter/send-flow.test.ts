// Checks emailing a post end to end against a real SMTP server: subscribe, confirm, publish with "Email this post", one-click unsubscribe, the next post.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { postForm, signIn } from '../../helpers/admin.ts'
import { mainOf } from '../../helpers/html.ts'
import { headerOf, startSmtpServer } from '../../helpers/smtp.ts'
import { folioApp, linkIn, subscribeVisitor, targetOf } from './public-visitor.ts'
import { AUTHOR, addSubscriber, copiesTo, newsletterRows, partsOf } from './send-fixtures.ts'

const SITE = 'https://blog.example.com'
const UNSUBSCRIBE_HEADER =
  /^<(https:\/\/blog\.example\.com\/unsubscribe\?token=[A-Za-z0-9._%-]+)>, <mailto:author@example\.com\?subject=unsubscribe>$/

test('publishing a post ticked "Email this post" sends each confirmed subscriber exactly one email, and nobody else', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db } = await folioApp(t, { SMTP_URL: smtp.url, NOTIFY_EMAIL: AUTHOR })
  saveSettings(db, { title: 'Sam Writes' })
  const ada = addSubscriber(db, 'ada@example.com')
  const bob = addSubscriber(db, 'bob@example.com')
  addSubscriber(db, 'pending@example.com', 'pending')
  addSubscriber(db, 'left@example.com', 'unsubscribed')
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/posts',
    postForm({
      title: 'Caching at the edge',
      body: '![A chart of hit rates](/media/chart.png)\n\nWhy `stale-while-revalidate` helps.\n\n```js\nconst ttl = 60\n```',
      send_newsletter: '1',
    }),
    '/admin/posts/new',
  )
  assert.equal(res.statusCode, 303)
  assert.ok(app.newsletter && app.outbox)
  await app.newsletter.drain()
  await app.outbox.drain()

  assert.equal(copiesTo(smtp.received, 'pending@example.com').length, 0)
  assert.equal(copiesTo(smtp.received, 'left@example.com').length, 0)
  const links = new Set<string>()
  for (const [email, id] of [
    ['ada@example.com', ada],
    ['bob@example.com', bob],
  ] as const) {
    const copies = copiesTo(smtp.received, email)
    assert.equal(copies.length, 1, `${email} gets one copy`)
    const [mail] = copies
    assert.ok(mail)
    assert.deepEqual(mail.rcptTo, [email], 'the envelope names this reader alone')
    assert.equal(headerOf(mail.raw, 'subject'), 'Caching at the edge')
    assert.match(headerOf(mail.raw, 'from') ?? '', /^"?Sam Writes"? </)
    assert.equal(headerOf(mail.raw, 'reply-to'), AUTHOR, 'a reply reaches the author')
    assert.equal(headerOf(mail.raw, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click')
    const unsubscribe = UNSUBSCRIBE_HEADER.exec(headerOf(mail.raw, 'list-unsubscribe') ?? '')?.[1]
    assert.ok(unsubscribe, 'List-Unsubscribe has an https URL and a mailto:')
    links.add(unsubscribe)
    assert.match(
      headerOf(mail.raw, 'message-id') ?? '',
      new RegExp(`^<issue-\\d+\\.${id}@blog\\.example\\.com>$`),
    )
    assert.match(headerOf(mail.raw, 'content-type') ?? '', /^multipart\/alternative/)

    const { text, html } = partsOf(mail)
    assert.match(
      html,
      /<img[^>]*src="https:\/\/blog\.example\.com\/media\/chart\.png"[^>]*style="[^"]*max-width: 100%/,
    )
    assert.match(html, /<pre style="[^"]*white-space: pre-wrap/)
    assert.match(html, /<a href="https:\/\/blog\.example\.com\/posts\/caching-at-the-edge"/)
    assert.ok(html.includes(`href="${unsubscribe}"`), 'the footer links to the same unsubscribe URL')
    assert.match(text, /Why stale-while-revalidate helps\./)
    assert.match(text, /const ttl = 60/)
    assert.ok(text.includes(`Unsubscribe: ${unsubscribe}`))
  }
  assert.equal(links.size, 2, 'each reader has their own unsubscribe link')

  // A second pass, and saving the post again, send nothing more.
  const [row] = newsletterRows(db)
  const postId = db.$client.prepare('select id from posts').pluck().get() as number
  const update = await author.post(
    `/admin/posts/${postId}`,
    postForm({ title: 'Caching at the edge, updated', send_newsletter: '1' }),
    `/admin/posts/${postId}`,
  )
  assert.equal(update.statusCode, 303)
  await app.newsletter.drain()
  await app.outbox.drain()
  assert.equal(smtp.received.length, 2)
  assert.equal(newsletterRows(db).length, 2)
  assert.equal(row?.issueId, newsletterRows(db)[1]?.issueId)

  const editor = mainOf((await author.get(`/admin/posts/${postId}`)).body)
  assert.match(editor, /Emailed to 2 subscribers on <time datetime="[^"]+">/)
  assert.doesNotMatch(editor, /name="send_newsletter"/, 'it cannot be sent again')
})

test('subscribe, confirm, get the post, leave with one click: the next post does not reach them', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db } = await folioApp(t, { SMTP_URL: smtp.url, NOTIFY_EMAIL: AUTHOR })
  assert.ok(app.newsletter && app.outbox)
  const reader = 'reader@example.com'
  const visitor = subscribeVisitor(app, db)

  assert.equal((await visitor.subscribe({ email: reader })).statusCode, 303)
  await app.outbox.drain()
  const confirmLink = linkIn(
    partsOf(smtp.received[0] ?? { mailFrom: '', rcptTo: [], raw: '' }).text,
    '/subscribe/confirm',
  )
  assert.ok(confirmLink, 'the confirmation email carries the link')
  const page = await visitor.inject({ method: 'GET', url: targetOf(confirmLink) })
  const token = /name="token" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
  const confirmed = await visitor.inject({
    method: 'POST',
    url: '/subscribe/confirm',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE },
    payload: `token=${encodeURIComponent(token)}`,
  })
  assert.equal(confirmed.statusCode, 200)

  const author = await signIn(app, db)
  const first = await author.post(
    '/admin/posts',
    postForm({ title: 'First issue', send_newsletter: '1' }),
    '/admin/posts/new',
  )
  assert.equal(first.statusCode, 303)
  await app.newsletter.drain()
  await app.outbox.drain()
  const [copy] = copiesTo(smtp.received, reader)
  assert.ok(copy, 'the confirmed reader gets the post')
  const unsubscribe = UNSUBSCRIBE_HEADER.exec(headerOf(copy.raw, 'list-unsubscribe') ?? '')?.[1] ?? ''

  // The mail client's one-click POST (RFC 8058): another origin, no cookie, the token in the URL.
  const oneClick = await app.inject({
    method: 'POST',
    url: targetOf(unsubscribe),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example.net' },
    payload: 'List-Unsubscribe=One-Click',
  })
  assert.equal(oneClick.statusCode, 200)

  const second = await author.post(
    '/admin/posts',
    postForm({ title: 'Second issue', send_newsletter: '1' }),
    '/admin/posts/new',
  )
  assert.equal(second.statusCode, 303)
  await app.newsletter.drain()
  await app.outbox.drain()
  assert.deepEqual(
    copiesTo(smtp.received, reader).map((mail) => headerOf(mail.raw, 'subject')),
    ['First issue'],
    'the second post does not reach them',
  )
})

test('a post not ticked, or ticked and then unticked, is never emailed', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db } = await folioApp(t, { SMTP_URL: smtp.url })
  addSubscriber(db, 'ada@example.com')
  const author = await signIn(app, db)
  assert.ok(app.newsletter && app.outbox)

  await author.post('/admin/posts', postForm({ title: 'Not for email' }), '/admin/posts/new')
  const draft = await author.post(
    '/admin/posts',
    postForm({ title: 'Changed my mind', status: 'draft', send_newsletter: '1' }),
    '/admin/posts/new',
  )
  const id = Number(/\/admin\/posts\/(\d+)/.exec(String(draft.headers.location))?.[1])
  // The editor's form sends its hidden marker and, unticked, no checkbox.
  await author.post(
    `/admin/posts/${id}`,
    postForm({ title: 'Changed my mind', send_newsletter_offered: '1' }),
    `/admin/posts/${id}`,
  )
  await app.newsletter.drain()
  await app.outbox.drain()
  assert.equal(smtp.received.length, 0)
  assert.equal(newsletterRows(db).length, 0)
})
