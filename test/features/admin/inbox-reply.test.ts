// Checks replying from the inbox: through the outbox to a real SMTP server with threading headers, kept in the thread; or mailto: and "Mark as replied" without SMTP.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import type { Message } from '../../../src/db/schema.ts'
import { receiveMessage } from '../../../src/features/contact/service.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { fieldErrorIn, formErrorIn, type SignedIn, signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { contactVisitor, GOOD_MESSAGE, storedMessages } from '../../helpers/contact.ts'
import { headerOf, headersOf, startSmtpServer, type TestSmtpServer, textOf } from '../../helpers/smtp.ts'

const AUTHOR = 'author@example.com'
const OUR_MESSAGE_ID = /^<[0-9a-f-]{36}@blog\.example\.com>$/

interface ReplyMail {
  id: number
  attempts: number
  sentAt: number | null
  lastError: string | null
}

const replyMails = (db: Db): ReplyMail[] =>
  db.$client
    .prepare(
      `select id, attempts, sent_at as sentAt, last_error as lastError from outbox where kind = 'reply' order by id`,
    )
    .all() as ReplyMail[]

const repliedAt = (db: Db, id: number): number | null =>
  db.$client.prepare('select replied_at from messages where id = ?').pluck().get(id) as number | null

/** Time passing, without waiting: every unsent mail's retry becomes due now. */
const makeRetriesDue = (db: Db) =>
  db.$client.prepare('update outbox set next_attempt_at = ? where sent_at is null').run(Date.now())

/** The text inside the reply textarea, as written in the HTML (still escaped). */
const replyTextareaIn = (html: string): string | undefined =>
  /<textarea[^>]*\bname="reply"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1]

/** The thread's entries on a message page: each reply's state label and its text. */
const threadIn = (html: string): { state: string; body: string }[] =>
  [
    ...html.matchAll(
      /<span class="reply-state reply-state--\w+">([^<]*)<\/span>[\s\S]*?<div class="message-body" dir="auto">([\s\S]*?)<\/div>/g,
    ),
  ].map((m) => ({ state: m[1] ?? '', body: m[2] ?? '' }))

async function appWithSmtp(t: Parameters<typeof createTestApp>[0], env: Record<string, string>) {
  const built = await createTestApp(t, env)
  const outbox = built.app.outbox
  assert.ok(outbox, 'the mail worker runs when SMTP_URL is set')
  const author = await signIn(built.app, built.db)
  return { ...built, outbox, author }
}

/** A visitor's message through the real contact form; returns it as stored. */
async function visitorWrites(app: Parameters<typeof contactVisitor>[0], db: Db) {
  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE })
  assert.equal(res.statusCode, 303)
  const message = storedMessages(db).at(-1)
  assert.ok(message)
  return message
}

async function reply(author: SignedIn, id: number, text: string) {
  const page = `/admin/inbox/${id}`
  return author.post(`${page}/reply`, { reply: text }, page)
}

function mailTo(smtp: TestSmtpServer, address: string) {
  const mails = smtp.received.filter((m) => m.rcptTo.includes(address))
  return mails
}

