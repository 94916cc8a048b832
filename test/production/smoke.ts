// Owns the production smoke test: the Dockerfile's stages replayed without Docker, then the built server run as an unprivileged user.
//
//   node --import tsx test/production/smoke.ts      (run by .ci/run after `npm test`; about two minutes)
//
// The build stage's COPY and RUN lines are executed in a temp dir (apt-get lines skipped: the host has
// the toolchain); the run stage's COPY lines assemble the image's /app; then the image's ENTRYPOINT + CMD
// are started as an unprivileged user with the image's ENV, on loopback and a random port, and checked.
// Prints one PASS/FAIL line per check and exits non-zero when any fails. KEEP_SMOKE_DIR=1 keeps the temp dir.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { request as httpRequest } from 'node:http'
import module from 'node:module'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join, posix, relative, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { freePort } from '../helpers/processes.ts'
import {
  type DockerIgnore,
  execForm,
  healthcheckCommand,
  inImage,
  lastOf,
  parseCopy,
  parseDockerfile,
  parseEnv,
  readDockerIgnore,
  type Stage,
} from './dockerfile.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const USER = 'folio-smoke'
const started = Date.now()
const results: { ok: boolean; name: string }[] = []
const children = new Set<ChildProcess>()

class Abort extends Error {}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function pass(name: string, detail = '') {
  results.push({ ok: true, name })
  console.log(`PASS  ${name}${detail ? ` (${detail})` : ''}`)
}

function fail(name: string, err: unknown) {
  results.push({ ok: false, name })
  const message = err instanceof Error ? err.message : String(err)
  console.log(`FAIL  ${name}\n      ${message.split('\n').join('\n      ')}`)
}

/** Runs one check; a failed `essential` check stops the run, since everything after it depends on it. */
async function check(name: string, fn: () => unknown, essential = false): Promise<boolean> {
  const t0 = Date.now()
  try {
    const detail = await fn()
    pass(
      name,
      [typeof detail === 'string' ? detail : '', seconds(Date.now() - t0)].filter(Boolean).join(', '),
    )
    return true
  } catch (err) {
    fail(name, err)
    if (essential) throw new Abort(name)
    return false
  }
}

// ---- Replaying the Dockerfile ---------------------------------------------------------------------------

interface Image {
  /** The stage's filesystem root on this machine. */
  readonly fsRoot: string
  /** The WORKDIR on this machine. */
  readonly root: string
  readonly workdir: string
  readonly env: Record<string, string>
  readonly user: string | undefined
  readonly entrypoint: string[]
  readonly cmd: string[]
  readonly healthcheck: string[] | undefined
}

/** Where the image path `p` of a stage lives on this machine. */
const onDisk = (stageRoot: string, p: string) => join(stageRoot, p)

/** Copies `from` to `to` like Docker's COPY: a directory's contents, file modes kept, ignored context files left out. */
function copyInto(from: string, to: string, ignore?: { rules: DockerIgnore; base: string }) {
  if (ignore?.rules.excludes(relative(ignore.base, from).split('\\').join('/'))) return
  const stat = lstatSync(from)
  if (stat.isSymbolicLink()) {
    mkdirSync(dirname(to), { recursive: true })
    rmSync(to, { force: true })
    symlinkSync(readlinkSync(from), to)
  } else if (stat.isDirectory()) {
    mkdirSync(to, { recursive: true })
    for (const entry of readdirSync(from)) copyInto(join(from, entry), join(to, entry), ignore)
  } else {
    mkdirSync(dirname(to), { recursive: true })
    copyFileSync(from, to)
    chmodSync(to, stat.mode & 0o7777)
  }
}

