// Checks each spam defence: suspected spam is stored in the Spam folder with its reasons, and the sender sees the same thanks.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp } from '../../helpers/app.ts'
import {
  type ContactFields,
  contactVisitor,
  GOOD_MESSAGE,
  signedTimestamp,
  storedMessages,
} from '../../helpers/contact.ts'

/** Sends `fields` as a fresh visitor and returns the response with the one message it stored. */
async function sendOne(
  t: import('node:test').TestContext,
  fields: ContactFields,
  env: Record<string, string> = {},
) {
  const { app, db } = await createTestApp(t, env)
  const res = await contactVisitor(app, db).send(fields)
  const stored = storedMessages(db)
  assert.equal(stored.length, 1, 'the message is stored, never dropped')
  return { res, message: stored[0], db }
}

/** A spammer sees exactly what a person sees. */
function assertSameThanks(res: { statusCode: number; headers: Record<string, unknown> }) {
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/contact/thanks')
}

test('a message with the hidden field filled in is stored as spam, and the sender is thanked as usual', async (t) => {
  const { res, message } = await sendOne(t, { ...GOOD_MESSAGE, website: 'https://cheap-pills.example' })
  assertSameThanks(res)
  assert.equal(message?.folder, 'spam')
  assert.ok(message?.spamReasons.includes('filled in the hidden field'), String(message?.spamReasons))
  assert.equal(message?.body, GOOD_MESSAGE.message, 'spam is stored whole, for the author to judge')
})

test('a message sent faster than a person could fill the form is stored as spam', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  // A bot: loads the form and posts it straight back, with the page's own timestamp.
  const { csrf, ts } = await visitor.openForm()
  const res = await visitor.send({ ...GOOD_MESSAGE, _csrf: csrf, ts })
  assertSameThanks(res)
  const [message] = storedMessages(db)
  assert.equal(message?.folder, 'spam')
  assert.ok(
    message?.spamReasons.some((r) => /^sent [\d.]+ s after the form loaded$/.test(r)),
    String(message?.spamReasons),
  )
})

test('a message sent 2 seconds after the form loaded is spam; one sent after 4 seconds is not', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  await visitor.send({ ...GOOD_MESSAGE, subject: 'fast', ts: signedTimestamp(db, 2000) })
  await visitor.send({ ...GOOD_MESSAGE, subject: 'human', ts: signedTimestamp(db, 4000) })
  assert.deepEqual(
    storedMessages(db).map((m) => [m.subject, m.folder]),
    [
      ['fast', 'spam'],
      ['human', 'inbox'],
    ],
  )
})

test('a message without the signed timestamp is stored as spam', async (t) => {
  const { res, message } = await sendOne(t, { ...GOOD_MESSAGE, ts: '' })
  assertSameThanks(res)
  assert.equal(message?.folder, 'spam')
  assert.ok(message?.spamReasons.includes('form timestamp missing or forged'), String(message?.spamReasons))
})

for (const [what, forge] of [
  ['a made-up signature', () => `${Date.now() - 60_000}.not-a-real-signature`],
  ['a real timestamp backdated by hand', (real: string) => real.replace(/^\d+/, String(Date.now() - 60_000))],
  ['a bare number', () => String(Date.now() - 60_000)],
  ['garbage', () => 'ts.ts.ts'],
] as const) {
  test(`a message whose timestamp is forged (${what}) is stored as spam`, async (t) => {
    const { app, db } = await createTestApp(t)
    const ts = forge(signedTimestamp(db, 0))
    const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE, ts })
    assertSameThanks(res)
    const [message] = storedMessages(db)
    assert.equal(message?.folder, 'spam')
    assert.ok(message?.spamReasons.includes('form timestamp missing or forged'), String(message?.spamReasons))
  })
}

test('a timestamp signed by another site (another secret) counts as forged', async (t) => {
  const other = await createTestApp(t)
  const ts = signedTimestamp(other.db, 60_000)
  const { res, message } = await sendOne(t, { ...GOOD_MESSAGE, ts })
  assertSameThanks(res)
  assert.equal(message?.folder, 'spam')
})

test('a message with several links and known spam phrases is stored as spam, with the reasons recorded', async (t) => {
  const { res, message } = await sendOne(t, {
    name: 'Marketing Team',
    email: 'growth@seo-agency.example',
    subject: 'Increase your traffic',
    message: [
      'Dear Sir/Madam, we offer SEO service and link building to rank your website.',
      'See https://seo-agency.example, https://seo-agency.example/prices and www.backlinks.example',
    ].join('\n'),
  })
  assertSameThanks(res)
  assert.equal(message?.folder, 'spam')
  assert.ok(message && message.spamScore >= 5, `score ${message?.spamScore}`)
  assert.ok(message?.spamReasons.includes('3 links'), String(message?.spamReasons))
  const phrases = message?.spamReasons.find((r) => r.startsWith('spam phrases: ')) ?? ''
  for (const phrase of ['seo service', 'link building', 'rank your website'])
    assert.ok(phrases.includes(phrase), phrases)
  // A message that is only spammy in its text gets no timing or honeypot reasons.
  assert.ok(!message?.spamReasons.some((r) => /hidden field|timestamp|after the form loaded/.test(r)))
})

test('a normal message with one link is not spam', async (t) => {
  const { res, message } = await sendOne(t, {
    ...GOOD_MESSAGE,
    message:
      'Our shop is at https://shop.example and takes eight seconds to load. Can you help us speed it up?',
  })
  assertSameThanks(res)
  assert.equal(message?.folder, 'inbox')
  assert.deepEqual(message?.spamReasons, ['1 link'])
})

test('a normal message that mentions one listed word in passing is not spam', async (t) => {
  const { message } = await sendOne(t, {
    ...GOOD_MESSAGE,
    message: 'We are a small crypto wallet startup and need an accessibility review of our signup flow.',
  })
  assert.equal(message?.folder, 'inbox')
})

test('suspected spam never sends the author a notification', async (t) => {
  const { message, db } = await sendOne(
    t,
    { ...GOOD_MESSAGE, website: 'filled' },
    { SMTP_URL: 'smtp://127.0.0.1:1', NOTIFY_EMAIL: 'author@example.com' },
  )
  assert.equal(message?.folder, 'spam')
  assert.equal(db.$client.prepare('select count(*) from outbox').pluck().get(), 0)
})