test('a reply reaches the visitor through the outbox, threaded under the notification, and the next one chains it', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox, author } = await appWithSmtp(t, { SMTP_URL: smtp.url, NOTIFY_EMAIL: AUTHOR })
  saveSettings(db, { authorName: 'Sam Rivera' })
  const message = await visitorWrites(app, db)
  await outbox.drain()
  const notification = mailTo(smtp, AUTHOR)[0]
  assert.ok(notification, 'the author was notified')
  const rootId = headerOf(notification.raw, 'message-id') ?? ''
  assert.match(rootId, OUR_MESSAGE_ID, 'the notification carries a stored Message-ID of our own')

  const page = await author.get(`/admin/inbox/${message.id}`)
  assert.match(page.body, /<textarea id="reply" name="reply"[^>]*maxlength="20000"/)
  assert.match(page.body, /<a class="button" href="#write-reply">Reply<\/a>/)

  const first = await reply(author, message.id, 'Hi Ada,\r\n\r\nHappy to look at it next month.\r\n\r\nSam')
  assert.equal(first.statusCode, 303)
  assert.equal(first.headers.location, `/admin/inbox/${message.id}?done=inbox-reply-queued`)
  assert.equal(typeof repliedAt(db, message.id), 'number', 'marked replied with the reply')
  await outbox.drain()

  const [mail] = mailTo(smtp, GOOD_MESSAGE.email)
  assert.ok(mail, 'the reply arrived at the visitor')
  assert.deepEqual(mail.rcptTo, [GOOD_MESSAGE.email])
  assert.equal(headerOf(mail.raw, 'to'), GOOD_MESSAGE.email)
  assert.equal(headerOf(mail.raw, 'subject'), `Re: ${GOOD_MESSAGE.subject}`)
  assert.match(headerOf(mail.raw, 'from') ?? '', /^"?Sam Rivera"? <notifications@blog\.example\.com>$/)
  assert.equal(headerOf(mail.raw, 'reply-to'), AUTHOR, "the visitor's answer reaches the author's mailbox")
  const firstId = headerOf(mail.raw, 'message-id') ?? ''
  assert.match(firstId, OUR_MESSAGE_ID)
  assert.notEqual(firstId, rootId)
  assert.equal(headerOf(mail.raw, 'in-reply-to'), rootId)
  assert.equal(headerOf(mail.raw, 'references'), rootId)
  assert.match(headerOf(mail.raw, 'content-type') ?? '', /^text\/plain/)
  const text = textOf(mail.raw)
  assert.ok(text.startsWith('Hi Ada,\n\nHappy to look at it next month.\n\nSam\n\nOn '), text)
  assert.ok(text.includes(`Ada Lovelace wrote:\n> ${GOOD_MESSAGE.message}`), 'their message is quoted')

  const second = await reply(author, message.id, 'One more thing: which shop platform is it?')
  assert.equal(second.statusCode, 303)
  await outbox.drain()
  const secondMail = mailTo(smtp, GOOD_MESSAGE.email)[1]
  assert.ok(secondMail)
  const secondId = headerOf(secondMail.raw, 'message-id') ?? ''
  assert.match(secondId, OUR_MESSAGE_ID)
  assert.equal(headerOf(secondMail.raw, 'in-reply-to'), firstId)
  assert.equal(headerOf(secondMail.raw, 'references'), `${rootId} ${firstId}`)
  assert.equal(headerOf(secondMail.raw, 'subject'), `Re: ${GOOD_MESSAGE.subject}`)

  // The message shows as replied, with its thread under it, oldest first, both sent.
  const after = await author.get(`/admin/inbox/${message.id}`)
  assert.match(after.body, /<dt>Replied<\/dt>/)
  assert.doesNotMatch(after.body, /Mark as replied/)
  assert.deepEqual(threadIn(after.body), [
    { state: 'Sent', body: 'Hi Ada,\n\nHappy to look at it next month.\n\nSam' },
    { state: 'Sent', body: 'One more thing: which shop platform is it?' },
  ])
  assert.match(after.body, /<h2 id="thread-title">Your replies<\/h2>/)
  const list = await author.get('/admin/inbox')
  assert.match(list.body, /<span class="replied-label">Replied<\/span>/)
  assert.deepEqual(
    replyMails(db).map((m) => typeof m.sentAt),
    ['number', 'number'],
  )
})

