// Checks that the account page's current-password check is throttled like sign-in: per IP before hashing, per account for wrong passwords.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import argon2 from 'argon2'
import type { Db } from '../../../src/db/client.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { browser, fieldErrorIn, signInWithForm, TEST_PASSWORD } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const AUTHOR = 'author@example.com'
const NEW = 'a brand new passphrase'

async function signedInAuthor(t: TestContext, remoteAddress: string) {
  const { app, db } = await createTestApp(t)
  await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  const { visitor, res } = await signInWithForm(app, AUTHOR, TEST_PASSWORD, { remoteAddress })
  assert.equal(res.statusCode, 303)
  return { app, db, visitor }
}

const passwordHash = (db: Db) => db.$client.prepare('select password_hash from users').pluck().get()

test('repeated wrong current passwords are slowed down and then refused with 429, the form shown again with a helpful message', async (t) => {
  // Someone holding a stolen session cookie guesses the current password to take the account over.
  const { app, db, visitor } = await signedInAuthor(t, '203.0.113.7')
  const hashBefore = passwordHash(db)
  const verify = t.mock.method(argon2, 'verify')
  const change = (current: string) =>
    visitor.post('/admin/account/password', {
      current_password: current,
      new_password: NEW,
      confirm_password: NEW,
    })

  const statuses: number[] = []
  let last: Awaited<ReturnType<typeof change>> | undefined
  for (let i = 0; i < 8; i++) {
    last = await change(`wrong guess number ${i}`)
    statuses.push(last.statusCode)
    assert.match(String(last.headers['content-type']), /^text\/html/)
    // The form is there again to fix, and no password typed is ever sent back.
    assert.match(last.body, /name="current_password"/)
    assert.match(last.body, /name="new_password"/)
    assert.match(last.body, /Where you are signed in/)
    assert.ok(!last.body.includes(NEW) && !last.body.includes(`wrong guess number ${i}`))
    assert.match(last.body, /id="current_password"[^>]*aria-invalid="true"/)
  }
  // Three plain failures, then the account makes each wrong guess wait, then the address is refused.
  assert.deepEqual(statuses, [422, 422, 422, 429, 429, 429, 429, 429])
  assert.equal(verify.mock.callCount(), 5, 'nothing is hashed once the address has used its five tries')

  const waiting = await visitor.post('/admin/account/password', {
    current_password: TEST_PASSWORD,
    new_password: NEW,
    confirm_password: NEW,
  })
  assert.equal(waiting.statusCode, 429, 'from this address even the right password waits')
  const retryAfter = Number(waiting.headers['retry-after'])
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`)
  assert.match(
    fieldErrorIn(waiting.body, 'current_password') ?? '',
    /^Too many wrong passwords from your network\. Try again in \d+ minutes?\.$/,
  )
  assert.equal(passwordHash(db), hashBefore, 'nothing was changed')
  assert.equal(verify.mock.callCount(), 5)

  // The same session from the author's other address, with the right password, is not kept out.
  const elsewhere = browser(app, { remoteAddress: '198.51.100.20', cookies: visitor.cookies })
  const done = await elsewhere.post('/admin/account/password', {
    current_password: TEST_PASSWORD,
    new_password: NEW,
    confirm_password: NEW,
  })
  assert.equal(done.statusCode, 303)
  assert.equal(done.headers.location, '/admin/account?done=password-changed')
  assert.notEqual(passwordHash(db), hashBefore)
})

test('a wrong current password during the account delay says how long to wait', async (t) => {
  const { app, db, visitor } = await signedInAuthor(t, '203.0.113.7')
  // Strangers' wrong sign-ins at this account from elsewhere count too: it is one account.
  for (let i = 1; i <= 3; i++) {
    const res = await browser(app, { remoteAddress: `198.51.100.${i}` }).post('/admin/login', {
      email: AUTHOR,
      password: `guess number ${i}`,
    })
    assert.equal(res.statusCode, 401)
  }
  const res = await visitor.post('/admin/account/password', {
    current_password: 'not my password',
    new_password: NEW,
    confirm_password: NEW,
  })
  assert.equal(res.statusCode, 429)
  const wait = Number(res.headers['retry-after'])
  assert.ok(wait >= 1 && wait <= 10, `Retry-After ${wait}`)
  assert.match(
    fieldErrorIn(res.body, 'current_password') ?? '',
    new RegExp(`^Too many wrong passwords for this account\\. Wait ${wait} seconds and try again\\.`),
  )
  // The right current password is accepted at once.
  const ok = await visitor.post('/admin/account/password', {
    current_password: TEST_PASSWORD,
    new_password: NEW,
    confirm_password: NEW,
  })
  assert.equal(ok.statusCode, 303)
  assert.equal(db.$client.prepare('select count(*) from login_failures').pluck().get(), 0)
})
