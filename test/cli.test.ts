// Checks the operator's account commands: create-user, set-password, unlock and setup-link, with the password only ever on stdin.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { buildApp } from '../src/app.ts'
import type { Db } from '../src/db/client.ts'
import { verifyPassword } from '../src/features/auth/passwords.ts'
import { createSession } from '../src/features/auth/sessions.ts'
import { recordLoginFailure } from '../src/features/auth/throttle.ts'
import { createUser, keepSetupToken } from '../src/features/auth/users.ts'
import { browser } from './helpers/admin.ts'
import { createTestDb, rowCount, testConfig } from './helpers/app.ts'
import { type CliResult, runCliAsync } from './helpers/processes.ts'

const PASSWORD = 'a password typed into the shell'

/** Runs `npm run cli -- …` as the operator would, on the database in `dir`, with `input` piped to stdin. */
const cli = (dir: string, args: string[], input = ''): Promise<CliResult> =>
  runCliAsync(
    args,
    { DATABASE_PATH: `${dir}/folio.db`, MEDIA_DIR: `${dir}/media`, SITE_URL: 'https://blog.example.com' },
    input,
  )

function assertNoSecret(result: CliResult, ...secrets: string[]) {
  for (const secret of secrets) {
    assert.ok(!result.stdout.includes(secret), 'the password is not printed')
    assert.ok(!result.stderr.includes(secret), 'the password is not printed as an error')
  }
}

const users = (db: Db) => db.$client.prepare('select email, name from users').all()

test('create-user makes an account from the password on stdin, and the author can sign in with it', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const result = await cli(
    dir,
    ['create-user', '--email', 'Sam@Example.com', '--name', 'Sam Rivera'],
    `${PASSWORD}\r\n`,
  )
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /Created the account for sam@example\.com/)
  assert.match(result.stdout, /https:\/\/blog\.example\.com\/admin\/login/)
  assertNoSecret(result, PASSWORD)
  assert.deepEqual(users(db), [{ email: 'sam@example.com', name: 'Sam Rivera' }])
  assert.match(db.$client.prepare('select password_hash from users').pluck().get() as string, /^\$argon2id\$/)

  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  const res = await browser(app).post('/admin/login', { email: 'sam@example.com', password: PASSWORD })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin')

  const again = await cli(
    dir,
    ['create-user', '--email', 'sam@example.com', '--name', 'Sam again'],
    `${PASSWORD}\n`,
  )
  assert.equal(again.status, 1)
  assert.match(again.stderr, /already exists/)
  assert.match(again.stderr, /set-password/)
  assert.equal(rowCount(db, 'users'), 1)
})

test('create-user refuses a short password, a missing or bad --email, a missing --name and a --password flag', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const cases: { args: string[]; input: string; message: RegExp; secret?: string }[] = [
    {
      args: ['create-user', '--email', 'sam@example.com', '--name', 'Sam'],
      input: 'elevenchars\n',
      message: /at least 12 characters/,
      secret: 'elevenchars',
    },
    {
      args: ['create-user', '--email', 'sam@example.com', '--name', 'Sam'],
      input: '',
      message: /at least 12/,
    },
    { args: ['create-user', '--name', 'Sam'], input: `${PASSWORD}\n`, message: /--email/ },
    {
      args: ['create-user', '--email', 'not-an-email', '--name', 'Sam'],
      input: `${PASSWORD}\n`,
      message: /--email/,
    },
    { args: ['create-user', '--email', 'sam@example.com'], input: `${PASSWORD}\n`, message: /--name/ },
    {
      args: ['create-user', '--email', 'sam@example.com', '--name', 'Sam', '--password', 'flag password 123'],
      input: `${PASSWORD}\n`,
      message: /Unknown option '--password'/,
      secret: 'flag password 123',
    },
    {
      args: ['create-user', '--email', 'sam@example.com', '--name', 'Sam', '--password=flag password 456'],
      input: `${PASSWORD}\n`,
      message: /Unknown option '--password'/,
      secret: 'flag password 456',
    },
  ]
  const results = await Promise.all(cases.map(({ args, input }) => cli(dir, args, input)))
  for (const [i, { args, message, secret }] of cases.entries()) {
    const result = results[i] as CliResult
    const label = args.join(' ')
    assert.equal(result.status, 1, label)
    assert.match(result.stderr, message, label)
    assertNoSecret(result, PASSWORD, ...(secret ? [secret] : []))
  }
  assert.equal(rowCount(db, 'users'), 0)
})