test('without a notification, the first reply starts the thread and the second refers to it', async (t) => {
  const smtp = await startSmtpServer(t)
  // SMTP alone: no NOTIFY_EMAIL, so no notification was queued to thread under.
  const { app, db, outbox, author } = await appWithSmtp(t, { SMTP_URL: smtp.url })
  const message = await visitorWrites(app, db)
  await outbox.drain()
  assert.equal(smtp.received.length, 0)

  assert.equal((await reply(author, message.id, 'First answer.')).statusCode, 303)
  await outbox.drain()
  const first = smtp.received[0]
  assert.ok(first)
  assert.equal(headerOf(first.raw, 'in-reply-to'), undefined)
  assert.equal(headerOf(first.raw, 'references'), undefined)
  assert.equal(
    headerOf(first.raw, 'reply-to'),
    AUTHOR,
    "the signed-in author's address, without NOTIFY_EMAIL",
  )
  const firstId = headerOf(first.raw, 'message-id') ?? ''
  assert.match(firstId, OUR_MESSAGE_ID)

  assert.equal((await reply(author, message.id, 'Second answer.')).statusCode, 303)
  await outbox.drain()
  const second = smtp.received[1]
  assert.ok(second)
  assert.equal(headerOf(second.raw, 'in-reply-to'), firstId)
  assert.equal(headerOf(second.raw, 'references'), firstId)
})

test('an SMTP outage leaves the reply queued with the message marked replied; it goes out once the server is back', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, outbox, author } = await appWithSmtp(t, { SMTP_URL: smtp.url })
  const message = await visitorWrites(app, db)
  await smtp.stop()

  const res = await reply(author, message.id, 'Replying while the mail server is down.')
  assert.equal(res.statusCode, 303, 'the author is told it is queued, not made to wait')
  await outbox.drain()

  const [failed] = replyMails(db)
  assert.ok(failed)
  assert.equal(failed.attempts, 1)
  assert.equal(failed.sentAt, null)
  assert.match(failed.lastError ?? '', /ECONNREFUSED/)
  assert.equal(rowCount(db, 'message_replies'), 1, 'the reply is kept')
  assert.equal(typeof repliedAt(db, message.id), 'number')

  const page = await author.get(`/admin/inbox/${message.id}`)
  assert.deepEqual(threadIn(page.body), [
    { state: 'Queued', body: 'Replying while the mail server is down.' },
  ])
  assert.match(page.body, /1 attempt failed \([^)]*ECONNREFUSED/)

  await smtp.start()
  makeRetriesDue(db)
  await outbox.drain()
  assert.equal(smtp.received.length, 1)
  assert.deepEqual(smtp.received[0]?.rcptTo, [GOOD_MESSAGE.email])
  assert.ok(textOf(smtp.received[0]?.raw ?? '').startsWith('Replying while the mail server is down.'))
  assert.equal(typeof replyMails(db)[0]?.sentAt, 'number')
  const later = await author.get(`/admin/inbox/${message.id}`)
  assert.equal(threadIn(later.body)[0]?.state, 'Sent')
})

test("line breaks in the visitor's name or subject cannot add a header or a recipient to a reply", async (t) => {
  const smtp = await startSmtpServer(t)
  const { db, outbox, author } = await appWithSmtp(t, { SMTP_URL: smtp.url })
  const message = receiveMessage(
    db,
    {
      name: 'Bob\r\nBcc: evil@example.com',
      email: 'bob@example.com',
      subject: 'Hi\r\nBcc: evil@example.com\r\nX-Injected: yes',
      body: 'Hello.\r\nBcc: evil@example.com',
    },
    { ip: '', userAgent: '', spam: { score: 0, reasons: [], isSpam: false } },
  )
  assert.equal((await reply(author, message.id, 'Thanks.\nBcc: evil@example.com')).statusCode, 303)
  await outbox.drain()

  assert.equal(smtp.received.length, 1)
  const [mail] = smtp.received
  assert.ok(mail)
  assert.deepEqual(mail.rcptTo, ['bob@example.com'])
  const names = headersOf(mail.raw).map((line) => line.slice(0, line.indexOf(':')).toLowerCase())
  assert.ok(!names.includes('bcc'), 'no Bcc header')
  assert.ok(!names.includes('x-injected'), 'no injected header')
  assert.equal(headerOf(mail.raw, 'subject'), 'Re: Hi Bcc: evil@example.com X-Injected: yes')
})

