// Checks password-guessing limits through the sign-in form: an IP cap that parallel guesses cannot pass, a per-account delay for wrong passwords only, restarts and recovery.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import argon2 from 'argon2'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../src/app.ts'
import { closeDatabase, type Db, openDatabase } from '../../../src/db/client.ts'
import { SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { clearAllFailures, MAX_FAILURES_PER_IP } from '../../../src/features/auth/throttle.ts'
import { createUser, setPassword } from '../../../src/features/auth/users.ts'
import { browser, cookiesFrom, formErrorIn, signInWithForm, TEST_PASSWORD } from '../../helpers/admin.ts'
import { createTestApp, createTestDb, testConfig } from '../../helpers/app.ts'

const AUTHOR = 'author@example.com'
const STRANGER = '198.51.100.66'

async function withAuthor(t: TestContext) {
  const { app, db } = await createTestApp(t)
  const user = await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  return { app, db, user }
}

const failures = (db: Db): number =>
  db.$client.prepare('select count(*) from login_failures').pluck().get() as number

/** Pretends `ms` have passed by moving every recorded failure back in time. */
const letTimePass = (db: Db, ms: number) =>
  db.$client.prepare('update login_failures set at = at - ?').run(ms)

/** Counts argon2 verifications, so a test can tell that an answer came before any hashing. */
function countVerifies(t: TestContext): () => number {
  const verify = t.mock.method(argon2, 'verify')
  return () => verify.mock.callCount()
}

test('five failures from one address make the sixth attempt wait, even with the right password, and nothing is hashed', async (t) => {
  const { app, db } = await withAuthor(t)
  const stranger = browser(app, { remoteAddress: STRANGER })
  // Different e-mails, so only the per-IP rule is at work.
  for (let i = 0; i < 5; i++) {
    const res = await stranger.post('/admin/login', {
      email: `guess${i}@example.com`,
      password: 'password guess',
    })
    assert.equal(res.statusCode, 401, `attempt ${i + 1}`)
  }
  assert.equal(failures(db), 5)

  const verifies = countVerifies(t)
  const blocked = await stranger.post('/admin/login', { email: AUTHOR, password: TEST_PASSWORD })
  assert.equal(blocked.statusCode, 429)
  const retryAfter = Number(blocked.headers['retry-after'])
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`)
  assert.match(String(blocked.headers['content-type']), /^text\/html/)
  assert.match(
    formErrorIn(blocked.body) ?? '',
    /Too many failed sign-ins from your network\. Try again in \d+ minutes?\./,
  )
  assert.equal(cookiesFrom(blocked.headers['set-cookie'])[SESSION_COOKIE], undefined)
  assert.equal(verifies(), 0, 'no argon2 verification for a throttled attempt')
  assert.equal(failures(db), 5, 'a throttled attempt is not counted as another failure')

  // The author, elsewhere, is not affected by the stranger's address being blocked.
  const { res } = await signInWithForm(app, AUTHOR, TEST_PASSWORD, { remoteAddress: '203.0.113.9' })
  assert.equal(res.statusCode, 303)
  assert.equal(verifies(), 1, 'the counter sees the verification an allowed attempt makes')
})

/** A wrong guess at the author's password from `ip`. */
const guess = (app: FastifyInstance, ip: string, n: number) =>
  browser(app, { remoteAddress: ip }).post('/admin/login', { email: AUTHOR, password: `guess number ${n}` })

const sessions = (db: Db): number =>
  db.$client.prepare('select count(*) from sessions').pluck().get() as number

test("strangers' wrong guesses from many addresses make further wrong guesses wait, with a growing delay, never a lock", async (t) => {
  const { app, db } = await withAuthor(t)
  for (let i = 1; i <= 3; i++) assert.equal((await guess(app, `198.51.100.${i}`, i)).statusCode, 401)
  const verifies = countVerifies(t)
  // The next wrong guess is checked, counted, and told to wait.
  const first = await guess(app, '198.51.100.4', 4)
  assert.equal(first.statusCode, 429)
  assert.equal(verifies(), 1, 'the password is checked before the account delay applies')
  assert.match(String(first.headers['content-type']), /^text\/html/)
  const firstWait = Number(first.headers['retry-after'])
  assert.ok(firstWait >= 1 && firstWait <= 10, `Retry-After ${firstWait}`)
  const message = formErrorIn(first.body) ?? ''
  assert.match(message, /for this account/)
  assert.match(message, /set-password/)
  assert.doesNotMatch(message, /your network/)
  assert.equal(failures(db), 4, 'a wrong guess during the delay still counts')

  // After the wait, a wrong guess is simply wrong again, and the next delay is longer.
  letTimePass(db, (firstWait + 1) * 1000)
  assert.equal((await guess(app, '198.51.100.5', 5)).statusCode, 401)
  const second = await guess(app, '198.51.100.6', 6)
  assert.equal(second.statusCode, 429)
  const secondWait = Number(second.headers['retry-after'])
  assert.ok(secondWait > firstWait, `${secondWait} > ${firstWait}`)

  // However many guesses strangers make, the delay stays short enough to wait out.
  const insert = db.$client.prepare('insert into login_failures (ip, email, at) values (?, ?, ?)')
  for (let i = 0; i < 40; i++) insert.run(`192.0.2.${i}`, AUTHOR, Date.now())
  const longest = await guess(app, '198.51.100.7', 7)
  assert.equal(longest.statusCode, 429)
  assert.ok(Number(longest.headers['retry-after']) <= 5 * 60)
  letTimePass(db, 5 * 60 * 1000 + 1000)
  assert.equal((await guess(app, '198.51.100.8', 8)).statusCode, 401)
})

test('the author with the right password gets straight in while strangers keep the account delay going', async (t) => {
  const { app, db } = await withAuthor(t)
  for (let i = 1; i <= 6; i++) await guess(app, `198.51.100.${i}`, i)
  assert.equal((await guess(app, '198.51.100.7', 7)).statusCode, 429, 'the account delay is on')

  const { visitor, res } = await signInWithForm(app, AUTHOR, TEST_PASSWORD, { remoteAddress: '203.0.113.9' })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin')
  assert.ok(cookiesFrom(res.headers['set-cookie'])[SESSION_COOKIE], 'a session cookie')
  assert.equal(sessions(db), 1)
  assert.equal((await visitor.get('/admin')).statusCode, 200)

  // Strangers spending guesses at the very moment she signs in change nothing for her.
  const [author, ...strangers] = await Promise.all([
    signInWithForm(app, AUTHOR, TEST_PASSWORD, { remoteAddress: '203.0.113.9' }),
    ...Array.from({ length: 4 }, (_, i) => guess(app, `198.51.100.${20 + i}`, 20 + i)),
  ])
  assert.equal(author?.res.statusCode, 303)
  assert.ok(cookiesFrom(author?.res.headers['set-cookie'])[SESSION_COOKIE])
  for (const stranger of strangers)
    assert.ok([401, 429].includes(stranger.statusCode), String(stranger.statusCode))
  assert.equal(sessions(db), 2)
})

test('thirty wrong passwords sent at once from one address have at most five checked; the rest wait with Retry-After', async (t) => {
  const { app, db } = await withAuthor(t)
  const verifies = countVerifies(t)
  const stranger = browser(app, { remoteAddress: STRANGER })
  const csrf = await stranger.csrfFrom('/admin/login')
  const responses = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      stranger.send({
        method: 'POST',
        url: '/admin/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          email: `parallel${i}@example.com`,
          password: 'a parallel guess',
          _csrf: csrf,
        }).toString(),
      }),
    ),
  )
  const statuses = responses.map((r) => r.statusCode)
  assert.equal(statuses.filter((s) => s === 401).length, MAX_FAILURES_PER_IP, String(statuses))
  assert.equal(statuses.filter((s) => s === 429).length, 30 - MAX_FAILURES_PER_IP, String(statuses))
  assert.equal(verifies(), MAX_FAILURES_PER_IP, 'passwords actually checked')
  for (const res of responses.filter((r) => r.statusCode === 429)) {
    assert.ok(Number(res.headers['retry-after']) > 0)
    assert.match(formErrorIn(res.body) ?? '', /from your network/)
  }
  assert.equal(failures(db), MAX_FAILURES_PER_IP)
})

test('failed sign-ins are remembered across a restart', async (t) => {
  const { db, dir, path } = createTestDb(t)
  await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  const config = testConfig(dir)
  const before = await buildApp({ config, db })
  for (let i = 0; i < 5; i++) {
    const res = await browser(before, { remoteAddress: STRANGER }).post('/admin/login', {
      email: `guess${i}@example.com`,
      password: 'password guess',
    })
    assert.equal(res.statusCode, 401)
  }
  await before.close()
  closeDatabase(db)

  const reopened = openDatabase(path)
  t.after(() => closeDatabase(reopened))
  const after = await buildApp({ config, db: reopened })
  t.after(() => after.close())
  const res = await browser(after, { remoteAddress: STRANGER }).post('/admin/login', {
    email: AUTHOR,
    password: TEST_PASSWORD,
  })
  assert.equal(res.statusCode, 429)
  assert.ok(Number(res.headers['retry-after']) > 0)
})

test('setting a new password from the shell lifts the account delay', async (t) => {
  const { app, db, user } = await withAuthor(t)
  for (let i = 1; i <= 4; i++) await guess(app, `198.51.100.${i}`, i)
  assert.equal((await guess(app, '203.0.113.9', 5)).statusCode, 429)
  // What `npm run cli -- set-password` does.
  await setPassword(db, user.id, 'a fresh password from the shell')
  assert.equal(failures(db), 0)
  assert.equal((await guess(app, '203.0.113.9', 6)).statusCode, 401, 'a wrong guess is just wrong again')
  const { res } = await signInWithForm(app, AUTHOR, 'a fresh password from the shell', {
    remoteAddress: '203.0.113.9',
  })
  assert.equal(res.statusCode, 303)
})

test('unlock lifts an IP block', async (t) => {
  const { app, db } = await withAuthor(t)
  const visitor = browser(app, { remoteAddress: STRANGER })
  for (let i = 0; i < 5; i++) {
    await visitor.post('/admin/login', { email: `guess${i}@example.com`, password: 'password guess' })
  }
  assert.equal(
    (await visitor.post('/admin/login', { email: AUTHOR, password: TEST_PASSWORD })).statusCode,
    429,
  )
  // What `npm run cli -- unlock` does.
  assert.equal(clearAllFailures(db), 5)
  assert.equal(
    (await visitor.post('/admin/login', { email: AUTHOR, password: TEST_PASSWORD })).statusCode,
    303,
  )
})

test("the author signing in does not wipe a stranger's failures from the stranger's IP count", async (t) => {
  const { app } = await withAuthor(t)
  const stranger = browser(app, { remoteAddress: STRANGER })
  // Two guesses at the author's password and three at other accounts: five failures from one address.
  for (let i = 0; i < 2; i++)
    await stranger.post('/admin/login', { email: AUTHOR, password: `guess ${i} here` })
  for (let i = 0; i < 3; i++) {
    await stranger.post('/admin/login', { email: `guess${i}@example.com`, password: 'password guess' })
  }
  assert.equal(
    (await stranger.post('/admin/login', { email: AUTHOR, password: 'another guess' })).statusCode,
    429,
  )
  // The author signs in from home.
  const { res } = await signInWithForm(app, AUTHOR, TEST_PASSWORD, { remoteAddress: '203.0.113.9' })
  assert.equal(res.statusCode, 303)
  // The stranger's address has still failed five times this hour.
  const again = await stranger.post('/admin/login', {
    email: 'guess9@example.com',
    password: 'password guess',
  })
  assert.equal(again.statusCode, 429)
})

/** Waits, without asserting on time, until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  if (!condition()) throw new Error(`gave up waiting for ${what}`)
}

test('a burst of sign-ins runs at most two argon2 checks at once and turns the overflow away with 503', async (t) => {
  const { app } = await withAuthor(t)
  // Every verification waits at a gate the test opens, so the whole burst is in flight at once.
  let open: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  let running = 0
  let most = 0
  const verify = t.mock.method(argon2, 'verify', async () => {
    running += 1
    most = Math.max(most, running)
    await gate
    running -= 1
    return false
  })
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  const answered: number[] = []
  const burst = Array.from({ length: 50 }, (_, i) =>
    visitor
      .send({
        method: 'POST',
        url: '/admin/login',
        remoteAddress: `198.51.100.${i}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          email: `burst${i}@example.com`,
          password: 'a guess',
          _csrf: csrf,
        }).toString(),
      })
      .then((res) => {
        answered.push(res.statusCode)
        return res
      }),
  )
  // Two checks are running and the queue has overflowed; nothing can have been answered otherwise.
  await until(() => verify.mock.callCount() === 2 && answered.length > 0, 'the first refusal')
  assert.ok(
    answered.every((status) => status === 503),
    String(answered),
  )
  open()
  const responses = await Promise.all(burst)
  assert.ok(most <= 2, `${most} argon2 checks ran at once`)
  const busy = responses.filter((r) => r.statusCode === 503)
  assert.ok(busy.length > 0)
  for (const res of busy) {
    assert.equal(res.headers['retry-after'], '5')
    assert.match(formErrorIn(res.body) ?? '', /busy/)
  }
  assert.deepEqual(new Set(responses.map((r) => r.statusCode)), new Set([401, 503]))
})

