// Checks the inbox at a glance: the dashboard's newest unread messages and Spam count, and the list's previews and wrapping addresses.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.ts'
import { type Message, messages } from '../../../src/db/schema.ts'
import { receiveMessage } from '../../../src/features/contact/service.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const BASE = Date.parse('2026-01-15T03:30:00Z')

function addMessage(
  db: Db,
  input: { name: string; email?: string; subject?: string; body: string },
  minutesLater: number,
  spam = false,
): Message {
  return receiveMessage(
    db,
    { email: 'someone@example.com', subject: '', ...input },
    { ip: '', userAgent: '', spam: { score: spam ? 9 : 0, reasons: [], isSpam: spam } },
    new Date(BASE + minutesLater * 60_000),
  )
}

/** The dashboard's Inbox card. */
const inboxCardIn = (html: string): string =>
  /<section class="card" aria-labelledby="inbox-title">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? ''

test('the dashboard shows the newest unread messages with sender, first words and time, and how many sit in Spam', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'America/New_York' })
  const unread = ['Ana', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay'].map((name, i) =>
    addMessage(db, { name, body: `Message number ${i} from ${name}, with a few more words after it.` }, i),
  )
  const read = addMessage(db, { name: 'Already Read', body: 'Read this one.' }, 10)
  db.update(messages).set({ readAt: new Date() }).where(eq(messages.id, read.id)).run()
  addMessage(db, { name: 'Spammer One', body: 'Buy now' }, 11, true)
  addMessage(db, { name: 'Spammer Two', body: 'Buy now' }, 12, true)
  addMessage(
    db,
    {
      name: '<script>alert(1)</script>',
      body: 'One two three four five six seven eight nine ten eleven twelve thirteen',
    },
    20,
  )

  const res = await author.get('/admin')
  assert.equal(res.statusCode, 200)
  const card = inboxCardIn(res.body)
  assert.match(card, /<span class="big-number">7<\/span> unread messages<\/a>/)
  const items = [
    ...card.matchAll(/<li><a href="\/admin\/inbox\/(\d+)"><strong><bdi>([^<]*)<\/bdi><\/strong>/g),
  ]
  assert.deepEqual(
    items.map((m) => m[2]),
    ['&lt;script&gt;alert(1)&lt;/script&gt;', 'Fay', 'Eve', 'Dan', 'Cat'],
    'the five newest unread, newest first, escaped; no read or spam message',
  )
  assert.equal(items[1]?.[1], String(unread[5]?.id), 'each links to its message')
  assert.match(
    card,
    /<span class="dashboard-inbox__words"><bdi>One two three four five six seven eight nine ten…<\/bdi><\/span><\/a> <time class="muted" datetime="2026-01-15T03:50:00.000Z">14 January 2026, 22:50<\/time>/,
  )
  assert.match(card, /Message number 5 from Fay, with a few more words…/)
  assert.doesNotMatch(card, /Spammer|Already Read|<script>/)
  assert.match(card, /<a href="\/admin\/inbox\?folder=spam">2 in Spam<\/a>/)
})

test('with nothing new, the dashboard says so and links nowhere it need not', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const card = inboxCardIn((await author.get('/admin')).body)
  assert.match(card, /<span class="big-number">0<\/span> unread messages/)
  assert.doesNotMatch(card, /<ul/)
  assert.match(card, /Nothing in Spam\./)
})

test('the list shows the first words of each message under its subject, and long addresses wrap after @ and dots', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const long = 'a.very-long-local-part-for-testing@mail.subdomain.example-company.co.uk'
  const withSubject = addMessage(
    db,
    {
      name: 'Jane',
      email: long,
      subject: 'A project',
      body: 'We need a new shop.\nIt should be fast, accessible, and ready before the spring sale starts.',
    },
    1,
  )
  addMessage(db, { name: 'Kim', subject: '', body: 'No subject, so these words are the line.' }, 0)

  const res = await author.get('/admin/inbox')
  const rows = res.body.split('<tr class="inbox-row').slice(1)
  const first = rows[0] ?? ''
  assert.match(first, new RegExp(`<a href="/admin/inbox/${withSubject.id}"><bdi>A project</bdi></a>`))
  assert.match(
    first,
    /<span class="inbox-preview muted"><bdi>We need a new shop\. It should be fast, accessible, and ready…<\/bdi><\/span>/,
  )
  assert.match(
    first,
    /<span class="inbox-email inbox-address muted"><bdi>a\.<wbr>very-long-local-part-for-testing@<wbr>mail\.<wbr>subdomain\.<wbr>example-company\.<wbr>co\.<wbr>uk<wbr><\/bdi><\/span>/,
  )
  // Without a subject the first words are the line already; no preview repeats them.
  assert.match(rows[1] ?? '', /<bdi>No subject, so these words are the line\.<\/bdi><\/a>/)
  assert.doesNotMatch(rows[1] ?? '', /inbox-preview/)

  const page = await author.get(`/admin/inbox/${withSubject.id}`)
  assert.match(page.body, /class="inbox-address">a\.<wbr>very-long-local-part-for-testing@<wbr>mail\.<wbr>/)
})
