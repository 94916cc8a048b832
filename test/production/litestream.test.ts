// Checks continuous backup: deploy/docker-entrypoint.sh running the server under the real Litestream binary, and restoring a lost volume.
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type TestContext, test } from 'node:test'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { cookiesFrom, csrfIn, encodeForm, TEST_PASSWORD } from '../helpers/admin.ts'
import { freePort } from '../helpers/processes.ts'

const run = promisify(execFile)

const ROOT = resolve(import.meta.dirname, '../..')
const ENTRYPOINT = join(ROOT, 'deploy/docker-entrypoint.sh')
/** The ELF from @flydotio/litestream's platform package (node_modules/.bin/litestream is a Node wrapper). */
const LITESTREAM = join(
  ROOT,
  `node_modules/@flydotio/litestream-${process.platform}-${process.arch}/litestream`,
)
/** What the image runs, from source here: `node dist/server.js` needs a build. */
const SERVER = [process.execPath, '--import', 'tsx', 'src/server.ts']
const AUTHOR = { name: 'Sam Rivera', email: 'sam@example.com', password: TEST_PASSWORD }

let litestreamProbe: { version: string } | { problem: string } | undefined

/** Runs `litestream version` once; the version (v0.3.x), or why the binary cannot be used here. */
async function probeLitestream(): Promise<{ version: string } | { problem: string }> {
  if (litestreamProbe) return litestreamProbe
  if (!existsSync(LITESTREAM)) {
    litestreamProbe = {
      problem: `no Litestream binary at ${LITESTREAM} (npm install installs @flydotio/litestream)`,
    }
  } else {
    try {
      const { stdout } = await run(LITESTREAM, ['version'], { timeout: 10_000 })
      litestreamProbe = { version: stdout.trim() }
    } catch (err) {
      litestreamProbe = { problem: `${LITESTREAM} does not run: ${(err as Error).message}` }
    }
  }
  return litestreamProbe
}

/** True when the test may go on; skips loudly without the binary, and fails instead under CI=true. */
async function needLitestream(t: TestContext): Promise<boolean> {
  const probe = await probeLitestream()
  if ('problem' in probe) {
    if (process.env.CI === 'true') assert.fail(`Litestream is required in CI: ${probe.problem}`)
    console.warn(`SKIPPED: ${probe.problem}`)
    t.skip(`Litestream unavailable: ${probe.problem}`)
    return false
  }
  assert.match(
    probe.version,
    /^v0\.3\.\d+/,
    'the Litestream 0.3 line that deploy/litestream.yml is written for',
  )
  return true
}

async function within<T>(ms: number, what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await attempt()
      if (value !== undefined) return value
    } catch (err) {
      lastError = err
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`)
}

interface Site {
  readonly dir: string
  readonly dataDir: string
  readonly dbPath: string
  readonly replicaDir: string
  readonly env: Record<string, string>
}

/** A data folder and a replica folder in a fresh temp dir, removed after the test. */
function site(t: TestContext, port: number, replicate = true): Site {
  const dir = mkdtempSync(join(tmpdir(), 'folio-litestream-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const dataDir = join(dir, 'data')
  const replicaDir = join(dir, 'replica')
  const dbPath = join(dataDir, 'folio.db')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    SITE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'info',
    DATABASE_PATH: dbPath,
    MEDIA_DIR: join(dataDir, 'media'),
  }
  if (replicate) env.LITESTREAM_REPLICA_URL = `file://${replicaDir}`
  return { dir, dataDir, dbPath, replicaDir, env }
}

interface Running {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts `deploy/docker-entrypoint.sh <command>` in its own process group; killed after the test. */
function entrypoint(t: TestContext, env: Record<string, string>, command = SERVER, cwd = ROOT): Running {
  const child = spawn('sh', [ENTRYPOINT, ...command], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }))
  })
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }
  })
  return { child, output: () => output, exited }
}

