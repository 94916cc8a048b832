// Checks sessions: only a hash of the cookie is stored, idle and absolute expiry, and that looking one up never writes.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import {
  ABSOLUTE_TIMEOUT_MS,
  createSession,
  deleteUserSession,
  findSession,
  IDLE_TIMEOUT_MS,
  listSessions,
  touchSession,
} from '../../../src/features/auth/sessions.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { createTestDb } from '../../helpers/app.ts'

const DAY = 24 * 60 * 60 * 1000
const client = { userAgent: 'Mozilla/5.0 (Macintosh) Firefox/128.0', ip: '203.0.113.7' }
const changes = (db: import('../../../src/db/client.ts').Db) =>
  db.$client.prepare('select total_changes()').pluck().get() as number

async function withUser(t: import('node:test').TestContext) {
  const { db } = createTestDb(t)
  const user = await createUser(db, {
    name: 'Sam',
    email: 'sam@example.com',
    password: 'correct horse battery',
  })
  return { db, user }
}

test('a session stores only the SHA-256 of its token, which is 256 random bits', async (t) => {
  const { db, user } = await withUser(t)
  const { token, session } = createSession(db, user.id, client)
  assert.match(token, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(session.tokenHash, createHash('sha256').update(token).digest('hex'))
  const dump = JSON.stringify(db.$client.prepare('select * from sessions').all())
  assert.ok(!dump.includes(token))
})

test('idle sessions end after 14 days without a change, and every session after 30 days', async (t) => {
  const { db, user } = await withUser(t)
  const t0 = new Date('2025-03-01T00:00:00Z')
  const { token, session } = createSession(db, user.id, client, t0)
  assert.equal(IDLE_TIMEOUT_MS, 14 * DAY)
  assert.equal(ABSOLUTE_TIMEOUT_MS, 30 * DAY)
  assert.equal(findSession(db, token, new Date(t0.getTime() + 13 * DAY))?.user.id, user.id)
  assert.equal(findSession(db, token, new Date(t0.getTime() + 15 * DAY)), undefined)
  // Activity keeps it alive, but not past its absolute end.
  touchSession(db, session.id, client, new Date(t0.getTime() + 13 * DAY))
  touchSession(db, session.id, client, new Date(t0.getTime() + 26 * DAY))
  assert.ok(findSession(db, token, new Date(t0.getTime() + 29 * DAY)))
  assert.equal(findSession(db, token, new Date(t0.getTime() + 30 * DAY)), undefined)
})

test('an unknown, empty or overlong token finds nothing', async (t) => {
  const { db, user } = await withUser(t)
  const { token } = createSession(db, user.id, client)
  assert.equal(findSession(db, ''), undefined)
  assert.equal(findSession(db, `${token}x`), undefined)
  assert.equal(findSession(db, createHash('sha256').update(token).digest('hex')), undefined)
  assert.equal(findSession(db, 'a'.repeat(10_000)), undefined)
})

test('looking a session up never writes to the database', async (t) => {
  const { db, user } = await withUser(t)
  const { token } = createSession(db, user.id, client)
  const before = changes(db)
  for (let i = 0; i < 5; i++) findSession(db, token)
  findSession(db, token, new Date(Date.now() + 40 * DAY))
  assert.equal(changes(db), before)
})

test('creating a session sweeps away expired ones', async (t) => {
  const { db, user } = await withUser(t)
  const old = createSession(db, user.id, client, new Date(Date.now() - 20 * DAY))
  createSession(db, user.id, client)
  const ids = listSessions(db, user.id).map((s) => s.id)
  assert.ok(!ids.includes(old.session.id))
  assert.equal(ids.length, 1)
})

test("an author can end their own sessions but not another account's", async (t) => {
  const { db, user } = await withUser(t)
  const other = await createUser(db, {
    name: 'Kim',
    email: 'kim@example.com',
    password: 'another long password',
  })
  const mine = createSession(db, user.id, client).session
  const theirs = createSession(db, other.id, client).session
  assert.equal(deleteUserSession(db, user.id, theirs.id), false)
  assert.equal(listSessions(db, other.id).length, 1)
  assert.equal(deleteUserSession(db, user.id, mine.id), true)
  assert.equal(listSessions(db, user.id).length, 0)
})
