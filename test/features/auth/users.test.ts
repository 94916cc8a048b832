// Checks accounts: e-mail addresses without case, the one-time setup token, and what a new password ends (sessions, half-finished sign-ins, failed attempts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { verifyPassword } from '../../../src/features/auth/passwords.ts'
import { createPendingSignIn, findPendingSignIn } from '../../../src/features/auth/pending-sign-ins.ts'
import { createSession, listSessions } from '../../../src/features/auth/sessions.ts'
import { checkCode, countWrongCodes, recordLoginFailure } from '../../../src/features/auth/throttle.ts'
import { hashToken } from '../../../src/features/auth/tokens.ts'
import {
  completeSetup,
  createUser,
  EmailTakenError,
  findUserByEmail,
  issueSetupToken,
  isValidSetupToken,
  setPassword,
} from '../../../src/features/auth/users.ts'
import { createTestDb } from '../../helpers/app.ts'

const input = { name: ' Sam Rivera ', email: ' Sam@Example.COM ', password: 'correct horse battery' }

test('an account is stored with its e-mail lower-cased and found whatever the case', async (t) => {
  const { db } = createTestDb(t)
  const user = await createUser(db, input)
  assert.equal(user.email, 'sam@example.com')
  assert.equal(user.name, 'Sam Rivera')
  assert.equal(findUserByEmail(db, 'SAM@example.com ')?.id, user.id)
  await assert.rejects(createUser(db, { ...input, email: 'sam@EXAMPLE.com' }), EmailTakenError)
})

test('no row holds the password itself', async (t) => {
  const { db } = createTestDb(t)
  const user = await createUser(db, input)
  createSession(db, user.id, { userAgent: 'x', ip: '127.0.0.1' })
  for (const table of ['users', 'sessions', 'login_failures', 'setup_tokens', 'secrets']) {
    const dump = JSON.stringify(db.$client.prepare(`select * from ${table}`).all())
    assert.ok(!dump.includes('correct horse'), table)
  }
})

test('the setup token is stored only as a hash, and a new one replaces the old one', (t) => {
  const { db } = createTestDb(t)
  const first = issueSetupToken(db)
  assert.ok(first)
  const second = issueSetupToken(db)
  assert.ok(second && second !== first)
  const rows = db.$client.prepare('select token_hash from setup_tokens').pluck().all()
  assert.deepEqual(rows, [hashToken(second)])
  assert.equal(isValidSetupToken(db, first), false)
  assert.equal(isValidSetupToken(db, second), true)
  assert.equal(isValidSetupToken(db, ''), false)
})

test('setup creates the first account once; the token then stops working and no new one is issued', async (t) => {
  const { db } = createTestDb(t)
  const token = issueSetupToken(db) ?? ''
  const user = await completeSetup(db, token, input)
  assert.equal(user?.email, 'sam@example.com')
  assert.equal(isValidSetupToken(db, token), false)
  assert.equal(await completeSetup(db, token, { ...input, email: 'other@example.com' }), null)
  assert.equal(issueSetupToken(db), null)
  assert.equal(db.$client.prepare('select count(*) from setup_tokens').pluck().get(), 0)
})

test('two setup forms sent at once create one account', async (t) => {
  const { db } = createTestDb(t)
  const token = issueSetupToken(db) ?? ''
  const results = await Promise.all([
    completeSetup(db, token, { ...input, email: 'one@example.com' }),
    completeSetup(db, token, { ...input, email: 'two@example.com' }),
  ])
  assert.equal(results.filter(Boolean).length, 1)
  assert.equal(db.$client.prepare('select count(*) from users').pluck().get(), 1)
})

test('a token left over from before an account existed does not work', async (t) => {
  const { db } = createTestDb(t)
  const token = issueSetupToken(db) ?? ''
  await createUser(db, input)
  assert.equal(isValidSetupToken(db, token), false)
  assert.equal(await completeSetup(db, token, { ...input, email: 'intruder@example.com' }), null)
})

test('a new password ends every session but the one kept, and clears failed sign-ins', async (t) => {
  const { db } = createTestDb(t)
  const user = await createUser(db, input)
  const client = { userAgent: 'x', ip: '127.0.0.1' }
  const kept = createSession(db, user.id, client).session
  createSession(db, user.id, client)
  createSession(db, user.id, client)
  for (let i = 0; i < 4; i++) recordLoginFailure(db, `198.51.100.${i}`, user.email)
  recordLoginFailure(db, '198.51.100.9', 'someone-else@example.com')
  await setPassword(db, user.id, 'a brand new password', { keepSessionId: kept.id })
  assert.deepEqual(
    listSessions(db, user.id).map((s) => s.id),
    [kept.id],
  )
  const failures = db.$client.prepare('select email from login_failures').pluck().all()
  assert.deepEqual(failures, ['someone-else@example.com'])
  const updated = findUserByEmail(db, user.email)
  assert.equal(await verifyPassword(updated?.passwordHash, 'a brand new password'), true)
  assert.equal(await verifyPassword(updated?.passwordHash, input.password), false)
  // Without a session to keep (the CLI), every session ends.
  await setPassword(db, user.id, 'yet another password')
  assert.equal(listSessions(db, user.id).length, 0)
})

test('a new password ends the half-finished sign-ins that got past the old one, and forgets wrong codes', async (t) => {
  const { db } = createTestDb(t)
  const user = await createUser(db, input)
  const pending = createPendingSignIn(db, user.id, '/admin')
  const since = new Date(Date.now() - 1000)
  const wrong = await checkCode(db, { ip: '198.51.100.4', email: user.email }, () => false)
  assert.equal(wrong.outcome, 'wrong')
  assert.equal(countWrongCodes(db, user.email, since), 1)
  assert.ok(findPendingSignIn(db, pending))

  await setPassword(db, user.id, 'a brand new password')
  assert.equal(findPendingSignIn(db, pending), undefined, 'the code prompt of the old password is gone')
  assert.equal(countWrongCodes(db, user.email, since), 0)
})