function runCopy(
  stage: Stage,
  index: number,
  stages: Stage[],
  roots: string[],
  workdir: string,
  args: string,
) {
  const copy = parseCopy({ keyword: 'COPY', args, line: 0 })
  const root = roots[index] as string
  const dest = inImage(workdir, copy.dest)
  const destIsDir = copy.dest.endsWith('/') || copy.sources.length > 1
  for (const source of copy.sources) {
    let from: string
    let ignore: { rules: DockerIgnore; base: string } | undefined
    if (copy.from) {
      const n = stages.findIndex((s, i) => i < index && (s.name === copy.from || String(i) === copy.from))
      if (n < 0)
        throw new Error(`COPY --from=${copy.from} in stage ${stage.name ?? index}: no such earlier stage`)
      from = onDisk(roots[n] as string, inImage('/', source))
    } else {
      from = join(ROOT, source)
      ignore = { rules: readDockerIgnore(ROOT), base: ROOT }
    }
    if (!existsSync(from)) throw new Error(`COPY source ${source} does not exist (${from})`)
    const isDir = statSync(from).isDirectory()
    const target = isDir || !destIsDir ? onDisk(root, dest) : onDisk(root, posix.join(dest, basename(source)))
    copyInto(from, target, ignore)
  }
}

/** The environment a build step sees: this machine's, without anything that would change what npm does. */
function buildEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_ENV' || k === 'NODE_OPTIONS' || k.startsWith('npm_')) continue
    env[k] = v
  }
  return { ...env, ...extra }
}

/**
 * The run stage's root RUN (user, /data) is emulated, not run: the folders it hands to the image's user
 * (`chown user:group path…`, outside /data, which is emulated per run) are made and given to the account.
 */
function emulateRootRun(command: string, root: string, user: string | undefined, account: Account) {
  for (const [, owner, paths] of command.matchAll(/\bchown\s+([^\s:]+)(?::\S+)?\s+([^&;|]+)/g)) {
    if (owner !== user) continue
    for (const path of (paths ?? '').trim().split(/\s+/)) {
      if (path === '/data' || path.startsWith('/data/')) continue
      const dir = onDisk(root, path)
      mkdirSync(dir, { recursive: true })
      if (account.prefix.length) chownSync(dir, account.uid, account.gid)
    }
  }
}

/**
 * Executes every build stage (COPY, RUN, ENV, WORKDIR) and assembles the final stage's files; returns the
 * image. In the run stage, RUN lines after USER run as the account; those before it (root's) are emulated.
 */