test('set-password changes the password, signs out every session and clears failed sign-ins', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const user = await createUser(db, { name: 'Sam', email: 'sam@example.com', password: 'the old password' })
  for (let i = 0; i < 3; i++) createSession(db, user.id, { userAgent: 'x', ip: `203.0.113.${i}` })
  for (let i = 0; i < 4; i++) recordLoginFailure(db, `198.51.100.${i}`, 'sam@example.com')
  recordLoginFailure(db, '198.51.100.9', 'other@example.com')

  const result = await cli(dir, ['set-password', '--email', 'SAM@example.com'], `${PASSWORD}\n`)
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /New password set for sam@example\.com/)
  assertNoSecret(result, PASSWORD)
  const hash = db.$client.prepare('select password_hash from users').pluck().get() as string
  assert.equal(await verifyPassword(hash, PASSWORD), true)
  assert.equal(await verifyPassword(hash, 'the old password'), false)
  assert.equal(rowCount(db, 'sessions'), 0)
  assert.deepEqual(db.$client.prepare('select email from login_failures').pluck().all(), [
    'other@example.com',
  ])

  const [short, unknown, missing, flag] = await Promise.all([
    cli(dir, ['set-password', '--email', 'sam@example.com'], 'short\n'),
    cli(dir, ['set-password', '--email', 'nobody@example.com'], `${PASSWORD}\n`),
    cli(dir, ['set-password'], `${PASSWORD}\n`),
    cli(dir, ['set-password', '--email', 'sam@example.com', '--password', PASSWORD]),
  ])
  assert.equal(short?.status, 1)
  assert.match(short?.stderr ?? '', /at least 12 characters/)
  assert.equal(db.$client.prepare('select password_hash from users').pluck().get(), hash)
  assert.equal(unknown?.status, 1)
  assert.match(unknown?.stderr ?? '', /no account for nobody@example\.com/)
  assert.equal(missing?.status, 1)
  assert.match(missing?.stderr ?? '', /--email is required/)
  assert.equal(flag?.status, 1)
  assert.match(flag?.stderr ?? '', /Unknown option '--password'/)
  for (const result of [short, unknown, missing, flag])
    assertNoSecret(result as CliResult, PASSWORD, 'short\n')
})

test('unlock forgets every failed sign-in, lifting IP and account throttling', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  await createUser(db, { name: 'Sam', email: 'sam@example.com', password: PASSWORD })
  for (let i = 0; i < 5; i++) recordLoginFailure(db, '198.51.100.1', `guess${i}@example.com`)
  for (let i = 0; i < 4; i++) recordLoginFailure(db, `203.0.113.${i}`, 'sam@example.com')
  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())
  const blocked = browser(app, { remoteAddress: '198.51.100.1' })
  assert.equal(
    (await blocked.post('/admin/login', { email: 'sam@example.com', password: PASSWORD })).statusCode,
    429,
  )

  const result = await cli(dir, ['unlock'])
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /Cleared 9 failed sign-ins/)
  assert.equal(rowCount(db, 'login_failures'), 0)
  assert.equal(
    (await blocked.post('/admin/login', { email: 'sam@example.com', password: PASSWORD })).statusCode,
    303,
  )
})

test('setup-link prints a working link on PORT when SITE_URL is unset, the earlier link stops working, and it refuses once an account exists', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const started = keepSetupToken(db)
  assert.equal(started.state, 'issued')
  const earlier = started.state === 'issued' ? started.token : ''
  const app = await buildApp({ config: testConfig(dir), db })
  t.after(() => app.close())

  const result = await runCliAsync(['setup-link'], {
    DATABASE_PATH: `${dir}/folio.db`,
    MEDIA_DIR: `${dir}/media`,
    PORT: '4250',
  })
  assert.equal(result.status, 0, result.stderr)
  const link = new URL(/http:\/\/\S+/.exec(result.stdout)?.[0] ?? '')
  assert.equal(link.origin, 'http://localhost:4250')
  assert.match(result.stdout, /works once, for 7 days/)
  assert.match(result.stdout, /printed before no longer works/)
  const token = link.searchParams.get('token') ?? ''
  assert.match(token, /^[A-Za-z0-9_-]{43}$/)
  assert.notEqual(token, earlier)
  assert.equal((await browser(app).get(`${link.pathname}${link.search}`)).statusCode, 200)
  assert.equal((await browser(app).get(`/admin/setup?token=${earlier}`)).statusCode, 404)

  await createUser(db, { name: 'Sam', email: 'sam@example.com', password: PASSWORD })
  const refused = await cli(dir, ['setup-link'])
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /An account already exists/)
  assert.match(refused.stderr, /set-password/)
  assert.doesNotMatch(refused.stdout, /admin\/setup/)
  assert.equal((await browser(app).get(`${link.pathname}${link.search}`)).statusCode, 404)
})