async function untilExit(running: Running, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`still running after ${ms} ms:\n${running.output()}`)), ms)
  })
  try {
    return await Promise.race([running.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Waits until /healthz answers 200; fails early, with the output, if the process exits first. */
async function healthy(running: Running, port: number, ms = 30_000): Promise<void> {
  let gone = false
  void running.exited.then(() => {
    gone = true
  })
  await within(ms, `/healthz on port ${port}\n${running.output()}`, async () => {
    if (gone) throw new Error(`the entrypoint exited:\n${running.output()}`)
    const res = await fetch(`http://127.0.0.1:${port}/healthz`)
    return res.status === 200 ? true : undefined
  }).catch((err: Error) => {
    throw gone ? new Error(`the entrypoint exited before /healthz answered:\n${running.output()}`) : err
  })
}

/** The command line of a process, from /proc (Linux). */
const commandLine = (pid: number): string[] =>
  readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)

/** The direct children of a process, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const pids: number[] = []
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
    if (list) pids.push(...list.split(/\s+/).map(Number))
  }
  return pids
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A browser's cookie jar and form posts, against the real server. */
function visitor(port: number) {
  const jar: Record<string, string> = {}
  const cookie = () =>
    Object.entries(jar)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ')
  const keep = (res: Response) => {
    Object.assign(jar, cookiesFrom(res.headers.getSetCookie()))
    return res
  }
  const base = `http://127.0.0.1:${port}`
  return {
    async get(path: string) {
      const res = keep(await fetch(base + path, { headers: { cookie: cookie() }, redirect: 'manual' }))
      return { status: res.status, body: await res.text() }
    },
    async post(path: string, fields: Record<string, string>) {
      const res = keep(
        await fetch(base + path, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded', origin: base },
          body: encodeForm(fields),
        }),
      )
      return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() }
    },
  }
}

/** Creates the first account through /admin/setup with the one-time URL from the server's log. */
async function setUpAccount(running: Running, port: number): Promise<void> {
  const url = await within(30_000, 'the setup URL in the log', async () => {
    return /Create yours at (\S+?)["\s]/.exec(running.output())?.[1]
  })
  const { pathname, search } = new URL(url)
  const token = new URLSearchParams(search).get('token') ?? ''
  const browser = visitor(port)
  const form = await browser.get(pathname + search)
  assert.equal(form.status, 200, form.body)
  const done = await browser.post('/admin/setup', { _csrf: csrfIn(form.body), token, ...AUTHOR })
  assert.equal(done.status, 303, `setup is acknowledged: ${done.body}`)
}

/** Signs in through /admin/login: proves the account (and its argon2 hash) came back. */
async function signIn(port: number): Promise<void> {
  const browser = visitor(port)
  const form = await browser.get('/admin/login')
  assert.equal(form.status, 200, form.body)
  const res = await browser.post('/admin/login', {
    _csrf: csrfIn(form.body),
    email: AUTHOR.email,
    password: AUTHOR.password,
  })
  assert.equal(res.status, 303, res.body)
  assert.match(res.location, /^\/admin(?:[?/]|$)/)
  assert.doesNotMatch(res.location, /login/)
}

async function seed(env: Record<string, string>, posts: number): Promise<void> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'seed', '--posts', String(posts)],
    {
      cwd: ROOT,
      env: { ...env, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    },
  )
  assert.match(stdout, new RegExp(`Seeded ${posts} posts`))
}

interface Contents {
  readonly posts: number
  /** The oldest published post, if any. */
  readonly post: { slug: string; title: string } | null
  readonly users: string[]
  readonly integrity: string
}

/** What a database file holds: the facts the restore must bring back. */
function contentsOf(path: string): Contents {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const posts = db.prepare('select count(*) from posts').pluck().get() as number
    // The oldest published post: public, and written in the first moments of the seed.
    const post = db
      .prepare(
        "select slug, title from posts where status = 'published' and published_at <= ? order by published_at, id limit 1",
      )
      .get(Date.now()) as { slug: string; title: string } | undefined
    const users = db.prepare('select email from users order by email').pluck().all() as string[]
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('\n')
    return { posts, post: post ?? null, users, integrity }
  } finally {
    db.close()
  }
}

