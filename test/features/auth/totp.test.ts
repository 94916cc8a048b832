// Checks the TOTP second factor without HTTP: codes computed with otplib, one step of drift, no code twice, recovery codes hashed and single-use, pending sign-ins, and the operator's reset.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { generateSync } from 'otplib'
import type { Db } from '../../../src/db/client.ts'
import { passkeys } from '../../../src/db/schema.ts'
import { CHALLENGE_TTL_MS } from '../../../src/features/auth/challenges.ts'
import { createPendingSignIn, findPendingSignIn } from '../../../src/features/auth/pending-sign-ins.ts'
import {
  countUnusedRecoveryCodes,
  normalizeRecoveryCode,
  useRecoveryCode,
} from '../../../src/features/auth/recovery-codes.ts'
import { resetSecondFactor } from '../../../src/features/auth/reset.ts'
import {
  completeSignInCode,
  disableTotp,
  enableTotp,
  readSignInCode,
  remakeRecoveryCodes,
} from '../../../src/features/auth/second-factor.ts'
import { listSecurityEvents } from '../../../src/features/auth/security-events.ts'
import { createSession } from '../../../src/features/auth/sessions.ts'
import { hashToken } from '../../../src/features/auth/tokens.ts'
import {
  groupSecret,
  hasConfirmedTotp,
  matchTotpStep,
  startTotpSetup,
  totpUri,
  twoFactorStatus,
  useTotpCode,
} from '../../../src/features/auth/totp.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { createTestDb, rowCount } from '../../helpers/app.ts'

const NOW = new Date('2026-03-01T12:00:10Z')
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000)
/** The code an authenticator app shows `seconds` from NOW. */
const codeAt = (secret: string, seconds = 0) =>
  generateSync({ secret, epoch: Math.floor(NOW.getTime() / 1000) + seconds })
const client = { userAgent: 'node-test', ip: '203.0.113.7' }

async function withUser(t: TestContext) {
  const { db } = createTestDb(t)
  const user = await createUser(db, {
    name: 'Sam',
    email: 'sam@example.com',
    password: 'correct horse battery',
  })
  return { db, userId: user.id }
}

/** An account with the app on: its secret, its recovery codes and the session that turned it on. */
async function withTotp(t: TestContext) {
  const { db, userId } = await withUser(t)
  const here = createSession(db, userId, client, NOW).session
  const secret = startTotpSetup(db, userId, NOW) ?? assert.fail('no secret')
  const codes = enableTotp(
    db,
    { userId, keepSessionId: here.id, ip: '203.0.113.7', now: NOW },
    codeAt(secret),
  )
  assert.ok(codes)
  return { db, userId, secret, codes, here }
}

const sessionCount = (db: Db, userId: number) =>
  db.$client.prepare('select count(*) from sessions where user_id = ?').pluck().get(userId) as number

test('codes one step either side of now are accepted, two steps away are not', () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
  const step = Math.floor(NOW.getTime() / 30_000)
  assert.equal(matchTotpStep(secret, codeAt(secret), NOW), step)
  assert.equal(matchTotpStep(secret, codeAt(secret, -30), NOW), step - 1)
  assert.equal(matchTotpStep(secret, codeAt(secret, 30), NOW), step + 1)
  assert.equal(matchTotpStep(secret, codeAt(secret, -60), NOW), undefined)
  assert.equal(matchTotpStep(secret, codeAt(secret, 60), NOW), undefined)
})

