// Checks the pure parts of sending mail: the From address, a newsletter copy's headers, safe error text, the retry schedule and the newsletter's rate window.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutboxMail } from '../../../src/db/schema.ts'
import { retryDelayMs } from '../../../src/features/mail/outbox.ts'
import { createRateWindow } from '../../../src/features/mail/rate-window.ts'
import {
  describeSendError,
  fromAddress,
  isPermanentRejection,
  newsletterCopyFor,
  newsletterMailbox,
} from '../../../src/features/mail/transport.ts'

test('mail comes from the SMTP account when it signs in with an email address', () => {
  assert.deepEqual(
    fromAddress(
      'smtps://me%40fastmail.example:pw@smtp.fastmail.example',
      'https://blog.example.com',
      'Ada Writes',
    ),
    { name: 'Ada Writes', address: 'me@fastmail.example' },
  )
})

test("otherwise mail comes from notifications@ the site's host, named after the site", () => {
  assert.deepEqual(
    fromAddress('smtp://apikey:secret@relay.example:587', 'https://blog.example.com:8443', 'Folio'),
    {
      name: 'Folio',
      address: 'notifications@blog.example.com',
    },
  )
  assert.equal(
    fromAddress('smtp://127.0.0.1:25', 'http://localhost:3000', 'Folio').address,
    'notifications@localhost',
  )
})

test('a site title with line breaks cannot break out of the From header', () => {
  const { name } = fromAddress(
    'smtp://127.0.0.1:25',
    'https://blog.example.com',
    'Folio\r\nBcc: evil@example.com',
  )
  assert.doesNotMatch(name, /[\r\n]/)
})

test('an SMTP error is described in one line without the credentials from SMTP_URL, as written or decoded', () => {
  const url = 'smtps://me%40example.com:p%40ss%2Fw0rd%3A1@smtp.example.com:465'
  const err = Object.assign(
    new Error('Invalid login: 535 5.7.8 me@example.com p@ss/w0rd:1 rejected\r\n(p%40ss%2Fw0rd%3A1)'),
    { code: 'EAUTH', responseCode: 535 },
  )
  const text = describeSendError(err, url)
  assert.ok(text.startsWith('EAUTH 535 Invalid login'))
  for (const secret of ['p@ss/w0rd:1', 'p%40ss%2Fw0rd%3A1', 'me@example.com', 'me%40example.com']) {
    assert.ok(!text.includes(secret), `hides ${secret}`)
  }
  assert.doesNotMatch(text, /[\r\n]/)
})

test('a huge or odd error is cut short and still described', () => {
  assert.equal(describeSendError(new Error('x'.repeat(5000)), 'smtp://127.0.0.1:25').length, 500)
  assert.equal(describeSendError('socket hang up', 'smtp://127.0.0.1:25'), 'socket hang up')
  assert.equal(describeSendError(null, 'not a url'), 'null')
})

test('retries wait 30 s, then twice as long each time, never more than an hour, with a little jitter', () => {
  const middle = () => 0.5
  assert.deepEqual(
    [1, 2, 3, 4, 7, 8, 20, 500].map((n) => retryDelayMs(n, middle)),
    [30_000, 60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000],
  )
  assert.equal(
    retryDelayMs(1, () => 0),
    27_000,
  )
  assert.equal(
    retryDelayMs(1, () => 1),
    33_000,
  )
})

const copyRow = (fields: Partial<OutboxMail> = {}): OutboxMail => ({
  id: 7,
  messageId: null,
  kind: 'newsletter',
  to: 'ada@example.com',
  replyTo: null,
  subject: 'Caching notes',
  text: '',
  attempts: 0,
  nextAttemptAt: new Date(0),
  lastError: null,
  sentAt: null,
  createdAt: new Date(0),
  headerMessageId: '<issue-1.3@blog.example.com>',
  inReplyTo: null,
  references: null,
  issueId: 1,
  subscriberId: 3,
  html: null,
  ...fields,
})