async function replayDockerfile(workRoot: string, account: Account): Promise<Image> {
  const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
  assert.ok(stages.length >= 1, 'the Dockerfile has no FROM')
  const roots = stages.map((_, i) => join(workRoot, `stage-${i}`))
  let image: Image | undefined
  for (const [index, stage] of stages.entries()) {
    const root = roots[index] as string
    mkdirSync(root, { recursive: true })
    const final = index === stages.length - 1
    const label = `${stage.name ?? `#${index}`} stage`
    let workdir = '/'
    let env: Record<string, string> = {}
    let user: string | undefined
    for (const instruction of stage.instructions) {
      const where = `${label}, line ${instruction.line}`
      switch (instruction.keyword) {
        case 'WORKDIR':
          workdir = inImage(workdir, instruction.args)
          mkdirSync(onDisk(root, workdir), { recursive: true })
          break
        case 'ENV':
          env = { ...env, ...parseEnv(instruction.args) }
          break
        case 'USER':
          user = instruction.args.trim()
          break
        case 'COPY':
          await check(`Dockerfile ${where}: COPY ${instruction.args}`, () =>
            runCopy(stage, index, stages, roots, workdir, instruction.args),
          )
          break
        case 'RUN': {
          const command = execForm(instruction.args)?.join(' ') ?? instruction.args
          const asUser = final && user !== undefined && user !== 'root' && user !== '0'
          if (final && !asUser) emulateRootRun(command, root, lastOf(stage, 'USER')?.args, account)
          if ((final && !asUser) || /\bapt-get\b/.test(command)) {
            console.log(
              `SKIP  Dockerfile ${where}: RUN ${command.slice(0, 90)}${command.length > 90 ? '…' : ''}\n` +
                `      (${final ? 'the run stage user and /data are emulated below' : 'system packages: this host has its own toolchain'})`,
            )
            break
          }
          await check(
            `Dockerfile ${where}: RUN ${command.replace(/\s+/g, ' ').slice(0, 100)}`,
            () => {
              const cwd = onDisk(root, workdir)
              const log = join(workRoot, `run-line-${instruction.line}.log`)
              writeFileSync(log, '')
              if (asUser && account.prefix.length) chownSync(log, account.uid, account.gid)
              const argv = [
                ...(asUser ? account.prefix : []),
                'sh',
                '-c',
                `(${command}) >${JSON.stringify(log)} 2>&1`,
              ]
              const out = spawnSync(argv[0] as string, argv.slice(1), {
                cwd,
                env: asUser ? { PATH: buildEnv({}).PATH, HOME: cwd, ...onDiskEnv(env, root) } : buildEnv(env),
                stdio: 'inherit',
                timeout: 10 * 60_000,
              })
              if (out.status !== 0) {
                const lines = readFileSync(log, 'utf8').trimEnd().split('\n')
                const shown = lines.length > 40 ? [...lines.slice(0, 20), '[…]', ...lines.slice(-15)] : lines
                throw new Error(`exit ${out.status ?? out.signal}; its output:\n${shown.join('\n')}`)
              }
            },
            true,
          )
          break
        }
        default:
          break
      }
    }
    if (final) {
      const entrypoint = lastOf(stage, 'ENTRYPOINT')
      const cmd = lastOf(stage, 'CMD')
      const health = lastOf(stage, 'HEALTHCHECK')
      image = {
        fsRoot: root,
        root: onDisk(root, workdir),
        workdir,
        env,
        user: lastOf(stage, 'USER')?.args,
        entrypoint: entrypoint ? (execForm(entrypoint.args) ?? ['/bin/sh', '-c', entrypoint.args]) : [],
        cmd: cmd ? (execForm(cmd.args) ?? ['/bin/sh', '-c', cmd.args]) : [],
        healthcheck: health ? healthcheckCommand(health.args) : undefined,
      }
    }
  }
  if (!image) throw new Error('no run stage')
  return image
}

// ---- Running the image's command -------------------------------------------------------------------------

interface Account {
  readonly uid: number
  readonly gid: number
  /** The command prefix that runs a program as this account. */
  readonly prefix: string[]
}

/** The unprivileged account the server runs as: `folio-smoke`, created when missing (root only). */
function unprivilegedAccount(): Account {
  if (process.getuid?.() !== 0) {
    if (process.env.CI === 'true')
      throw new Error('CI runs this as root, to start the server as another user')
    console.log('NOTE  not root: the server runs as the current user, not as an unprivileged one')
    return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1, prefix: [] }
  }
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' })
  if (id('-u').status !== 0) {
    const made = spawnSync(
      'useradd',
      [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        USER,
      ],
      { encoding: 'utf8' },
    )
    if (made.status !== 0) throw new Error(`useradd ${USER} failed: ${made.stderr}`)
  }
  const uid = Number(id('-u').stdout.trim())
  const gid = Number(id('-g').stdout.trim())
  assert.ok(uid > 0, `${USER} must not be root`)
  return { uid, gid, prefix: ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--'] }
}

interface Server {
  readonly port: number
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
  readonly alive: () => boolean
}

/** ENV values naming a path in the image (NODE_COMPILE_CACHE) point at the stage's copy; /data is emulated per run. */
function onDiskEnv(env: Record<string, string>, fsRoot: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) =>
      v.startsWith('/') && !/^\/data(\/|$)/.test(v) && existsSync(onDisk(fsRoot, v))
        ? [k, onDisk(fsRoot, v)]
        : [k, v],
    ),
  )
}

