// Checks Folio behind a real Caddy (reverse_proxy + encode, as deploy/Caddyfile): client IPs, redirects, cookies, compression.
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type TestContext, test } from 'node:test'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { buildApp } from '../../src/app.ts'
import { savePost } from '../../src/features/content/posts.ts'
import { cookiesFrom, csrfIn, encodeForm } from '../helpers/admin.ts'
import { createTestDb, testConfig } from '../helpers/app.ts'
import { storedMessages, tsIn } from '../helpers/contact.ts'
import { createPost } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/processes.ts'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../..')
const SITE_URL = 'https://blog.example.com'
/** A loopback address other than Caddy's own, so "the address Caddy saw" differs from "the address Folio's socket saw". */
const VISITOR_ADDRESS = '127.0.0.3'

/** `caddy version`, or why there is no usable caddy here. */
async function probeCaddy(): Promise<{ version: string } | { problem: string }> {
  try {
    const { stdout } = await run('caddy', ['version'], { timeout: 10_000 })
    return { version: stdout.trim() }
  } catch (err) {
    return { problem: `no usable caddy on PATH (${(err as Error).message.split('\n')[0]})` }
  }
}

/** True when the test may go on; skips loudly without caddy, and fails instead under CI=true. */
async function needCaddy(t: TestContext): Promise<boolean> {
  const probe = await probeCaddy()
  if ('problem' in probe) {
    if (process.env.CI === 'true')
      assert.fail(`caddy is required in CI (.ci/run installs it): ${probe.problem}`)
    console.warn(`SKIPPED: the Caddy tests need caddy: ${probe.problem} (apt-get install caddy)`)
    t.skip(`caddy unavailable: ${probe.problem}`)
    return false
  }
  return true
}

/** Whether this machine lets a client bind 127.0.0.3 (Linux routes all of 127/8 to loopback; macOS does not). */
function canBind(address: string): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(false))
    server.listen(0, address, () => server.close(() => done(true)))
  })
}

interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** One HTTP/1.1 request with node:http: no redirects followed, no decompression, nothing added behind our back. */
function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { connection: 'close', ...options.headers },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        )
        res.on('error', fail)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 10 s`)))
    req.on('error', fail)
    req.end(options.body)
  })
}

/** The attributes of a Set-Cookie line, lower-cased and sorted, without the value. */
const cookieAttributes = (line: string): string[] =>
  line
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase())
    .filter((a) => !a.startsWith('expires=') && !a.startsWith('max-age='))
    .sort()

const setCookieLine = (headers: IncomingHttpHeaders, name: string): string | undefined =>
  (headers['set-cookie'] ?? []).find((line) => line.startsWith(`${name}=`))

interface Stack {
  readonly caddyPort: number
  readonly appPort: number
  readonly db: ReturnType<typeof createTestDb>['db']
}

/** Folio on 127.0.0.1:random with TRUST_PROXY=true, and `caddy run` in front of it on another random port. */
async function startStack(t: TestContext): Promise<Stack> {
  const { db, dir } = createTestDb(t)
  const config = testConfig(dir, { TRUST_PROXY: 'true', SITE_URL, NODE_ENV: 'production' })
  const app = await buildApp({ config, db })
  t.after(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const appPort = (app.server.address() as { port: number }).port

  const caddyDir = mkdtempSync(join(tmpdir(), 'folio-caddy-'))
  t.after(() => rmSync(caddyDir, { recursive: true, force: true }))
  for (const sub of ['home', 'config', 'data', 'storage']) mkdirSync(join(caddyDir, sub))
  const caddyPort = await freePort()
  const caddyfile = join(caddyDir, 'Caddyfile')
  writeFileSync(
    caddyfile,
    [
      '{',
      '\tadmin off',
      '\tauto_https off',
      `\tstorage file_system ${join(caddyDir, 'storage')}`,
      '}',
      '',
      `http://127.0.0.1:${caddyPort} {`,
      '\tbind 127.0.0.1',
      '\tencode zstd gzip',
      `\treverse_proxy 127.0.0.1:${appPort}`,
      '}',
      '',
    ].join('\n'),
  )
  const caddy: ChildProcess = spawn('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
    cwd: caddyDir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(caddyDir, 'home'),
      XDG_CONFIG_HOME: join(caddyDir, 'config'),
      XDG_DATA_HOME: join(caddyDir, 'data'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  caddy.stdout?.setEncoding('utf8').on('data', (c: string) => {
    output += c
  })
  caddy.stderr?.setEncoding('utf8').on('data', (c: string) => {
    output += c
  })
  const exited = new Promise<void>((done) => caddy.once('exit', () => done()))
  t.after(async () => {
    if (caddy.exitCode === null && caddy.signalCode === null) {
      caddy.kill('SIGTERM')
      const timer = setTimeout(() => caddy.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
  })

  // Ready once a request goes all the way through to Folio's /healthz.
  const deadline = Date.now() + 15_000
  for (;;) {
    if (caddy.exitCode !== null) assert.fail(`caddy exited with ${caddy.exitCode}:\n${output}`)
    const res = await send(caddyPort, '/healthz').catch(() => undefined)
    if (res?.status === 200) break
    if (Date.now() > deadline) assert.fail(`caddy did not proxy /healthz within 15 s:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { caddyPort, appPort, db }
}

test('Folio behind Caddy: client IPs, redirects, cookies and compression arrive as a visitor should see them', async (t) => {
  if (!(await needCaddy(t))) return
  const { caddyPort, appPort, db } = await startStack(t)
  const visitor = (await canBind(VISITOR_ADDRESS)) ? VISITOR_ADDRESS : '127.0.0.1'
  if (visitor === '127.0.0.1')
    console.warn(`note: cannot bind ${VISITOR_ADDRESS}; the visitor uses 127.0.0.1`)

  await t.test(
    'the stored contact message has the address Caddy saw, never a forged X-Forwarded-For',
    async () => {
      const form = await send(caddyPort, '/contact', {
        localAddress: visitor,
        headers: { accept: 'text/html' },
      })
      assert.equal(form.status, 200)
      const html = form.body.toString('utf8')
      const jar = cookiesFrom(form.headers['set-cookie'])
      assert.ok(jar.folio_csrf, 'the form sets its CSRF cookie through Caddy')
      const res = await send(caddyPort, '/contact', {
        method: 'POST',
        localAddress: visitor,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: SITE_URL,
          cookie: `folio_csrf=${jar.folio_csrf}`,
          'user-agent': 'Mozilla/5.0 (caddy test)',
          // What a client can write itself: Caddy must not pass it off as the client's address.
          'x-forwarded-for': '203.0.113.9',
        },
        body: encodeForm({
          _csrf: csrfIn(html),
          ts: tsIn(html),
          name: 'Grace Hopper',
          email: 'grace@example.com',
          subject: 'Through the proxy',
          message: 'Hello from behind Caddy. Could we talk about a code review next week?',
        }),
      })
      assert.equal(res.status, 303, res.body.toString('utf8').slice(0, 500))
      assert.equal(res.headers.location, '/contact/thanks')
      const stored = storedMessages(db).find((m) => m.subject === 'Through the proxy')
      assert.ok(stored, 'the message was stored')
      assert.notEqual(stored.ip, '203.0.113.9', 'the client-written X-Forwarded-For entry is ignored')
      assert.equal(stored.ip, visitor, 'the address Caddy saw the visitor connect from')
    },
  )

  await t.test('redirects keep their Location through Caddy', async () => {
    const admin = await send(caddyPort, '/admin', { headers: { accept: 'text/html' } })
    assert.equal(admin.status, 303)
    assert.equal(admin.headers.location, '/admin/login?next=%2Fadmin')

    const post = createPost(db, { title: 'Caddy old title' })
    savePost(
      db,
      {
        title: 'Caddy new title',
        slug: 'caddy-new-title',
        kind: 'article',
        bodyMd: 'Body.',
        status: 'published',
        publishedAt: new Date(Date.now() - 1000),
      },
      { id: post.id },
    )
    const renamed = await send(caddyPort, `/posts/${post.slug}`)
    assert.equal(renamed.status, 301)
    assert.equal(renamed.headers.location, '/posts/caddy-new-title')
    assert.equal((await send(caddyPort, '/posts/caddy-new-title')).status, 200)
  })

  await t.test('the CSRF cookie keeps every attribute Folio gave it', async () => {
    const direct = setCookieLine((await send(appPort, '/contact')).headers, 'folio_csrf')
    const proxied = setCookieLine((await send(caddyPort, '/contact')).headers, 'folio_csrf')
    assert.ok(direct && proxied, 'both answers set folio_csrf')
    assert.deepEqual(cookieAttributes(proxied), cookieAttributes(direct))
    for (const attribute of ['httponly', 'samesite=lax', 'secure', 'path=/']) {
      assert.ok(cookieAttributes(proxied).includes(attribute), `${attribute} in ${proxied}`)
    }
  })

  await t.test('pages arrive compressed when the visitor accepts gzip, and whole', async () => {
    createPost(db, {
      title: 'Something long enough to compress',
      bodyMd: 'A paragraph of words. '.repeat(200),
    })
    const plain = await send(caddyPort, '/', { headers: { accept: 'text/html' } })
    const gzipped = await send(caddyPort, '/', {
      headers: { accept: 'text/html', 'accept-encoding': 'gzip' },
    })
    assert.equal(plain.status, 200)
    assert.equal(plain.headers['content-encoding'], undefined, 'no encoding the visitor did not ask for')
    assert.equal(gzipped.status, 200)
    assert.equal(gzipped.headers['content-encoding'], 'gzip')
    assert.match(String(gzipped.headers.vary), /accept-encoding/i)
    assert.ok(gzipped.body.length < plain.body.length, 'smaller on the wire')
    assert.equal(gunzipSync(gzipped.body).toString('utf8'), plain.body.toString('utf8'))
  })
})

test("deploy/Caddyfile is a configuration this caddy accepts, proxying to Folio's port with compression", async (t) => {
  if (!(await needCaddy(t))) return
  const home = mkdtempSync(join(tmpdir(), 'folio-caddy-adapt-'))
  t.after(() => rmSync(home, { recursive: true, force: true }))
  const { stdout } = await run(
    'caddy',
    ['adapt', '--config', join(ROOT, 'deploy/Caddyfile'), '--adapter', 'caddyfile'],
    { timeout: 10_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } },
  )
  const json = JSON.stringify(JSON.parse(stdout))
  assert.match(json, /"handler":"reverse_proxy"/)
  assert.match(json, /"dial":"127\.0\.0\.1:3000"/, 'the port Folio listens on by default')
  assert.match(json, /"handler":"encode"/)
  assert.match(
    readFileSync(join(ROOT, 'deploy/Caddyfile'), 'utf8'),
    /TRUST_PROXY/,
    'it says Folio needs TRUST_PROXY',
  )
})