const copy = (mailbox: string | null) => ({
  text: 'Text part',
  html: '<p>HTML part</p>',
  unsubscribeUrl: 'https://blog.example.com/unsubscribe?token=3.sig',
  mailbox,
  date: new Date(1000),
})

test('a newsletter copy goes to its reader alone, with one-click and mailto unsubscribe headers, replies to the author', () => {
  const from = { name: 'Sam Writes', address: 'notifications@blog.example.com' }
  const message = newsletterCopyFor(copyRow(), from, 'https://blog.example.com', copy('sam@example.com'))
  assert.deepEqual(message.envelope, { from: from.address, to: ['ada@example.com'] })
  assert.equal(message.messageId, '<issue-1.3@blog.example.com>')
  assert.equal(message.replyTo, 'sam@example.com')
  assert.equal(message.text, 'Text part')
  assert.equal(message.html, '<p>HTML part</p>')
  assert.deepEqual(message.headers, {
    'List-Unsubscribe':
      '<https://blog.example.com/unsubscribe?token=3.sig>, <mailto:sam@example.com?subject=unsubscribe>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  })
})

test('an address that could bend the header is left out of List-Unsubscribe, and replies stay with the sender', () => {
  const from = { name: 'Sam', address: 'sam>x,@odd.example' }
  const message = newsletterCopyFor(copyRow(), from, 'https://blog.example.com', copy(from.address))
  assert.equal(message.headers['List-Unsubscribe'], '<https://blog.example.com/unsubscribe?token=3.sig>')
  assert.equal('replyTo' in message, false)
})

test('the mailto: unsubscribe goes to NOTIFY_EMAIL, else to an SMTP account that is a mailbox, else nowhere', () => {
  assert.equal(newsletterMailbox('smtp://apikey:secret@relay.example', 'sam@example.com'), 'sam@example.com')
  assert.equal(
    newsletterMailbox('smtps://me%40fastmail.example:pw@smtp.fastmail.example', undefined),
    'me@fastmail.example',
  )
  assert.equal(newsletterMailbox('smtp://apikey:secret@relay.example', undefined), null)
  assert.equal(newsletterMailbox('smtp://127.0.0.1:25', undefined), null)
  const from = { name: 'Sam', address: 'notifications@blog.example.com' }
  const message = newsletterCopyFor(copyRow(), from, 'https://blog.example.com', copy(null))
  assert.equal(message.headers['List-Unsubscribe'], '<https://blog.example.com/unsubscribe?token=3.sig>')
  assert.equal('replyTo' in message, false)
})

test('only a 5xx to a recipient or to the message counts as refused for good', () => {
  const error = (responseCode: number, command: string) =>
    Object.assign(new Error('no'), { responseCode, command })
  assert.equal(isPermanentRejection(error(550, 'RCPT TO')), true)
  assert.equal(isPermanentRejection(error(554, 'DATA')), true)
  assert.equal(isPermanentRejection(error(450, 'RCPT TO')), false, 'try again later')
  assert.equal(
    isPermanentRejection(error(535, 'AUTH PLAIN')),
    false,
    'the account, which the operator can fix',
  )
  assert.equal(isPermanentRejection(error(553, 'MAIL FROM')), false, 'the sender, likewise')
  assert.equal(isPermanentRejection(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), false)
  assert.equal(isPermanentRejection(null), false)
})

test('the newsletter rate holds in any sliding minute, not per calendar minute', () => {
  const rate = createRateWindow(3, 60_000)
  assert.equal(rate.room(0), 3)
  for (const at of [0, 20_000, 40_000]) rate.record(at)
  assert.equal(rate.room(50_000), 0)
  assert.equal(rate.nextRoomAt(50_000), 60_000)
  assert.equal(rate.room(60_000), 1, 'the first send has left the window')
  assert.equal(rate.room(80_000), 2)
  assert.equal(rate.nextRoomAt(80_000), 80_000)
  // Never more than `limit` remembered, however many are recorded.
  for (let i = 0; i < 100; i++) rate.record(90_000)
  assert.equal(rate.room(90_000), 0)
  assert.equal(rate.room(150_001), 3)
})