test('an empty or overlong reply is refused with 422 and the text kept; an unknown message is a 404', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, author } = await appWithSmtp(t, { SMTP_URL: smtp.url })
  const message = await visitorWrites(app, db)
  const before = rowCount(db, 'outbox')

  for (const empty of ['', '   \r\n\t  ']) {
    const res = await reply(author, message.id, empty)
    assert.equal(res.statusCode, 422)
    assert.equal(fieldErrorIn(res.body, 'reply'), 'Write your reply first: it is empty.')
    assert.match(res.body, /<textarea id="reply" name="reply"[^>]*aria-invalid="true"/)
  }

  const long = `${'word '.repeat(4_000)}x`
  assert.equal(long.length, 20_001)
  const tooLong = await reply(author, message.id, long)
  assert.equal(tooLong.statusCode, 422)
  assert.match(fieldErrorIn(tooLong.body, 'reply') ?? '', /under 20,000 characters/)
  assert.equal(replyTextareaIn(tooLong.body), long, 'every word kept to shorten')

  const markup = await reply(author, message.id, `<script>alert(1)</script>${'x'.repeat(20_000)}`)
  assert.equal(markup.statusCode, 422)
  assert.ok(!markup.body.includes('<script>alert(1)'), 'the kept text is escaped')

  for (const url of ['/admin/inbox/999999/reply', '/admin/inbox/999999/replied', '/admin/inbox/abc/reply']) {
    const missing = await author.post(url, { reply: 'Hello' }, `/admin/inbox/${message.id}`)
    assert.equal(missing.statusCode, 404, url)
    assert.match(missing.body, /Message not found/)
  }

  assert.equal(rowCount(db, 'outbox'), before, 'nothing was queued')
  assert.equal(rowCount(db, 'message_replies'), 0)
  assert.equal(repliedAt(db, message.id), null)

  // Exactly at the limit is fine.
  const atLimit = await reply(author, message.id, 'y'.repeat(20_000))
  assert.equal(atLimit.statusCode, 303)
})

test('replying and marking replied are refused without the CSRF token and change nothing', async (t) => {
  const smtp = await startSmtpServer(t)
  const { app, db, author } = await appWithSmtp(t, { SMTP_URL: smtp.url })
  const message = await visitorWrites(app, db)
  await author.csrfFrom(`/admin/inbox/${message.id}`)
  const before = snapshotDb(db)
  for (const path of ['reply', 'replied']) {
    for (const token of ['', 'forged-token']) {
      const res = await author.post(`/admin/inbox/${message.id}/${path}`, { reply: 'Hi', _csrf: token })
      assert.equal(res.statusCode, 403, path)
    }
  }
  assert.deepEqual(snapshotDb(db), before)
})

function plainMessage(db: Db, input: Partial<Message> = {}): Message {
  return receiveMessage(
    db,
    {
      name: input.name ?? 'Jane Doe',
      email: input.email ?? 'jane@example.com',
      subject: input.subject ?? 'Rates & dates? 50% off #1',
      body: input.body ?? 'Hello there.\nCould we talk about a 100% rebuild & a #hashtag?',
    },
    { ip: '', userAgent: '', spam: { score: 0, reasons: [], isSpam: false } },
    new Date('2026-01-15T03:30:00Z'),
  )
}

