// Checks sign-in throttling: a cap per IP, a growing delay per account that always ends, and the ways to clear both.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  checkLoginThrottle,
  clearAllFailures,
  MAX_FAILURES_PER_IP,
  recordLoginFailure,
  recordSignIn,
  WINDOW_MS,
} from '../../../src/features/auth/throttle.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { createTestDb } from '../../helpers/app.ts'

const T0 = new Date('2025-03-01T12:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)
const SECOND = 1000
const MINUTE = 60 * SECOND

test('five failures from one IP block its sixth attempt for the rest of the hour, whatever the email', (t) => {
  const { db } = createTestDb(t)
  assert.equal(MAX_FAILURES_PER_IP, 5)
  for (let i = 0; i < 5; i++) {
    assert.equal(
      checkLoginThrottle(db, '198.51.100.1', `guess${i}@example.com`, at(i * SECOND)).allowed,
      true,
    )
    recordLoginFailure(db, '198.51.100.1', `guess${i}@example.com`, at(i * SECOND))
  }
  const verdict = checkLoginThrottle(db, '198.51.100.1', 'author@example.com', at(10 * SECOND))
  assert.equal(verdict.allowed, false)
  assert.ok(!verdict.allowed && verdict.reason === 'ip')
  // The oldest failure leaves the window an hour after it happened.
  assert.ok(!verdict.allowed && verdict.retryAfterSeconds === (WINDOW_MS - 10 * SECOND) / 1000)
  // Another address is not affected.
  assert.equal(checkLoginThrottle(db, '198.51.100.2', 'someone@example.com', at(10 * SECOND)).allowed, true)
  // Once the oldest failure is more than an hour old, the IP may try again.
  assert.equal(checkLoginThrottle(db, '198.51.100.1', 'x@example.com', at(WINDOW_MS + 1)).allowed, true)
})

test('an account gets a growing delay after three failures, capped at five minutes, and never a lock', (t) => {
  const { db } = createTestDb(t)
  const email = 'author@example.com'
  let now = 0
  for (let i = 0; i < 3; i++) {
    assert.equal(checkLoginThrottle(db, `203.0.113.${i}`, email, at(now)).allowed, true)
    recordLoginFailure(db, `203.0.113.${i}`, email, at(now))
  }
  const waits: number[] = []
  for (let failures = 3; failures < 12; failures++) {
    const verdict = checkLoginThrottle(db, '192.0.2.50', email, at(now))
    assert.equal(verdict.allowed, false, `after ${failures} failures`)
    if (verdict.allowed) return
    assert.equal(verdict.reason, 'account')
    waits.push(verdict.retryAfterSeconds)
    // After waiting out the delay the account may try again: a delay, not a lock.
    now += verdict.retryAfterSeconds * SECOND
    assert.equal(checkLoginThrottle(db, '192.0.2.50', email, at(now)).allowed, true)
    // Spread over many addresses, as a stranger with a botnet would, so only the account rule applies.
    recordLoginFailure(db, `203.0.113.${failures + 10}`, email, at(now))
  }
  assert.deepEqual(waits.slice(0, 4), [5, 10, 20, 40])
  for (let i = 1; i < waits.length; i++) assert.ok((waits[i] ?? 0) >= (waits[i - 1] ?? 0))
  assert.equal(Math.max(...waits), 5 * 60)
})

test('the account delay forgets failures older than an hour', (t) => {
  const { db } = createTestDb(t)
  for (let i = 0; i < 6; i++) recordLoginFailure(db, `203.0.113.${i}`, 'author@example.com', at(i * SECOND))
  assert.equal(checkLoginThrottle(db, '192.0.2.1', 'author@example.com', at(30 * SECOND)).allowed, false)
  assert.equal(
    checkLoginThrottle(db, '192.0.2.1', 'author@example.com', at(WINDOW_MS + 6 * SECOND)).allowed,
    true,
  )
})

test('checking the throttle only reads', (t) => {
  const { db } = createTestDb(t)
  recordLoginFailure(db, '198.51.100.1', 'a@example.com', T0)
  const before = db.$client.prepare('select total_changes()').pluck().get()
  for (let i = 0; i < 10; i++) checkLoginThrottle(db, '198.51.100.1', 'a@example.com', at(i * MINUTE))
  assert.equal(db.$client.prepare('select total_changes()').pluck().get(), before)
})

test("a successful sign-in lifts the account's delay but leaves every IP's count; clearing all failures lifts IP blocks", async (t) => {
  const { db } = createTestDb(t)
  await createUser(db, { name: 'Sam', email: 'author@example.com', password: 'correct horse battery staple' })
  for (let i = 0; i < 5; i++) recordLoginFailure(db, '198.51.100.1', 'author@example.com', at(i))
  for (let i = 0; i < 5; i++) recordLoginFailure(db, '198.51.100.2', `other${i}@example.com`, at(i))
  recordSignIn(db, 'author@example.com', at(10))
  assert.equal(checkLoginThrottle(db, '192.0.2.1', 'author@example.com', at(SECOND)).allowed, true)
  // The attacker's IP is still blocked: the author's success did not wipe its failures.
  assert.equal(checkLoginThrottle(db, '198.51.100.1', 'x@example.com', at(SECOND)).allowed, false)
  assert.equal(checkLoginThrottle(db, '198.51.100.2', 'x@example.com', at(SECOND)).allowed, false)
  assert.equal(clearAllFailures(db), 10)
  assert.equal(checkLoginThrottle(db, '198.51.100.2', 'x@example.com', at(SECOND)).allowed, true)
  assert.equal(clearAllFailures(db), 0)
})
