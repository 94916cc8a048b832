// Checks the first-run setup link: it works once, only while no account exists, and signs the new author in.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { buildApp } from '../../../src/app.ts'
import { SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { hashToken } from '../../../src/features/auth/tokens.ts'
import { createUser, issueSetupToken, keepSetupToken } from '../../../src/features/auth/users.ts'
import { argonParams, browser, fieldErrorIn, signInWithForm } from '../../helpers/admin.ts'
import { createTestApp, createTestDb, testConfig } from '../../helpers/app.ts'

const PASSWORD = 'a long setup password'
const fields = { name: 'Sam Rivera', email: 'Sam@Example.com', password: PASSWORD }

test('the setup link shows the form, creates the account, signs the author in, and works only once', async (t) => {
  const { app, db } = await createTestApp(t)
  const token = issueSetupToken(db)
  assert.ok(token)

  const visitor = browser(app)
  const form = await visitor.get(`/admin/setup?token=${token}`)
  assert.equal(form.statusCode, 200)
  assert.match(form.body, /Welcome to Folio/)
  assert.match(form.body, /name="name"/)
  assert.match(form.body, /name="email"/)
  assert.match(form.body, /name="password"/)
  assert.match(form.body, new RegExp(`name="token" value="${token}"`))
  assert.equal(form.headers['cache-control'], 'no-store')

  const res = await visitor.post(
    '/admin/setup',
    { ...fields, token },
    { formUrl: `/admin/setup?token=${token}` },
  )
  assert.equal(res.statusCode, 303)
  assert.equal(new URL(String(res.headers.location), 'https://blog.example.com').pathname, '/admin')

  const setCookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${SESSION_COOKIE}=`)) ?? ''
  assert.match(setCookie, /; HttpOnly/i)
  assert.match(setCookie, /; SameSite=Lax/i)
  assert.match(setCookie, /; Secure/i, 'the test SITE_URL is https')
  assert.match(setCookie, /; Path=\//i)

  const dashboard = await visitor.get('/admin')
  assert.equal(dashboard.statusCode, 200)
  assert.match(dashboard.body, /Sam Rivera/)
  const user = db.$client.prepare('select email, name, password_hash from users').all() as {
    email: string
    name: string
    password_hash: string
  }[]
  assert.equal(user.length, 1)
  assert.equal(user[0]?.email, 'sam@example.com')
  assert.equal(argonParams(user[0]?.password_hash ?? '').type, 'argon2id')

  // Used once, the token is gone: the form and the POST both answer 404.
  assert.equal((await browser(app).get(`/admin/setup?token=${token}`)).statusCode, 404)
  const again = await browser(app).post('/admin/setup', { ...fields, email: 'intruder@example.com', token })
  assert.equal(again.statusCode, 404)
  const replay = await visitor.post(
    '/admin/setup',
    { ...fields, email: 'intruder@example.com', token },
    { formUrl: '/admin/account' },
  )
  assert.equal(replay.statusCode, 404)
  assert.equal(db.$client.prepare('select count(*) from users').pluck().get(), 1)
  assert.equal(db.$client.prepare('select count(*) from setup_tokens').pluck().get(), 0)

  // And the new account signs in with its password, whatever the case of the e-mail.
  const { res: login } = await signInWithForm(app, 'sam@example.COM', PASSWORD)
  assert.equal(login.statusCode, 303)
})

test('without the right token the setup page is a 404', async (t) => {
  const { app, db } = await createTestApp(t)
  const token = issueSetupToken(db) ?? ''
  const visitor = browser(app)
  for (const url of [
    '/admin/setup',
    '/admin/setup?token=',
    `/admin/setup?token=${token}x`,
    `/admin/setup?token=${token.slice(0, -1)}`,
    `/admin/setup?token=${hashToken(token)}`,
    `/admin/setup?token=${token}&token=${token}`,
  ]) {
    const res = await visitor.get(url)
    assert.equal(res.statusCode, 404, url)
    assert.doesNotMatch(res.body, /Welcome to Folio/, url)
  }
  const csrf = await visitor.csrfFrom('/admin/login')
  for (const wrong of ['', `${token}x`, hashToken(token)]) {
    const res = await visitor.post('/admin/setup', { ...fields, token: wrong, _csrf: csrf })
    assert.equal(res.statusCode, 404, `token "${wrong}"`)
  }
  assert.equal(db.$client.prepare('select count(*) from users').pluck().get(), 0)
})

test('once an account exists, setup is a 404 even with a token that looks fresh', async (t) => {
  const { app, db } = await createTestApp(t)
  const early = issueSetupToken(db) ?? ''
  await createUser(db, { name: 'Made by the CLI', email: 'cli@example.com', password: PASSWORD })
  assert.equal(issueSetupToken(db), null)
  // A token row that somehow exists next to an account is still refused.
  const planted = 'planted-token-value-that-looks-real-000000'
  db.$client
    .prepare('insert into setup_tokens (token_hash, created_at) values (?, ?)')
    .run(hashToken(planted), Date.now())
  const visitor = browser(app)
  const csrf = await visitor.csrfFrom('/admin/login')
  for (const token of [early, planted]) {
    assert.equal((await visitor.get(`/admin/setup?token=${token}`)).statusCode, 404)
    const res = await visitor.post('/admin/setup', {
      ...fields,
      email: 'intruder@example.com',
      token,
      _csrf: csrf,
    })
    assert.equal(res.statusCode, 404)
  }
  assert.deepEqual(db.$client.prepare('select email from users').pluck().all(), ['cli@example.com'])
})

test('the setup link survives a restart: a second start keeps the token instead of making a new one', async (t) => {
  const { db, dir } = createTestDb(t)
  const first = keepSetupToken(db)
  assert.equal(first.state, 'issued')
  const token = first.state === 'issued' ? first.token : ''
  const before = await buildApp({ config: testConfig(dir), db })
  await before.close()

  // The restart: a new app on the same database, and the start-up step again.
  const again = keepSetupToken(db)
  assert.equal(again.state, 'kept')
  assert.ok(!JSON.stringify(again).includes(token), 'a restart never hands out the token again')
  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  assert.equal((await browser(app).get(`/admin/setup?token=${token}`)).statusCode, 200)
  assert.equal(db.$client.prepare('select count(*) from setup_tokens').pluck().get(), 1)
})

test('a setup link stops working after 7 days, and the next start makes a new one', async (t) => {
  const { app, db } = await createTestApp(t)
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000)
  const old = issueSetupToken(db, eightDaysAgo) ?? ''
  assert.equal((await browser(app).get(`/admin/setup?token=${old}`)).statusCode, 404)
  const sixDaysAgo = new Date(Date.now() - 6 * 24 * 60 * 60 * 1000)
  const recent = issueSetupToken(db, sixDaysAgo) ?? ''
  assert.equal((await browser(app).get(`/admin/setup?token=${recent}`)).statusCode, 200)
  const kept = keepSetupToken(db)
  assert.equal(kept.state, 'kept')
  assert.equal(
    kept.state === 'kept' && kept.expiresAt.getTime(),
    sixDaysAgo.getTime() + 7 * 24 * 60 * 60 * 1000,
  )

  db.$client.prepare('update setup_tokens set created_at = ?').run(eightDaysAgo.getTime())
  assert.equal((await browser(app).get(`/admin/setup?token=${recent}`)).statusCode, 404)
  const renewed = keepSetupToken(db)
  assert.equal(renewed.state, 'issued')
  const token = renewed.state === 'issued' ? renewed.token : ''
  assert.equal((await browser(app).get(`/admin/setup?token=${token}`)).statusCode, 200)
})

test('a setup form with mistakes comes back with 422, the name and email kept, messages beside the fields', async (t) => {
  const { app, db } = await createTestApp(t)
  const token = issueSetupToken(db) ?? ''
  const visitor = browser(app)
  const formUrl = `/admin/setup?token=${token}`
  const secret = 'elevenchars'
  assert.equal(secret.length, 11)

  const res = await visitor.post(
    '/admin/setup',
    { token, name: '   ', email: 'not-an-email', password: secret },
    { formUrl },
  )
  assert.equal(res.statusCode, 422)
  assert.match(String(res.headers['content-type']), /^text\/html/)
  assert.match(fieldErrorIn(res.body, 'name') ?? '', /Enter your name/)
  assert.match(fieldErrorIn(res.body, 'email') ?? '', /email address/)
  assert.match(fieldErrorIn(res.body, 'password') ?? '', /at least 12 characters/)
  assert.match(res.body, /id="name"[^>]*aria-invalid="true" aria-describedby="name-error"/)
  assert.match(res.body, /id="email"[^>]*value="not-an-email" aria-invalid="true"/)
  assert.ok(!res.body.includes(secret), 'the password is never sent back')

  const kept = await visitor.post(
    '/admin/setup',
    { token, name: 'Sam <b>Rivera</b>', email: 'sam@example.com', password: secret },
    { formUrl },
  )
  assert.equal(kept.statusCode, 422)
  assert.match(kept.body, /value="Sam &lt;b&gt;Rivera&lt;\/b&gt;"/)
  assert.match(kept.body, /value="sam@example.com"/)
  assert.equal(fieldErrorIn(kept.body, 'name'), undefined)
  assert.ok(!kept.body.includes(secret))

  // Mistakes do not use the token up.
  assert.equal(db.$client.prepare('select count(*) from users').pluck().get(), 0)
  const done = await visitor.post('/admin/setup', { token, ...fields }, { formUrl })
  assert.equal(done.statusCode, 303)
})

test('the database keeps only a hash of the setup token', async (t) => {
  const { db } = await createTestApp(t)
  const token = issueSetupToken(db) ?? ''
  const rows = db.$client.prepare('select * from setup_tokens').all()
  assert.equal(rows.length, 1)
  assert.ok(!JSON.stringify(rows).includes(token))
  assert.deepEqual(db.$client.prepare('select token_hash from setup_tokens').pluck().all(), [
    hashToken(token),
  ])
})

test('the sign-in page points to setup while no account exists', async (t) => {
  const { app } = await createTestApp(t)
  const res = await browser(app).get('/admin/login')
  assert.equal(res.statusCode, 200)
  assert.match(res.body, /No account exists yet/)
})

/** Starts the real server on a free port and collects its log lines until it says the blog is empty (the last start-up line). */
async function startUpLog(t: import('node:test').TestContext, dir: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: join(import.meta.dirname, '..', '..', '..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      PORT: '0',
      DATABASE_PATH: join(dir, 'folio.db'),
      MEDIA_DIR: join(dir, 'media'),
      SITE_URL: 'https://blog.example.com',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    },
  })
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const lines: string[] = []
  await new Promise<void>((resolve, reject) => {
    let buffered = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk
      const parts = buffered.split('\n')
      buffered = parts.pop() ?? ''
      for (const line of parts) {
        lines.push(line)
        if (line.includes('The blog is empty')) resolve()
      }
    })
    child.on('error', reject)
    child.on('close', (code) =>
      reject(new Error(`the server stopped (${code}) before it was ready: ${lines.join('\n')}`)),
    )
  })
  child.removeAllListeners('close')
  const closed = new Promise((resolve) => child.on('close', resolve))
  child.kill('SIGTERM')
  await closed
  return lines
}

test('on first start the server logs a setup link that works, and stops once an account exists', async (t) => {
  const { db, dir } = createTestDb(t)
  const first = await startUpLog(t, dir)
  const line = first.find((l) => l.includes('/admin/setup?token='))
  assert.ok(line, first.join('\n'))
  const url = new URL(/https:\/\/\S+?(?=["\s\\]|$)/.exec(JSON.parse(line).msg)?.[0] ?? '')
  assert.equal(url.origin, 'https://blog.example.com')
  assert.equal(url.pathname, '/admin/setup')
  const token = url.searchParams.get('token') ?? ''
  assert.match(token, /^[A-Za-z0-9_-]{43}$/)
  assert.deepEqual(db.$client.prepare('select token_hash from setup_tokens').pluck().all(), [
    hashToken(token),
  ])

  // The logged link opens the setup form of an app on the same database.
  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  assert.equal((await browser(app).get(`${url.pathname}${url.search}`)).statusCode, 200)

  await createUser(db, { name: 'Sam', email: 'sam@example.com', password: PASSWORD })
  const second = await startUpLog(t, dir)
  assert.ok(!second.some((l) => l.includes('/admin/setup')), second.join('\n'))
  assert.equal((await browser(app).get(`${url.pathname}${url.search}`)).statusCode, 404)
})

test('a restart before the account exists logs no token, says how to print a new link, and the first link still works', async (t) => {
  const { db, dir } = createTestDb(t)
  const first = await startUpLog(t, dir)
  const line = first.find((l) => l.includes('/admin/setup?token='))
  assert.ok(line, first.join('\n'))
  const url = new URL(/https:\/\/\S+?(?=["\s\\]|$)/.exec(JSON.parse(line).msg)?.[0] ?? '')
  const token = url.searchParams.get('token') ?? ''
  assert.match(JSON.parse(line).msg, /works once, for 7 days/)

  const second = await startUpLog(t, dir)
  assert.ok(!second.some((l) => l.includes(token) || l.includes('token=')), second.join('\n'))
  const notice = second.find((l) => l.includes('No account yet'))
  assert.ok(notice, second.join('\n'))
  assert.match(JSON.parse(notice).msg, /still works \(until \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC\)/)
  assert.match(JSON.parse(notice).msg, /npm run cli -- setup-link/)

  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  assert.equal((await browser(app).get(`${url.pathname}${url.search}`)).statusCode, 200)
})