test('an absurdly long password is refused before it is hashed', async (t) => {
  const { app, db } = await withAuthor(t)
  const verifies = countVerifies(t)
  const res = await browser(app).post('/admin/login', { email: AUTHOR, password: 'x'.repeat(5000) })
  assert.equal(res.statusCode, 422)
  assert.equal(verifies(), 0)
  assert.equal(failures(db), 0)
})

test('an unknown email costs the same one argon2 check as a wrong password', async (t) => {
  const { app } = await withAuthor(t)
  const verifies = countVerifies(t)
  assert.equal((await signInWithForm(app, 'nobody@example.com', TEST_PASSWORD)).res.statusCode, 401)
  assert.equal(verifies(), 1)
  assert.equal((await signInWithForm(app, AUTHOR, 'not the password')).res.statusCode, 401)
  assert.equal(verifies(), 2)
})

/** A sign-in through a proxy at 127.0.0.1, which appends the address it saw to what the client sent. */
async function viaProxy(app: FastifyInstance, forwardedFor: string, email: string, password: string) {
  const visitor = browser(app, { remoteAddress: '127.0.0.1' })
  const csrf = await visitor.csrfFrom('/admin/login')
  return visitor.send({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
    payload: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
  })
}

test('behind a proxy, a visitor cannot dodge the IP limit by making up X-Forwarded-For addresses', async (t) => {
  const { app, db } = await createTestApp(t, { TRUST_PROXY: 'true' })
  await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  // The client at 203.0.113.66 writes a new made-up address into each request.
  for (let i = 0; i < 5; i++) {
    const res = await viaProxy(app, `192.0.2.${i}, 203.0.113.66`, `guess${i}@example.com`, 'a guess')
    assert.equal(res.statusCode, 401)
  }
  assert.equal((await viaProxy(app, '192.0.2.99, 203.0.113.66', AUTHOR, TEST_PASSWORD)).statusCode, 429)
  assert.deepEqual(db.$client.prepare('select distinct ip from login_failures').pluck().all(), [
    '203.0.113.66',
  ])
  // The author, whose address the proxy reports as another one, is not caught by the block.
  assert.equal((await viaProxy(app, '203.0.113.9', AUTHOR, TEST_PASSWORD)).statusCode, 303)
})

test('without TRUST_PROXY, X-Forwarded-For is ignored and the connecting address counts', async (t) => {
  const { app, db } = await createTestApp(t)
  await createUser(db, { name: 'Sam Rivera', email: AUTHOR, password: TEST_PASSWORD })
  for (let i = 0; i < 5; i++) await viaProxy(app, `192.0.2.${i}`, `guess${i}@example.com`, 'a guess')
  assert.deepEqual(db.$client.prepare('select distinct ip from login_failures').pluck().all(), ['127.0.0.1'])
  assert.equal((await viaProxy(app, '203.0.113.9', AUTHOR, TEST_PASSWORD)).statusCode, 429)
})
