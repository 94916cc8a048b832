// Checks password hashing: argon2id at OWASP's parameters or stronger, and verification that never accepts without a hash.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../../../src/features/auth/passwords.ts'
import { argonParams } from '../../helpers/admin.ts'

test('a password is hashed with argon2id at 19 MiB, 2 iterations and 1 lane or stronger', async () => {
  const hash = await hashPassword('correct horse battery staple')
  assert.match(hash, /^\$argon2id\$/)
  const params = argonParams(hash)
  assert.equal(params.type, 'argon2id')
  assert.ok(params.m >= 19456, `memory ${params.m} KiB`)
  assert.ok(params.t >= 2, `iterations ${params.t}`)
  assert.ok(params.p >= 1, `lanes ${params.p}`)
  assert.ok(!hash.includes('correct horse'))
})

test('the same password hashed twice gives different hashes (a random salt each time)', async () => {
  const [a, b] = await Promise.all([hashPassword('same password here'), hashPassword('same password here')])
  assert.notEqual(a, b)
})

test('the right password verifies and a wrong one does not', async () => {
  const hash = await hashPassword('correct horse battery staple')
  assert.equal(await verifyPassword(hash, 'correct horse battery staple'), true)
  assert.equal(await verifyPassword(hash, 'correct horse battery stapler'), false)
  assert.equal(await verifyPassword(hash, 'Correct horse battery staple'), false)
  assert.equal(await verifyPassword(hash, ''), false)
})

test('with no account (no hash) every password is refused, including the dummy one', async () => {
  assert.equal(await verifyPassword(undefined, 'correct horse battery staple'), false)
  assert.equal(await verifyPassword(undefined, 'folio-dummy-password-for-timing'), false)
})

test('passwords need at least 12 characters', () => {
  assert.equal(MIN_PASSWORD_LENGTH, 12)
})
