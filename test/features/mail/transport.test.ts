// Checks the pure parts of sending mail: the From address, safe error text, and the retry schedule.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { retryDelayMs } from '../../../src/features/mail/outbox.ts'
import { describeSendError, fromAddress } from '../../../src/features/mail/transport.ts'

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