/** The image's environment for a run on `port` with data in `dataDir`, loopback only. */
function runtimeEnv(image: Image, port: number, dataDir: string): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: image.root,
    ...onDiskEnv(image.env, image.fsRoot),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    SITE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'info',
    DATABASE_PATH: join(dataDir, 'folio.db'),
    MEDIA_DIR: join(dataDir, 'media'),
  }
}

/** Starts the image's ENTRYPOINT + CMD in its WORKDIR, as the unprivileged account. */
async function startServer(image: Image, account: Account, dataDir: string): Promise<Server> {
  const port = await freePort()
  const argv = [...account.prefix, ...image.entrypoint, ...image.cmd]
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: image.root,
    env: runtimeEnv(image, port, dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    output += c
  })
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    output += c
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) => {
    child.once('exit', (code, signal) => {
      children.delete(child)
      done({ code, signal, at: Date.now() })
    })
  })
  const alive = () => child.exitCode === null && child.signalCode === null
  return { port, child, output: () => output, exited, alive }
}

interface Reply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, headers: { connection: 'close', ...headers }, timeout: 10_000 },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c: string) => {
          body += c
        })
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 10 s`)))
    req.on('error', fail)
    req.end()
  })
}

/** Waits for /healthz 200; throws with the server's output when it exits first or takes over `ms`. */
async function untilHealthy(server: Server, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (!server.alive()) throw new Error(`the server exited (${server.child.exitCode}):\n${server.output()}`)
    const res = await get(server.port, '/healthz').catch(() => undefined)
    if (res?.status === 200) return
    if (Date.now() > deadline) throw new Error(`no /healthz 200 within ${ms} ms:\n${server.output()}`)
    await sleep(100)
  }
}

/**
 * The first match of `pattern` in the server's output, waiting up to `ms` for it: production writes
 * its log lines in batches, up to 25 ms after the first of them (src/plugins/request-log.ts).
 */
async function untilLogged(server: Server, pattern: RegExp, ms = 2_000): Promise<RegExpExecArray | null> {
  const deadline = Date.now() + ms
  for (;;) {
    const found = pattern.exec(server.output())
    if (found || Date.now() > deadline) return found
    await sleep(25)
  }
}

async function untilExit(server: Server, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${ms} ms later:\n${server.output()}`)), ms)
  })
  try {
    return await Promise.race([server.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs a program as the account with the server's environment; its exit code and output. */
function runAs(account: Account, image: Image, env: Record<string, string>, argv: string[]) {
  const all = [...account.prefix, ...argv]
  const out = spawnSync(all[0] as string, all.slice(1), {
    cwd: image.root,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  })
  return { status: out.status, output: `${out.stdout ?? ''}${out.stderr ?? ''}` }
}

/** A fresh data folder owned by the account, as the image's /data volume is owned by its user. */
function dataFolder(workRoot: string, name: string, account: Account): string {
  const dir = join(workRoot, name)
  mkdirSync(dir, { mode: 0o755 })
  if (account.prefix.length) chownSync(dir, account.uid, account.gid)
  return dir
}

function inspect<T>(dbPath: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true })
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

const integrity = (dbPath: string) =>
  inspect(dbPath, (db) => db.pragma('integrity_check', { simple: true }) as string)

/**
 * A visitor's POST /contact whose body arrives slowly: the request is in flight from the moment its
 * headers are read, and stays in flight exactly as long as the client takes to send the rest. Unlike
 * a big search or upload, its length does not depend on how fast this machine is.
 */
async function slowContactPost(port: number, subject: string) {
  const form = await get(port, '/contact', { accept: 'text/html' })
  assert.equal(form.status, 200, 'GET /contact')
  const setCookie = ([] as string[]).concat(form.headers['set-cookie'] ?? [])
  const cookie = setCookie.find((c) => c.startsWith('folio_csrf='))?.split(';')[0]
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1]
  const ts = /name="ts" value="([^"]*)"/.exec(form.body)?.[1]
  assert.ok(cookie && csrf && ts, 'the contact form carries a CSRF cookie, a token and a timestamp')
  const body = new URLSearchParams({
    _csrf: csrf,
    ts,
    name: 'Smoke Test',
    email: 'smoke@example.com',
    subject,
    message: 'This message was sent slowly while the server was asked to stop. It should still arrive.',
  }).toString()
  const socket: Socket = connect(port, '127.0.0.1')
  await new Promise<void>((done, reject) => socket.once('connect', done).once('error', reject))
  let response = ''
  socket.setEncoding('utf8').on('data', (c: string) => {
    response += c
  })
  const closed = new Promise<void>((done) => socket.once('close', () => done()))
  socket.on('error', () => {})
  socket.write(
    [
      'POST /contact HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      `Origin: http://127.0.0.1:${port}`,
      `Cookie: ${cookie}`,
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'User-Agent: folio-smoke',
      'Connection: close',
      '',
      '',
    ].join('\r\n') + body.slice(0, 20),
  )
  return {
    /** Sends the rest of the body in `parts` pieces, `gapMs` apart, and returns the raw response. */
    async finish(parts: number, gapMs: number): Promise<string> {
      const rest = body.slice(20)
      const size = Math.ceil(rest.length / parts)
      for (let i = 0; i < rest.length; i += size) {
        await sleep(gapMs)
        socket.write(rest.slice(i, i + size))
      }
      await Promise.race([closed, sleep(10_000)])
      return response
    },
    destroy: () => socket.destroy(),
  }
}

