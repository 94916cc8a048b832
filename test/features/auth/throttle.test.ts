// Checks throttling of passwords and codes: a cap per address (an IPv6 /64 as one) taken before hashing, a growing delay per account, codes refused outright while it waits or after ten wrong ones an hour, and the ways to clear them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import {
  type Attempt,
  checkCode,
  checkPassword,
  clearAllFailures,
  countWrongCodes,
  MAX_FAILURES_PER_IP,
  MAX_WRONG_CODES_PER_ACCOUNT,
  recordLoginFailure,
  recordSignIn,
  releaseAttempt,
  reserveAttempt,
  WINDOW_MS,
} from '../../../src/features/auth/throttle.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { createTestDb } from '../../helpers/app.ts'

const T0 = new Date('2025-03-01T12:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)
const SECOND = 1000
const AUTHOR = 'author@example.com'

const failures = (db: Db): number =>
  db.$client.prepare('select count(*) from login_failures').pluck().get() as number

/** A check at a fixed moment whose password is `right` or not. */
const checkAt = (db: Db, ip: string, email: string, ms: number, right: boolean) =>
  checkPassword(
    db,
    { ip, email },
    async () => right,
    () => at(ms),
  )

test('five failures from one IP block its sixth attempt for the rest of the hour, whatever the email', async (t) => {
  const { db } = createTestDb(t)
  assert.equal(MAX_FAILURES_PER_IP, 5)
  for (let i = 0; i < 5; i++) {
    const check = await checkAt(db, '198.51.100.1', `guess${i}@example.com`, i * SECOND, false)
    assert.equal(check.outcome, 'wrong')
  }
  const verdict = reserveAttempt(db, { ip: '198.51.100.1', email: AUTHOR }, at(10 * SECOND))
  assert.ok(!verdict.allowed && verdict.reason === 'ip')
  // The oldest failure leaves the window an hour after it happened.
  assert.ok(!verdict.allowed && verdict.retryAfterSeconds === (WINDOW_MS - 10 * SECOND) / 1000)
  // Even the right password from that address is not checked.
  let verified = false
  const right = await checkPassword(
    db,
    { ip: '198.51.100.1', email: AUTHOR },
    async () => {
      verified = true
      return true
    },
    () => at(10 * SECOND),
  )
  assert.equal(right.outcome, 'throttled')
  assert.equal(verified, false)
  assert.equal(failures(db), 5, 'a refused attempt is not counted again')
  // Another address is not affected, and once the oldest failure is an hour old the IP may try again.
  assert.equal(
    (await checkAt(db, '198.51.100.2', 'someone@example.com', 10 * SECOND, true)).outcome,
    'correct',
  )
  assert.ok(reserveAttempt(db, { ip: '198.51.100.1', email: 'x@example.com' }, at(WINDOW_MS + 1)).allowed)
})

test('an attempt holds its place in the IP count from before hashing, and gives it back when the password is right', (t) => {
  const { db } = createTestDb(t)
  const who = { ip: '198.51.100.1', email: AUTHOR }
  const held: Attempt[] = []
  for (let i = 0; i < 5; i++) {
    const reservation = reserveAttempt(db, who, T0)
    assert.ok(reservation.allowed, `attempt ${i + 1}`)
    if (reservation.allowed) held.push(reservation.attempt)
  }
  // Five checks in flight and none settled: the sixth is already refused.
  assert.equal(reserveAttempt(db, who, T0).allowed, false)
  const first = held[0]
  if (first) releaseAttempt(db, first)
  assert.equal(reserveAttempt(db, who, T0).allowed, true)
})

test('a wrong password after three failures gets a growing wait, capped at five minutes; the right one never waits', async (t) => {
  const { db } = createTestDb(t)
  let now = 0
  // Spread over many addresses, as a stranger with a botnet would, so only the account rule applies.
  let ip = 0
  const next = () => `203.0.113.${ip++}`
  for (let i = 0; i < 3; i++) assert.equal((await checkAt(db, next(), AUTHOR, now, false)).outcome, 'wrong')
  const waits: number[] = []
  for (let round = 0; round < 9; round++) {
    // Inside the delay: the right password is let in, a wrong one is told to wait.
    assert.equal((await checkAt(db, next(), AUTHOR, now, true)).outcome, 'correct')
    const early = await checkAt(db, next(), AUTHOR, now, false)
    assert.ok(early.outcome === 'throttled' && early.reason === 'account', `round ${round}`)
    waits.push(early.retryAfterSeconds)
    // After waiting as told, a wrong password is simply wrong (and counted), not throttled.
    now += early.retryAfterSeconds * SECOND
    assert.equal((await checkAt(db, next(), AUTHOR, now, false)).outcome, 'wrong', `round ${round}`)
  }
  assert.deepEqual(waits.slice(0, 3), [10, 40, 160])
  for (let i = 1; i < waits.length; i++) assert.ok((waits[i] ?? 0) >= (waits[i - 1] ?? 0))
  assert.equal(Math.max(...waits), 5 * 60)
})

test('a wrong password during the account delay is counted against its IP and the account', async (t) => {
  const { db } = createTestDb(t)
  for (let i = 0; i < 3; i++) recordLoginFailure(db, `203.0.113.${i}`, AUTHOR, at(0))
  for (let i = 0; i < 5; i++) {
    const check = await checkAt(db, '198.51.100.7', AUTHOR, SECOND, false)
    assert.ok(check.outcome === 'throttled' && check.reason === 'account')
  }
  assert.equal(failures(db), 8)
  const sixth = await checkAt(db, '198.51.100.7', AUTHOR, SECOND, true)
  assert.ok(sixth.outcome === 'throttled' && sixth.reason === 'ip', 'no free guesses while the account waits')
})

test('the account delay forgets failures older than an hour', async (t) => {
  const { db } = createTestDb(t)
  for (let i = 0; i < 6; i++) recordLoginFailure(db, `203.0.113.${i}`, AUTHOR, at(i * SECOND))
  assert.equal((await checkAt(db, '192.0.2.1', AUTHOR, 30 * SECOND, false)).outcome, 'throttled')
  assert.equal((await checkAt(db, '192.0.2.2', AUTHOR, WINDOW_MS + 40 * SECOND, false)).outcome, 'wrong')
})

test('a check that cannot run (the server is busy) gives its attempt back', async (t) => {
  const { db } = createTestDb(t)
  await assert.rejects(
    checkPassword(db, { ip: '198.51.100.1', email: AUTHOR }, async () => {
      throw new Error('busy')
    }),
  )
  assert.equal(failures(db), 0)
})

test("a successful sign-in lifts the account's delay but leaves every IP's count; clearing all failures lifts IP blocks", async (t) => {
  const { db } = createTestDb(t)
  await createUser(db, { name: 'Sam', email: AUTHOR, password: 'correct horse battery staple' })
  for (let i = 0; i < 5; i++) recordLoginFailure(db, '198.51.100.1', AUTHOR, at(i))
  for (let i = 0; i < 5; i++) recordLoginFailure(db, '198.51.100.2', `other${i}@example.com`, at(i))
  assert.equal((await checkAt(db, '192.0.2.1', AUTHOR, SECOND, false)).outcome, 'throttled')
  recordSignIn(db, AUTHOR, at(10))
  assert.equal((await checkAt(db, '192.0.2.2', AUTHOR, SECOND, false)).outcome, 'wrong')
  // The attacker's IP is still blocked: the author's success did not wipe its failures.
  assert.equal(reserveAttempt(db, { ip: '198.51.100.1', email: 'x@example.com' }, at(SECOND)).allowed, false)
  assert.equal(reserveAttempt(db, { ip: '198.51.100.2', email: 'x@example.com' }, at(SECOND)).allowed, false)
  assert.equal(clearAllFailures(db), 12)
  assert.equal(reserveAttempt(db, { ip: '198.51.100.2', email: 'x@example.com' }, at(SECOND)).allowed, true)
})

test('an IPv6 /64 counts as one address, and an IPv4-mapped address as its IPv4 one', async (t) => {
  const { db } = createTestDb(t)
  for (let i = 1; i <= 5; i++) {
    assert.equal(
      (await checkAt(db, `2001:db8:1:2::${i}`, `guess${i}@example.com`, i, false)).outcome,
      'wrong',
    )
  }
  const sameNetwork = reserveAttempt(
    db,
    { ip: '2001:db8:1:2:ffff:ffff:ffff:ffff', email: AUTHOR },
    at(SECOND),
  )
  assert.ok(!sameNetwork.allowed && sameNetwork.reason === 'ip', 'any address of the /64 is blocked')
  assert.ok(reserveAttempt(db, { ip: '2001:db8:1:3::1', email: AUTHOR }, at(SECOND)).allowed)

  for (let i = 0; i < 5; i++) recordLoginFailure(db, '198.51.100.30', `guess${i}@example.com`, at(i))
  assert.equal(reserveAttempt(db, { ip: '::ffff:198.51.100.30', email: AUTHOR }, at(SECOND)).allowed, false)
  assert.equal(reserveAttempt(db, { ip: '198.51.100.31', email: AUTHOR }, at(SECOND)).allowed, true)
})

/** A code check at a fixed moment whose code is `right` or not; `looked` counts the codes looked at. */
function codeCheckAt(db: Db, ip: string, ms: number, right: boolean, looked = { n: 0 }) {
  return checkCode(
    db,
    { ip, email: AUTHOR },
    () => {
      looked.n++
      return right
    },
    () => at(ms),
  )
}

test('while the account waits, even the right code is refused without being looked at, and not counted', async (t) => {
  const { db } = createTestDb(t)
  for (let i = 0; i < 3; i++) {
    assert.equal((await codeCheckAt(db, `203.0.113.${i}`, i * SECOND, false)).outcome, 'wrong')
  }
  const looked = { n: 0 }
  const early = await codeCheckAt(db, '192.0.2.9', 3 * SECOND, true, looked)
  assert.ok(early.outcome === 'throttled' && early.reason === 'account')
  assert.equal(early.retryAfterSeconds, 4, 'five seconds after the third wrong code, one has passed')
  assert.equal(looked.n, 0, 'the code was not looked at')
  assert.equal(failures(db), 3, 'a refused code is not counted')
  assert.equal((await codeCheckAt(db, '192.0.2.9', 7 * SECOND, true, looked)).outcome, 'correct')
  assert.equal(looked.n, 1)
  assert.equal(failures(db), 3)
})

test('wrong codes and wrong passwords share the account delay', async (t) => {
  const { db } = createTestDb(t)
  for (let i = 0; i < 3; i++) recordLoginFailure(db, `203.0.113.${i}`, AUTHOR, at(0))
  const code = await codeCheckAt(db, '192.0.2.1', SECOND, true)
  assert.ok(code.outcome === 'throttled' && code.reason === 'account')

  const { db: other } = createTestDb(t)
  for (let i = 0; i < 3; i++) await codeCheckAt(other, `203.0.113.${i}`, i, false)
  const password = await checkAt(other, '192.0.2.1', AUTHOR, SECOND, false)
  assert.ok(password.outcome === 'throttled' && password.reason === 'account')
})

test('after ten wrong codes in an hour no code is looked at until the oldest is an hour old; passwords still work', async (t) => {
  const { db } = createTestDb(t)
  await createUser(db, { name: 'Sam', email: AUTHOR, password: 'correct horse battery staple' })
  assert.equal(MAX_WRONG_CODES_PER_ACCOUNT, 10)
  // Five minutes apart (the longest delay), from many addresses: only the hourly cap applies.
  const apart = 5 * 60 * SECOND
  for (let i = 0; i < 10; i++) {
    assert.equal((await codeCheckAt(db, `203.0.113.${i}`, i * apart, false)).outcome, 'wrong', `code ${i}`)
  }
  assert.equal(countWrongCodes(db, AUTHOR, T0), 10)
  const looked = { n: 0 }
  const capped = await codeCheckAt(db, '192.0.2.1', 10 * apart, true, looked)
  assert.ok(capped.outcome === 'throttled' && capped.reason === 'codes')
  assert.equal(capped.retryAfterSeconds, (WINDOW_MS - 10 * apart) / 1000)
  assert.equal(looked.n, 0)
  assert.equal((await checkAt(db, '192.0.2.2', AUTHOR, 10 * apart, true)).outcome, 'correct')
  // Once the first wrong code is an hour old, codes are looked at again.
  assert.equal((await codeCheckAt(db, '192.0.2.3', WINDOW_MS + SECOND, true, looked)).outcome, 'correct')
  assert.equal(looked.n, 1)
})

test("strangers' wrong passwords never use up the account's codes, and a sign-in lifts the code cap", async (t) => {
  const { db } = createTestDb(t)
  await createUser(db, { name: 'Sam', email: AUTHOR, password: 'correct horse battery staple' })
  for (let i = 0; i < 12; i++) recordLoginFailure(db, `198.51.100.${i}`, AUTHOR, at(i * 5 * 60 * SECOND))
  assert.equal(countWrongCodes(db, AUTHOR, T0), 0)
  assert.equal((await codeCheckAt(db, '192.0.2.1', 61 * 60 * SECOND, true)).outcome, 'correct')

  const { db: other } = createTestDb(t)
  await createUser(other, { name: 'Sam', email: AUTHOR, password: 'correct horse battery staple' })
  for (let i = 0; i < 10; i++) await codeCheckAt(other, `203.0.113.${i}`, i * 5 * 60 * SECOND, false)
  recordSignIn(other, AUTHOR, at(50 * 60 * SECOND))
  assert.equal((await codeCheckAt(other, '192.0.2.1', 51 * 60 * SECOND, true)).outcome, 'correct')
})