/** Restores the replica's latest state into a scratch file, as an operator's check would. */
async function restoreCopy(replicaDir: string, out: string): Promise<void> {
  rmSync(out, { force: true })
  rmSync(`${out}-wal`, { force: true })
  rmSync(`${out}-shm`, { force: true })
  await run(LITESTREAM, ['restore', '-o', out, `file://${replicaDir}`], { timeout: 30_000 })
}

/** True once Litestream has written a generation's first snapshot into a file:// replica. */
function hasSnapshot(replicaDir: string): boolean {
  const generations = join(replicaDir, 'generations')
  if (!existsSync(generations)) return false
  return readdirSync(generations).some((g) => {
    const snapshots = join(generations, g, 'snapshots')
    return existsSync(snapshots) && readdirSync(snapshots).length > 0
  })
}

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')

async function servesPost(port: number, post: { slug: string; title: string }): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/posts/${post.slug}`)
  assert.equal(res.status, 200)
  const html = await res.text()
  assert.ok(
    html.includes(post.title) || html.includes(escapeHtml(post.title)),
    `the page shows "${post.title}"`,
  )
}

test('acknowledged writes reach the replica within seconds and come back on an empty volume', async (t) => {
  if (!(await needLitestream(t))) return
  const port = await freePort()
  const s = site(t, port)
  const started = Date.now()
  const first = entrypoint(t, s.env)
  await healthy(first, port)
  const pid = first.child.pid ?? 0

  // The entrypoint execs Litestream (no shell left over), and Litestream runs the server as its child.
  let serverPid = 0
  if (existsSync('/proc')) {
    assert.equal(realpathSync(commandLine(pid)[0] ?? ''), realpathSync(LITESTREAM))
    assert.deepEqual(commandLine(pid).slice(1, 4), [
      'replicate',
      '-config',
      join(ROOT, 'deploy/litestream.yml'),
    ])
    serverPid = await within(5_000, 'the server under Litestream', async () =>
      childrenOf(pid).find((c) => commandLine(c).includes('src/server.ts')),
    )
  }

  // Writes the server acknowledged (an account over HTTP) and the CLI's (30 seeded posts).
  await setUpAccount(first, port)
  await seed(s.env, 30)
  const written = contentsOf(s.dbPath)
  const post = written.post
  assert.ok(post, 'the seed published posts')
  await servesPost(port, post)
  assert.equal(written.posts, 30)
  assert.deepEqual(written.users, [AUTHOR.email])
  const wroteAt = Date.now()

  // Poll the replica (a restore into a scratch file) until it holds everything.
  const scratch = join(s.dir, 'check.db')
  const caughtUp = await within(20_000, 'the replica to hold every write', async () => {
    await restoreCopy(s.replicaDir, scratch)
    const copy = contentsOf(scratch)
    return copy.posts === written.posts && copy.users.length === 1 ? copy : undefined
  })
  t.diagnostic(`replica caught up ${Date.now() - wroteAt} ms after the last write`)
  assert.deepEqual(caughtUp, written)

  // The machine dies: no graceful shutdown, no last sync. Then the volume is lost.
  process.kill(-pid, 'SIGKILL')
  await untilExit(first, 10_000)
  if (serverPid)
    await within(10_000, 'the server to die', async () => (isAlive(serverPid) ? undefined : true))
  rmSync(s.dataDir, { recursive: true, force: true })
  assert.ok(!existsSync(s.dataDir))

  // A new machine with an empty volume: the entrypoint restores, then starts the server on that file.
  const restoredAt = Date.now()
  const second = entrypoint(t, s.env)
  await healthy(second, port)
  t.diagnostic(`restore + start took ${Date.now() - restoredAt} ms`)
  assert.match(
    second.output(),
    /restoring snapshot|restoring wal/i,
    'the entrypoint restored from the replica',
  )
  assert.doesNotMatch(second.output(), /No account yet/, 'the account came back, so no setup link')
  await servesPost(port, post)
  await signIn(port)

  // SIGTERM to the container's first process (Litestream) reaches the server, and both exit cleanly.
  const stopping = Date.now()
  second.child.kill('SIGTERM')
  const exit = await untilExit(second, 20_000)
  t.diagnostic(`graceful stop took ${Date.now() - stopping} ms`)
  assert.deepEqual(exit, { code: 0, signal: null }, second.output())
  assert.match(second.output(), /"signal":"SIGTERM".*shutting down/, 'the server got the signal')

  const restored = contentsOf(s.dbPath)
  assert.equal(restored.integrity, 'ok')
  assert.equal(restored.posts, written.posts)
  assert.deepEqual(restored.post, written.post)
  assert.deepEqual(restored.users, written.users)
  t.diagnostic(`whole drill: ${Date.now() - started} ms`)
})

test('a graceful stop ships the last write; the restore drills (folio.db moved away, stopped or running) bring it back', async (t) => {
  if (!(await needLitestream(t))) return
  const port = await freePort()
  const s = site(t, port)
  const first = entrypoint(t, s.env)
  await healthy(first, port)
  // Litestream picks up a new database file at its first sync (1 s); from then on it is steady state.
  await within(10_000, 'the first snapshot in the replica', async () =>
    hasSnapshot(s.replicaDir) ? true : undefined,
  )
  await setUpAccount(first, port)

  // SIGTERM right after the acknowledged write, well inside the 1 s sync interval.
  const stopping = Date.now()
  first.child.kill('SIGTERM')
  const exit = await untilExit(first, 20_000)
  t.diagnostic(`graceful stop took ${Date.now() - stopping} ms`)
  assert.deepEqual(exit, { code: 0, signal: null }, first.output())
  // The README's check without downtime, through the entrypoint's `litestream` pass-through, run
  // from another folder as `fly ssh console -C` would.
  const scratch = join(s.dir, 'check.db')
  const check = entrypoint(t, s.env, ['litestream', 'restore', '-o', scratch, s.dbPath], s.dir)
  assert.deepEqual(await untilExit(check, 30_000), { code: 0, signal: null }, check.output())
  assert.deepEqual(
    contentsOf(scratch).users,
    [AUTHOR.email],
    'the last write reached the replica on shutdown',
  )
  assert.equal(contentsOf(scratch).integrity, 'ok')

  // The README's drill, done carelessly: only folio.db moved aside, its WAL, -shm and Litestream's
  // folder left behind. The entrypoint must not let SQLite replay that WAL over the restored file.
  const hadWal = existsSync(`${s.dbPath}-wal`)
  t.diagnostic(hadWal ? 'a WAL was left behind' : 'no WAL was left behind')
  renameSync(s.dbPath, `${s.dbPath}.before-drill`)
  const second = entrypoint(t, s.env)
  await healthy(second, port)
  assert.doesNotMatch(second.output(), /No account yet/, 'the account came back, so no setup link')
  await signIn(port)
  if (hadWal) {
    const kept = readdirSync(s.dataDir).filter((f) => f.startsWith('folio.db-wal.orphaned-'))
    assert.equal(kept.length, 1, 'the old WAL was kept aside, not replayed and not deleted')
  }

  // The README's drill on Fly, where the volume is only reachable while the machine runs: move
  // folio.db* aside under the running server, then restart. Litestream exits 1 on that stop (the
  // database it syncs is gone); the next start restores.
  const aside = join(s.dataDir, 'before-drill')
  mkdirSync(aside)
  for (const file of readdirSync(s.dataDir).filter((f) => /^folio\.db(?:-wal|-shm)?$/.test(f))) {
    renameSync(join(s.dataDir, file), join(aside, file))
  }
  second.child.kill('SIGTERM')
  await untilExit(second, 20_000)
  const third = entrypoint(t, s.env)
  await healthy(third, port)
  assert.doesNotMatch(third.output(), /No account yet/, 'the account came back, so no setup link')
  await signIn(port)
  process.kill(-(third.child.pid ?? 0), 'SIGKILL')
  await untilExit(third, 10_000)
  assert.equal(contentsOf(s.dbPath).integrity, 'ok')
  assert.deepEqual(contentsOf(s.dbPath).users, [AUTHOR.email])
})

test('the entrypoint passes every argument to Litestream -exec intact and fails when the server fails', async (t) => {
  if (!(await needLitestream(t))) return
  const s = site(t, await freePort())
  const args = ["it's here", 'a "quoted" word', '$HOME and `date`', 'a;b|c&d', 'back\\slash', '']
  const printArgs = [
    process.execPath,
    '-e',
    'console.log(JSON.stringify(process.argv.slice(1)))',
    '--',
    ...args,
  ]
  const printed = entrypoint(t, s.env, printArgs)
  assert.deepEqual(await untilExit(printed, 20_000), { code: 0, signal: null }, printed.output())
  const line = printed
    .output()
    .split('\n')
    .find((l) => l.startsWith('['))
  assert.deepEqual(JSON.parse(line ?? 'null'), args, printed.output())

  const failing = entrypoint(t, s.env, [process.execPath, '-e', 'process.exit(3)'])
  assert.notEqual((await untilExit(failing, 20_000)).code, 0, 'a failed server fails the container')
})

test('when the replica cannot be read, the entrypoint stops instead of starting on an empty database', async (t) => {
  if (!(await needLitestream(t))) return
  const s = site(t, await freePort())
  // An S3-compatible endpoint that refuses connections, named either way: the output shows it is used.
  const stores: Record<string, string>[] = [
    {
      LITESTREAM_ENDPOINT: 'http://127.0.0.1:9',
      LITESTREAM_ACCESS_KEY_ID: 'k',
      LITESTREAM_SECRET_ACCESS_KEY: 's',
    },
    // What `fly storage create` sets for a Tigris bucket.
    {
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      AWS_REGION: 'auto',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
    },
  ]
  for (const store of stores) {
    const env = { ...s.env, LITESTREAM_REPLICA_URL: 's3://folio-backups/folio.db', ...store }
    const running = entrypoint(t, env, [process.execPath, '-e', 'console.log("SERVER STARTED")'])
    const exit = await untilExit(running, 30_000)
    assert.notEqual(exit.code, 0, running.output())
    assert.match(running.output(), /http:\/\/127\.0\.0\.1:9\/folio-backups/, running.output())
    assert.doesNotMatch(running.output(), /SERVER STARTED/)
    assert.ok(!existsSync(s.dbPath), 'no empty database was created')
  }
})

test('without LITESTREAM_REPLICA_URL the entrypoint execs the server itself, with no Litestream', async (t) => {
  const port = await freePort()
  const s = site(t, port, false)
  const running = entrypoint(t, s.env)
  await healthy(running, port)
  const pid = running.child.pid ?? 0
  if (existsSync('/proc')) {
    assert.deepEqual(commandLine(pid), SERVER, 'the entrypoint became the server (exec), so signals reach it')
    for (const child of childrenOf(pid)) assert.doesNotMatch(commandLine(child).join(' '), /litestream/)
  }
  assert.ok(!existsSync(join(s.dataDir, '.folio.db-litestream')), 'Litestream never touched the database')
  assert.ok(!existsSync(s.replicaDir))
  running.child.kill('SIGTERM')
  assert.deepEqual(await untilExit(running, 20_000), { code: 0, signal: null }, running.output())
})