test('without SMTP, Reply is a mailto: link with the quote prefilled, and Mark as replied marks it', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'America/New_York' })
  const message = plainMessage(db)

  const page = await author.get(`/admin/inbox/${message.id}`)
  assert.equal(page.statusCode, 200)
  assert.doesNotMatch(page.body, /name="reply"/, 'no reply form: Folio cannot send mail')
  const href = /<a class="button" href="(mailto:[^"]+)">Reply<\/a>/
    .exec(page.body)?.[1]
    ?.replace(/&amp;/g, '&')
  assert.ok(href, 'a Reply link')
  assert.match(href, /^mailto:jane@example\.com\?subject=[^&]+&body=[^&]+$/, 'only the separator is a raw &')
  const url = new URL(href)
  assert.equal(url.searchParams.get('subject'), 'Re: Rates & dates? 50% off #1')
  assert.equal(
    url.searchParams.get('body'),
    '\r\n\r\nOn 14 January 2026, 22:30, Jane Doe wrote:\r\n> Hello there.\r\n> Could we talk about a 100% rebuild & a #hashtag?',
  )

  const marked = await author.post(`/admin/inbox/${message.id}/replied`, {}, `/admin/inbox/${message.id}`)
  assert.equal(marked.statusCode, 303)
  assert.equal(marked.headers.location, `/admin/inbox/${message.id}?done=inbox-replied`)
  const when = repliedAt(db, message.id)
  assert.equal(typeof when, 'number')
  const after = await author.get(`/admin/inbox/${message.id}?done=inbox-replied`)
  assert.match(after.body, /Marked as replied\./)
  assert.match(after.body, /<dt>Replied<\/dt>/)
  assert.doesNotMatch(after.body, /<button[^>]*>Mark as replied<\/button>/)
  // Marking again keeps the first time.
  await author.post(`/admin/inbox/${message.id}/replied`, {}, `/admin/inbox/${message.id}`)
  assert.equal(repliedAt(db, message.id), when)

  // A reply posted anyway is refused and nothing is queued.
  const refused = await author.post(
    `/admin/inbox/${message.id}/reply`,
    { reply: 'Hi' },
    `/admin/inbox/${message.id}`,
  )
  assert.equal(refused.statusCode, 422)
  assert.match(formErrorIn(refused.body) ?? '', /SMTP_URL is not set/)
  assert.equal(rowCount(db, 'outbox'), 0)
  assert.equal(rowCount(db, 'message_replies'), 0)
})

test('a long message is quoted only in part in the mailto: link, and odd characters cannot break it', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const body = `${'Lorem ipsum dolor sit amet. '.repeat(200)}THE END`
  const message = plainMessage(db, { subject: '', body: `${body}\u0000\uD800 lone` })
  const page = await author.get(`/admin/inbox/${message.id}`)
  assert.equal(page.statusCode, 200)
  const href = /<a class="button" href="(mailto:[^"]+)">Reply<\/a>/
    .exec(page.body)?.[1]
    ?.replace(/&amp;/g, '&')
  assert.ok(href)
  assert.ok(href.length < 8_000, `a mailto: link mail apps open (${href.length})`)
  const quoted = new URL(href).searchParams.get('body') ?? ''
  assert.ok(quoted.endsWith('\r\n> […]'), 'the cut is marked')
  assert.doesNotMatch(quoted, /THE END/)
  assert.equal(new URL(href).searchParams.get('subject'), 'Re: Your message')
})

test('a sender whose address is not a plain one gets no reply form, and a posted reply is refused', async (t) => {
  const smtp = await startSmtpServer(t)
  const { db, author } = await appWithSmtp(t, { SMTP_URL: smtp.url })
  const message = plainMessage(db, { email: 'a@b.com?bcc=evil@example.com' })
  const page = await author.get(`/admin/inbox/${message.id}`)
  assert.doesNotMatch(page.body, /name="reply"/)
  assert.match(page.body, /there is no Reply button/)
  const res = await reply(author, message.id, 'Hello')
  assert.equal(res.statusCode, 422)
  assert.match(formErrorIn(res.body) ?? '', /not a plain email address/)
  assert.equal(rowCount(db, 'outbox'), 0)
})