test('the otpauth address names the site and the email, and the secret is grouped for typing', () => {
  const uri = totpUri('Notes: on code', 'sam+blog@example.com', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
  const url = new URL(uri)
  assert.equal(`${url.protocol}//${url.host}`, 'otpauth://totp')
  assert.equal(decodeURIComponent(url.pathname), '/Notes on code:sam+blog@example.com')
  assert.equal(url.searchParams.get('issuer'), 'Notes on code')
  assert.equal(url.searchParams.get('secret'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
  assert.equal(groupSecret('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), 'ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567')
})

test('a setup guards nothing until a right code confirms it, and a wrong code leaves it off', async (t) => {
  const { db, userId } = await withUser(t)
  const here = createSession(db, userId, client, NOW).session
  const secret = startTotpSetup(db, userId, NOW) ?? assert.fail('no secret')
  assert.match(secret, /^[A-Z2-7]{32}$/)
  assert.deepEqual(twoFactorStatus(db, userId), { enabled: false, pending: true, recoveryCodesLeft: 0 })
  assert.equal(hasConfirmedTotp(db, userId), false)

  const context = { userId, keepSessionId: here.id, ip: '203.0.113.7', now: NOW }
  const wrong = String((Number(codeAt(secret)) + 1) % 1_000_000).padStart(6, '0')
  assert.equal(enableTotp(db, context, wrong), undefined)
  assert.equal(hasConfirmedTotp(db, userId), false)
  assert.equal(listSecurityEvents(db, userId).length, 0)

  const codes = enableTotp(db, context, codeAt(secret))
  assert.equal(codes?.length, 10)
  assert.deepEqual(twoFactorStatus(db, userId), { enabled: true, pending: false, recoveryCodesLeft: 10 })
  assert.deepEqual(
    listSecurityEvents(db, userId).map((e) => e.kind),
    ['totp-enabled'],
  )
  // The code that confirmed it is spent.
  assert.equal(useTotpCode(db, userId, codeAt(secret), NOW), 'reused')
})

test('a confirmed factor is never replaced by starting a setup again', async (t) => {
  const { db, userId, secret } = await withTotp(t)
  assert.equal(startTotpSetup(db, userId, at(60)), undefined)
  assert.equal(useTotpCode(db, userId, codeAt(secret, 60), at(60)), 'accepted')
})

test('a code is accepted once: the same code again is refused, and so is an older one', async (t) => {
  const { db, userId, secret } = await withTotp(t)
  const later = at(90)
  assert.equal(useTotpCode(db, userId, codeAt(secret, 90), later), 'accepted')
  assert.equal(useTotpCode(db, userId, codeAt(secret, 90), later), 'reused')
  assert.equal(
    useTotpCode(db, userId, codeAt(secret, 60), later),
    'reused',
    'one step back is older than the last used',
  )
  assert.equal(useTotpCode(db, userId, '000000', later) === 'accepted', false)
  // A phone running half a minute fast is fine.
  assert.equal(useTotpCode(db, userId, codeAt(secret, 150), at(120)), 'accepted')
})

test('recovery codes look like abcd-efgh-jk, are stored only as SHA-256, and each works once', async (t) => {
  const { db, userId, codes } = await withTotp(t)
  for (const code of codes) assert.match(code, /^[a-z]{4}-[a-z]{4}-[a-z]{2}$/)
  assert.equal(new Set(codes).size, 10)
  const stored = db.$client.prepare('select code_hash from recovery_codes').pluck().all() as string[]
  const dump = JSON.stringify(db.$client.prepare('select * from recovery_codes').all())
  for (const code of codes) {
    assert.ok(!dump.includes(code) && !dump.includes(code.replace(/-/g, '')), 'no code in clear')
    assert.ok(stored.includes(hashToken(code.replace(/-/g, ''))))
  }

  const first = codes[0] ?? ''
  // Typed in capitals, without dashes, with spaces: the same code.
  const typed = normalizeRecoveryCode(` ${first.toUpperCase().replace(/-/g, ' ')} `) ?? ''
  assert.equal(useRecoveryCode(db, userId, typed, NOW), true)
  assert.equal(useRecoveryCode(db, userId, typed, NOW), false)
  assert.equal(countUnusedRecoveryCodes(db, userId), 9)
})

test('the verify field reads six digits or a recovery code, and explains anything else', () => {
  assert.deepEqual(readSignInCode(' 123 456 '), { kind: 'totp', code: '123456' })
  assert.deepEqual(readSignInCode('ABCD-EFGH-JK'), { kind: 'recovery', letters: 'abcdefghjk' })
  for (const bad of [
    '',
    '   ',
    undefined,
    'letters',
    '12345',
    '1234567',
    'abcd-efgh-jl',
    '١٢٣٤٥٦',
    'x'.repeat(5000),
  ]) {
    const read = readSignInCode(bad)
    assert.ok('error' in read, `refused: ${String(bad).slice(0, 20)}`)
    assert.match(read.error, /code/)
  }
  assert.match((readSignInCode('9'.repeat(65)) as { error: string }).error, /too long/)
})

test('a pending sign-in stores only its hash, expires after five minutes, and is kept to a few per account', async (t) => {
  const { db, userId } = await withUser(t)
  const token = createPendingSignIn(db, userId, '/admin/posts', NOW)
  const dump = JSON.stringify(db.$client.prepare('select * from auth_challenges').all())
  assert.ok(!dump.includes(token))
  assert.equal(findPendingSignIn(db, token, NOW)?.next, '/admin/posts')
  assert.equal(findPendingSignIn(db, token, new Date(NOW.getTime() + CHALLENGE_TTL_MS)), undefined)
  assert.equal(findPendingSignIn(db, `${token}x`, NOW), undefined)
  assert.equal(findPendingSignIn(db, 'x'.repeat(10_000), NOW), undefined)

  for (let i = 0; i < 20; i++) createPendingSignIn(db, userId, '/admin', NOW)
  assert.ok(rowCount(db, 'auth_challenges') <= 5, `${rowCount(db, 'auth_challenges')} rows`)
})

test('a sign-in code ends its pending sign-in; a recovery code is logged; an expired one does nothing', async (t) => {
  const { db, userId, secret, codes } = await withTotp(t)
  const token = createPendingSignIn(db, userId, '/admin', at(60))
  const pending = findPendingSignIn(db, token, at(60)) ?? assert.fail('no pending sign-in')
  const options = { ip: '198.51.100.4', now: at(60) }
  assert.deepEqual(
    completeSignInCode(db, pending, { kind: 'totp', code: '000000' }, options).outcome,
    'wrong',
  )
  assert.ok(findPendingSignIn(db, token, at(60)), 'a wrong code keeps the pending sign-in')
  assert.deepEqual(completeSignInCode(db, pending, { kind: 'totp', code: codeAt(secret, 60) }, options), {
    outcome: 'accepted',
    via: 'totp',
  })
  assert.equal(findPendingSignIn(db, token, at(60)), undefined)

  const token2 = createPendingSignIn(db, userId, '/admin', at(60))
  const pending2 = findPendingSignIn(db, token2, at(60)) ?? assert.fail('no pending sign-in')
  const letters = (codes[3] ?? '').replace(/-/g, '')
  assert.deepEqual(completeSignInCode(db, pending2, { kind: 'recovery', letters }, options), {
    outcome: 'accepted',
    via: 'recovery',
    codesLeft: 9,
  })
  const used = listSecurityEvents(db, userId)[0]
  assert.equal(used?.kind, 'recovery-code-used')
  assert.equal(used?.ip, '198.51.100.4')

  const token3 = createPendingSignIn(db, userId, '/admin', at(60))
  const pending3 = findPendingSignIn(db, token3, at(60)) ?? assert.fail('no pending sign-in')
  assert.equal(completeSignInCode(db, pending3, { kind: 'recovery', letters }, options).outcome, 'wrong')
  const late = { ip: '198.51.100.4', now: new Date(at(60).getTime() + CHALLENGE_TTL_MS + 1) }
  const other = (codes[4] ?? '').replace(/-/g, '')
  assert.equal(
    completeSignInCode(db, pending3, { kind: 'recovery', letters: other }, late).outcome,
    'expired',
  )
  assert.equal(countUnusedRecoveryCodes(db, userId), 9, 'an expired sign-in spends no code')
})

test('new recovery codes replace the old ones; turning off removes the factor and its codes; each ends the other sessions', async (t) => {
  const { db, userId, codes, here } = await withTotp(t)
  createSession(db, userId, client, NOW)
  createSession(db, userId, client, NOW)
  assert.equal(sessionCount(db, userId), 3)
  const context = { userId, keepSessionId: here.id, ip: '203.0.113.7', now: at(30) }

  const fresh = remakeRecoveryCodes(db, context) ?? assert.fail('no codes')
  assert.equal(fresh.length, 10)
  assert.equal(
    useRecoveryCode(db, userId, (codes[0] ?? '').replace(/-/g, ''), NOW),
    false,
    'old codes stop working',
  )
  assert.equal(sessionCount(db, userId), 1, 'only the session that made the change is left')

  createSession(db, userId, client, NOW)
  assert.equal(disableTotp(db, context), true)
  assert.deepEqual(twoFactorStatus(db, userId), { enabled: false, pending: false, recoveryCodesLeft: 0 })
  assert.equal(rowCount(db, 'recovery_codes'), 0)
  assert.equal(sessionCount(db, userId), 1)
  assert.deepEqual(
    listSecurityEvents(db, userId).map((e) => e.kind),
    ['totp-disabled', 'recovery-codes-made', 'totp-enabled'],
  )
  assert.equal(disableTotp(db, context), false, 'turning off twice changes nothing')
  assert.equal(remakeRecoveryCodes(db, context), undefined)
})

test('the reset removes passkeys, the app, recovery codes and pending sign-ins, and ends every session', async (t) => {
  const { db, userId } = await withTotp(t)
  createSession(db, userId, client, NOW)
  createPendingSignIn(db, userId, '/admin', NOW)
  for (const name of ['Laptop', 'Phone']) {
    db.insert(passkeys)
      .values({ userId, credentialId: `cred-${name}`, publicKey: 'pk', name, createdAt: NOW })
      .run()
  }
  const removed = resetSecondFactor(db, userId, at(10))
  assert.deepEqual(removed, { passkeys: 2, totp: true, recoveryCodes: 10, sessions: 2 })
  for (const table of ['passkeys', 'totp_factors', 'recovery_codes', 'auth_challenges', 'sessions']) {
    assert.equal(rowCount(db, table), 0, table)
  }
  const event = listSecurityEvents(db, userId)[0]
  assert.equal(event?.kind, 'second-factor-reset')
  assert.equal(event?.ip, '')
  assert.deepEqual(resetSecondFactor(db, userId, at(20)), {
    passkeys: 0,
    totp: false,
    recoveryCodes: 0,
    sessions: 0,
  })
})
