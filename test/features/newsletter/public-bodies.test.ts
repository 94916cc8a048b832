// Checks the request bodies the newsletter's public routes take: one-click unsubscribes in whatever form a mail client sends them, and bodies too large for any of these forms.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { NEWSLETTER_BODY_LIMIT } from '../../../src/features/newsletter/forms.ts'
import { newsletterSecret, unsubscribeToken } from '../../../src/features/newsletter/tokens.ts'
import { snapshotDb } from '../../helpers/admin.ts'
import { mainOf } from '../../helpers/html.ts'
import { newsletterApp, subscriberRows } from './public-visitor.ts'

function addConfirmed(db: Db, email: string): number {
  return Number(
    db.$client
      .prepare(
        "insert into subscribers (email, status, source, created_at, confirmed_at) values (?, 'confirmed', 'form', ?, ?)",
      )
      .run(email, Date.now(), Date.now()).lastInsertRowid,
  )
}

const unsubscribeUrl = (db: Db, id: number) =>
  `/unsubscribe?token=${encodeURIComponent(unsubscribeToken(newsletterSecret(db), id))}`

test('a one-click unsubscribe works with no Content-Type, as text/plain, or as JSON', async (t) => {
  const { app, db } = await newsletterApp(t)
  const bodies: [string, Record<string, string>, string][] = [
    ['none@example.com', {}, 'List-Unsubscribe=One-Click'],
    ['text@example.com', { 'content-type': 'text/plain; charset=utf-8' }, 'List-Unsubscribe=One-Click'],
    ['json@example.com', { 'content-type': 'application/json' }, '{"List-Unsubscribe":"One-Click"}'],
    ['odd@example.com', { 'content-type': 'application/octet-stream' }, '\u0000\u0001'],
  ]
  for (const [email, headers, payload] of bodies) {
    const id = addConfirmed(db, email)
    const res = await app.inject({
      method: 'POST',
      url: unsubscribeUrl(db, id),
      headers: { ...headers, origin: 'https://mail.example.net', 'sec-fetch-site': 'cross-site' },
      payload,
    })
    assert.equal(res.statusCode, 200, `${email}: ${res.body.slice(0, 200)}`)
    assert.match(mainOf(res.body), /You’re unsubscribed/, email)
  }
  assert.deepEqual(
    subscriberRows(db).map((row) => row.status),
    ['unsubscribed', 'unsubscribed', 'unsubscribed', 'unsubscribed'],
  )
})

test('a body larger than any newsletter form sends gets the 413 page on subscribe, confirm and unsubscribe, and changes nothing', async (t) => {
  const { app, db } = await newsletterApp(t)
  const id = addConfirmed(db, 'reader@example.com')
  const big = `email=reader%40example.com&padding=${'x'.repeat(NEWSLETTER_BODY_LIMIT)}`
  const before = snapshotDb(db)
  for (const url of ['/subscribe', '/subscribe/confirm', unsubscribeUrl(db, id)]) {
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': type, origin: 'https://blog.example.com', accept: 'text/html' },
        payload: big,
      })
      const what = `${url.split('?')[0]} as ${type}`
      // /subscribe and /subscribe/confirm read forms only: anything else is a 415 page before a byte is read.
      const expected = url.startsWith('/unsubscribe') || type.endsWith('urlencoded') ? 413 : 415
      assert.equal(res.statusCode, expected, what)
      assert.match(String(res.headers['content-type']), /^text\/html/, what)
      if (res.statusCode === 413) assert.match(res.body, /Too large/, what)
    }
  }
  assert.deepEqual(snapshotDb(db), before)
  assert.equal(subscriberRows(db)[0]?.status, 'confirmed')
})
