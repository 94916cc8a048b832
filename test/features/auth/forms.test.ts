// Checks the sign-in, setup and password-change forms' rules: 12 characters at least, no composition rules.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loginSchema, passwordChangeSchema, setupSchema } from '../../../src/features/auth/forms.ts'

const setup = { token: 't', name: 'Sam Rivera', email: 'sam@example.com', password: 'twelve chars' }

test('a 12-character password of lower-case letters and spaces is accepted; 11 characters are not', () => {
  assert.equal('twelve chars'.length, 12)
  assert.equal(setupSchema.safeParse(setup).success, true)
  const short = setupSchema.safeParse({ ...setup, password: 'eleven char' })
  assert.equal(short.success, false)
  assert.match(short.error?.issues[0]?.message ?? '', /at least 12 characters/)
})

test('setup needs a name and an email address, and trims and keeps them', () => {
  const parsed = setupSchema.safeParse({ ...setup, name: '  Sam  ', email: ' sam@example.com ' })
  assert.equal(parsed.data?.name, 'Sam')
  assert.equal(parsed.data?.email, 'sam@example.com')
  const empty = setupSchema.safeParse({ ...setup, name: '   ', email: 'not-an-email' })
  const fields = empty.error?.issues.map((i) => i.path[0])
  assert.deepEqual(new Set(fields), new Set(['name', 'email']))
})

test('sign-in needs an email and a password, and refuses an absurdly long password before hashing it', () => {
  assert.equal(loginSchema.safeParse({ email: 'a@b.c', password: 'x' }).success, true)
  assert.equal(loginSchema.safeParse({ email: '', password: 'x' }).success, false)
  assert.equal(loginSchema.safeParse({ email: 'a@b.c', password: '' }).success, false)
  assert.equal(loginSchema.safeParse({ email: 'a@b.c', password: 'x'.repeat(100_000) }).success, false)
})

test('a password change needs the new password twice, the same both times', () => {
  const ok = { current_password: 'old', new_password: 'a new password', confirm_password: 'a new password' }
  assert.equal(passwordChangeSchema.safeParse(ok).success, true)
  const mismatch = passwordChangeSchema.safeParse({ ...ok, confirm_password: 'another password' })
  assert.equal(mismatch.error?.issues[0]?.path[0], 'confirm_password')
})