/** A connection that has had one keep-alive answer and then sits idle, as browsers leave them. */
async function keepAliveConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  await new Promise<void>((done, reject) => socket.once('connect', done).once('error', reject))
  const answered = new Promise<void>((done) => {
    let seen = ''
    socket.setEncoding('utf8').on('data', (c: string) => {
      seen += c
      if (seen.includes('\r\n\r\n') && seen.includes('"status"')) done()
    })
  })
  socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`)
  await Promise.race([answered, sleep(5_000)])
  return socket
}

const refusesConnections = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      done(false)
    })
    socket.once('error', () => done(true))
  })

// ---- The checks ------------------------------------------------------------------------------------------

async function main() {
  console.log(
    `== Folio production smoke test: the Dockerfile replayed without Docker (node ${process.version})`,
  )
  const base = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).at(-1)?.from
  console.log(`NOTE  the image's base is ${base}; this run uses this host's Node and toolchain instead`)
  const workRoot = mkdtempSync(join(tmpdir(), 'folio-smoke-'))
  chmodSync(workRoot, 0o755)
  let keep = process.env.KEEP_SMOKE_DIR === '1'
  try {
    const account = unprivilegedAccount()
    const image = await replayDockerfile(workRoot, account)
    const app = image.root

    await check(
      'the image holds no TypeScript tooling and no dev dependency',
      () => {
        const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
          devDependencies?: Record<string, string>
          dependencies?: Record<string, string>
        }
        const buildRuns = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
        const found = ['typescript', 'tsx', '.bin/tsc', '.bin/tsx'].filter((p) =>
          existsSync(join(app, 'node_modules', p)),
        )
        // A dev dependency installed on purpose after the prune (`npm install --no-save X`) is not a leftover.
        // @types/* stay when a production package names them as optional peers (drizzle-orm does): inert.
        const leftovers = Object.keys(pkg.devDependencies ?? {}).filter(
          (name) =>
            !name.startsWith('@types/') &&
            !pkg.dependencies?.[name] &&
            existsSync(join(app, 'node_modules', name)) &&
            !new RegExp(`npm install[^\\n]*\\s${name.replace(/[/.@-]/g, '\\$&')}(@|\\s|$)`, 'm').test(
              buildRuns,
            ),
        )
        assert.deepEqual(found, [], `TypeScript tooling left in node_modules: ${found.join(', ')}`)
        assert.deepEqual(leftovers, [], `dev dependencies left in node_modules: ${leftovers.join(', ')}`)
        assert.ok(existsSync(join(app, 'dist', 'server.js')), 'dist/server.js was built')
        const ts = readdirSync(join(app, 'dist'), { recursive: true }).filter((f) =>
          String(f).endsWith('.ts'),
        )
        assert.deepEqual(ts, [], 'dist holds only JavaScript')
      },
      true,
    )

    await check('the image carries a compile cache warmed as its user, where the runtime has one', () => {
      const dir = image.env.NODE_COMPILE_CACHE
      assert.ok(dir, 'the run stage sets NODE_COMPILE_CACHE')
      const folder = onDisk(image.fsRoot, inImage(image.workdir, dir))
      assert.ok(existsSync(folder), `${dir} is in the image`)
      if (!(module as { enableCompileCache?: unknown }).enableCompileCache)
        return `Node ${process.version} has no compile cache: the folder only`
      // Node keeps one folder per version, flags and uid: the server's uid must have one.
      const own = readdirSync(folder).filter((name) => name.endsWith(`-${account.uid}`))
      assert.equal(own.length, 1, `a cache for uid ${account.uid} in ${readdirSync(folder).join(', ')}`)
      return `${readdirSync(join(folder, own[0] as string)).length} modules`
    })

    await check(
      'ENTRYPOINT and CMD name files that exist in the image and can run',
      () => {
        assert.ok(image.entrypoint.length + image.cmd.length > 0, 'the image says what to run')
        const [entry] = image.entrypoint
        if (entry?.startsWith('.') || entry?.startsWith('/')) {
          const file = entry.startsWith('/') ? onDisk(image.fsRoot, entry) : join(app, entry)
          assert.ok(existsSync(file), `${entry} is in the image`)
          assert.ok(statSync(file).mode & 0o111, `${entry} is executable`)
        }
        for (const arg of image.cmd.slice(1)) {
          if (/\.(m?js|sh)$/.test(arg)) assert.ok(existsSync(join(app, arg)), `${arg} is in the image`)
        }
        return `${[...image.entrypoint, ...image.cmd].join(' ')}; runs as ${image.user ?? 'root'}`
      },
      true,
    )
    if (image.user === undefined || image.user === 'root' || image.user === '0') {
      fail('the image runs as a non-root USER', new Error(`USER is ${image.user ?? 'unset'}`))
    }

    // 1. A fresh start: health, home page, the one-time setup link.
    const data = dataFolder(workRoot, 'data', account)
    const dbPath = join(data, 'folio.db')
    let server = await startServer(image, account, data)
    await check(
      'the server starts on a fresh data folder as an unprivileged user',
      () => untilHealthy(server),
      true,
    )
    await check('it runs as that user, not root', () => {
      const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8')
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1])
      if (account.prefix.length) assert.equal(uid, account.uid, `uid ${uid}`)
      return account.prefix.length ? `${USER}, uid ${uid}` : `uid ${uid} (not root: no switch)`
    })
    await check('GET /healthz answers 200 JSON', async () => {
      const res = await get(server.port, '/healthz')
      assert.equal(res.status, 200)
      assert.match(String(res.headers['content-type']), /^application\/json/)
      assert.equal((JSON.parse(res.body) as { status: string }).status, 'ok')
    })
    await check('GET / answers 200 HTML', async () => {
      const res = await get(server.port, '/', { accept: 'text/html' })
      assert.equal(res.status, 200)
      assert.match(String(res.headers['content-type']), /^text\/html/)
      assert.match(res.body, /<html/i)
    })
    await check('the log gives the one-time setup link, and it opens the setup page', async () => {
      const line = await untilLogged(
        server,
        /No account yet\. Create yours at (http\S+\/admin\/setup\?token=[A-Za-z0-9_-]+)/,
      )
      assert.ok(line?.[1], `no setup link in the log:\n${server.output()}`)
      const url = new URL(line[1])
      const res = await get(server.port, `${url.pathname}${url.search}`, { accept: 'text/html' })
      assert.equal(res.status, 200, `GET ${url.pathname}?token=…`)
      return url.origin
    })
    await check('production logs are JSON lines', () => {
      const lines = server.output().split('\n').filter(Boolean)
      assert.ok(lines.length > 0, 'the server logged its start')
      const bad = lines.filter((l) => {
        try {
          JSON.parse(l)
          return false
        } catch {
          return true
        }
      })
      assert.deepEqual(bad, [], 'lines a log collector could not parse')
      return `${lines.length} lines`
    })
    if (image.healthcheck) {
      await check("the Dockerfile's HEALTHCHECK command passes against the running server", () => {
        const out = runAs(account, image, runtimeEnv(image, server.port, data), image.healthcheck as string[])
        assert.equal(out.status, 0, out.output)
      })
    }
    // 2. Demo content through the built CLI, as the same user, while the server runs.
    await check(
      '`node dist/cli.js seed --posts 300` as the same user, beside the running server',
      () => {
        const out = runAs(account, image, runtimeEnv(image, server.port, data), [
          'node',
          'dist/cli.js',
          'seed',
          '--posts',
          '300',
        ])
        assert.equal(out.status, 0, out.output)
      },
      true,
    )
    await check('the seeded posts are served, and search finds them', async () => {
      const posts = await get(server.port, '/posts', { accept: 'text/html' })
      assert.equal(posts.status, 200)
      const total = Number(/(\d+) posts so far/.exec(posts.body)?.[1])
      const [all, visible] = inspect(dbPath, (db) => [
        db.prepare('select count(*) from posts').pluck().get() as number,
        db
          .prepare("select count(*) from posts where status != 'draft' and published_at <= ?")
          .pluck()
          .get(Date.now()) as number,
      ])
      assert.ok(all >= 300, `${all} posts in the database`)
      assert.equal(total, visible, 'the list counts every visible post (drafts and future posts aside)')
      const search = await get(server.port, '/search?q=sqlite', { accept: 'text/html' })
      assert.equal(search.status, 200)
      return `${total} of ${all} posts visible`
    })

    // 3. SIGTERM while a request is in flight: it completes, new connections are refused, exit 0.
    await check(
      'SIGTERM during a slow request: the request completes and the server exits 0 within 10 s',
      async () => {
        const subject = `Sent during shutdown ${Date.now()}`
        const post = await slowContactPost(server.port, subject)
        // A browser's idle keep-alive connection must not hold the shutdown open.
        const idle = await keepAliveConnection(server.port)
        await sleep(300)
        const signalledAt = Date.now()
        server.child.kill('SIGTERM')
        await sleep(400)
        assert.ok(server.alive(), 'the server waits for the request in flight')
        assert.ok(await refusesConnections(server.port), 'new connections are refused once shutting down')
        const response = await post.finish(4, 300)
        const answeredAt = Date.now()
        assert.match(
          response,
          /^HTTP\/1\.1 303 /,
          `the request in flight was answered:\n${response.slice(0, 300)}`,
        )
        assert.match(response, /\r\nlocation: \/contact\/thanks\r\n/i)
        const exit = await untilExit(server, 10_000)
        assert.equal(exit.code, 0, `exit code ${exit.code} signal ${exit.signal}:\n${server.output()}`)
        assert.ok(exit.at - signalledAt < 10_000)
        assert.ok(exit.at - answeredAt < 3_000, `exit ${exit.at - answeredAt} ms after the last answer`)
        idle.destroy()
        const stored = inspect(
          dbPath,
          (db) =>
            db.prepare('select count(*) from messages where subject = ?').pluck().get(subject) as number,
        )
        assert.equal(stored, 1, 'the message sent during shutdown is in the database')
        return `answered, then exited ${exit.at - answeredAt} ms later; ${seconds(exit.at - signalledAt)} after SIGTERM`
      },
    )
    await check('after a clean stop the database is whole and its WAL folded in', () => {
      assert.equal(integrity(dbPath), 'ok')
      const wal = `${dbPath}-wal`
      assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'the -wal file is empty or gone')
    })
    if (image.healthcheck) {
      await check('the HEALTHCHECK command fails once the server is gone', () => {
        const out = runAs(account, image, runtimeEnv(image, server.port, data), image.healthcheck as string[])
        assert.notEqual(out.status, 0)
      })
    }

    // 4. A second signal during a shutdown that is waiting: exit at once.
    server = await startServer(image, account, data)
    await check('it starts again on the same data', () => untilHealthy(server), true)
    await check('a second signal during shutdown ends the process at once', async () => {
      const post = await slowContactPost(server.port, 'never finished')
      await sleep(300)
      server.child.kill('SIGTERM')
      await sleep(500)
      assert.ok(server.alive(), 'still waiting for the request in flight after SIGTERM')
      const second = Date.now()
      server.child.kill('SIGINT')
      const exit = await untilExit(server, 2_000)
      post.destroy()
      assert.notEqual(exit.code, 0, 'an interrupted shutdown does not claim success')
      assert.ok(exit.at - second < 1_000, `took ${exit.at - second} ms`)
      assert.equal(integrity(dbPath), 'ok', 'the database survives the abrupt exit')
      return `exit ${exit.code} ${exit.at - second} ms after SIGINT`
    })

    // 5. Two processes started at once on one fresh file.
    for (const round of [1, 2, 3]) {
      await check(`two servers started at once on one fresh database (round ${round})`, async () => {
        const shared = dataFolder(workRoot, `race-${round}`, account)
        const pair = [await startServer(image, account, shared), await startServer(image, account, shared)]
        const outcomes = await Promise.all(
          pair.map((s) =>
            untilHealthy(s).then(
              () => 'up',
              async () => {
                const exit = await untilExit(s, 5_000)
                assert.notEqual(exit.code, 0, `a server that did not come up must fail:\n${s.output()}`)
                assert.match(s.output(), /"level":(50|60)|Error:/, `it must say why:\n${s.output()}`)
                return 'failed clearly'
              },
            ),
          ),
        )
        assert.ok(outcomes.includes('up'), 'at least one comes up')
        for (const s of pair) {
          if (!s.alive()) continue
          s.child.kill('SIGTERM')
          const exit = await untilExit(s, 10_000)
          assert.equal(exit.code, 0, s.output())
        }
        const db = join(shared, 'folio.db')
        assert.equal(integrity(db), 'ok')
        const journal = JSON.parse(readFileSync(join(app, 'migrations/meta/_journal.json'), 'utf8')) as {
          entries: unknown[]
        }
        const applied = inspect(db, (d) =>
          d.prepare('select count(*) from __drizzle_migrations').pluck().get(),
        )
        assert.equal(applied, journal.entries.length, 'each migration applied exactly once')
        return outcomes.join(' + ')
      })
    }
  } catch (err) {
    if (!(err instanceof Abort)) fail('the smoke test itself', err)
    console.log('      (stopped: later checks depend on this one)')
  } finally {
    for (const child of children) child.kill('SIGKILL')
    const failed = results.filter((r) => !r.ok).length
    if (failed) keep = true
    if (keep) console.log(`NOTE  kept ${workRoot}`)
    else rmSync(workRoot, { recursive: true, force: true })
    console.log(
      `RESULT ${failed ? 'FAIL' : 'PASS'}: ${results.length - failed} passed, ${failed} failed, in ${seconds(Date.now() - started)}`,
    )
    process.exitCode = failed ? 1 : 0
  }
}

await main()
