// Checks that the deploy files (fly.toml, Dockerfile, deploy/*) agree with each other and with the app: ports, paths under the volume, health checks, environment.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { test } from 'node:test'
import { parse as parseYaml } from 'yaml'
import { loadConfig } from '../../src/config.ts'
import { MAX_UPLOAD_BYTES } from '../../src/features/media/pipeline.ts'
import { createTestApp } from '../helpers/app.ts'
import { execForm, lastOf, parseDockerfile } from './dockerfile.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8')

// ---- Reading the files: just enough of each format, failing loudly on anything unexpected.

type Toml = { [key: string]: TomlValue }
type TomlValue = string | number | boolean | TomlValue[] | Toml

/** The part of a line before a # that is not inside a string. */
function withoutComment(line: string): string {
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quote) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '#') return line.slice(0, i)
  }
  return line
}

function tomlValue(text: string, where: string): TomlValue {
  const basic = /^"((?:[^"\\]|\\.)*)"$/.exec(text)
  if (basic) return JSON.parse(`"${basic[1]}"`) as string
  const literal = /^'([^']*)'$/.exec(text)
  if (literal) return literal[1] ?? ''
  if (/^[+-]?\d+$/.test(text)) return Number(text)
  if (text === 'true' || text === 'false') return text === 'true'
  const array = /^\[(.*)\]$/.exec(text)
  if (array) {
    const items = (array[1] ?? '').split(',').map((s) => s.trim())
    return items.filter(Boolean).map((item) => tomlValue(item, where))
  }
  throw new Error(`${where}: this test's TOML reader does not understand the value ${text}`)
}

/**
 * The subset of TOML that fly.toml uses: comments, `key = value` (strings, integers, booleans,
 * flat arrays), [tables] and [[arrays of tables]], dotted names included. Anything else throws,
 * so a new construct in fly.toml is noticed here rather than silently skipped.
 */
function parseToml(text: string, file: string): Toml {
  const root: Toml = {}
  const walk = (keys: string[]): Toml => {
    let node = root
    for (const key of keys) {
      let next = node[key]
      if (Array.isArray(next)) next = next[next.length - 1]
      if (next === undefined) node[key] = next = {}
      if (typeof next !== 'object' || Array.isArray(next)) throw new Error(`${file}: ${key} is not a table`)
      node = next
    }
    return node
  }
  let current = root
  for (const [index, raw] of text.split('\n').entries()) {
    const line = withoutComment(raw).trim()
    const where = `${file} line ${index + 1}`
    if (!line) continue
    const arrayTable = /^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]$/.exec(line)
    const table = /^\[\s*([A-Za-z0-9_.-]+)\s*\]$/.exec(line)
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line)
    if (arrayTable) {
      const keys = (arrayTable[1] ?? '').split('.')
      const parent = walk(keys.slice(0, -1))
      const last = keys[keys.length - 1] ?? ''
      if (parent[last] === undefined) parent[last] = []
      const list = parent[last]
      if (!Array.isArray(list)) throw new Error(`${where}: ${last} is not an array of tables`)
      current = {}
      list.push(current)
    } else if (table) {
      current = walk((table[1] ?? '').split('.'))
    } else if (pair) {
      current[pair[1] ?? ''] = tomlValue((pair[2] ?? '').trim(), where)
    } else {
      throw new Error(`${where}: this test's TOML reader does not understand: ${raw}`)
    }
  }
  return root
}

/** The run stage of the Dockerfile (after the last FROM), continuation lines joined. */
function dockerRunStage(text: string) {
  const joined = text.replace(/\\\r?\n/g, ' ')
  const stages = joined.split(/^FROM\s/m)
  const stage = stages[stages.length - 1] ?? ''
  const instructions = stage
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  const env: Record<string, string> = {}
  const expose: string[] = []
  const volumes: string[] = []
  let healthcheck = ''
  for (const line of instructions) {
    const [word = '', ...rest] = line.split(/\s+/)
    const args = rest.join(' ')
    if (word === 'ENV') {
      for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S+)/g))
        env[m[1] ?? ''] = (m[2] ?? '').replace(/^"(.*)"$/, '$1')
    } else if (word === 'EXPOSE') {
      expose.push(...args.split(/\s+/).map((p) => p.replace(/\/tcp$/, '')))
    } else if (word === 'VOLUME') {
      volumes.push(...(JSON.parse(args) as string[]))
    } else if (word === 'HEALTHCHECK') {
      healthcheck = args
    }
  }
  return { env, expose, volumes, healthcheck, text: stage }
}

/** The [Service] section of a systemd unit: its environment, and the keys it sets. */
function systemdService(text: string) {
  const env: Record<string, string> = {}
  const keys: Record<string, string[]> = {}
  let section = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[(.+)\]$/.exec(line)
    if (header) {
      section = header[1] ?? ''
      continue
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line)
    if (!pair || section !== 'Service') continue
    const [, key = '', value = ''] = pair
    keys[key] = [...(keys[key] ?? []), value]
    if (key === 'Environment') {
      for (const m of value.matchAll(/"([^"=]+)=([^"]*)"|([^\s"=]+)=(\S*)/g))
        env[m[1] ?? m[3] ?? ''] = m[2] ?? m[4] ?? ''
    }
  }
  return { env, keys }
}

/**
 * Environment variables a file reads: ${NAME}, ${NAME:-default}, ${A == B} (LiteFS's expressions),
 * process.env.NAME. With `onlyDefaults` (a shell script, whose own variables look the same), only
 * ${NAME:-default} and ${NAME:=default}: the form a script uses to read its environment.
 */
function envReferences(text: string, { onlyDefaults = false } = {}): string[] {
  const names = new Set<string>()
  const code = text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
  for (const m of code.matchAll(/\$\{([^}]*)\}/g)) {
    const expression = m[1] ?? ''
    if (onlyDefaults && !/^[A-Za-z_][A-Za-z0-9_]*:[-=]/.test(expression)) continue
    const inside = expression.replace(/"[^"]*"|'[^']*'/g, '').split(/:-|:=|:\+|:\?/)[0] ?? ''
    for (const name of inside.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) names.add(name)
  }
  for (const m of code.matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1] ?? '')
  return [...names]
}

/** Every variable loadConfig reads, found by handing it an environment that records what it is asked. */
function configVariables(): Set<string> {
  const asked = new Set<string>()
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key === 'string') asked.add(key)
      return undefined
    },
  })
  loadConfig(env)
  return asked
}

const portOf = (hostPort: string): number => Number(/:(\d+)$/.exec(hostPort)?.[1])
const isUnder = (path: string, dir: string): boolean =>
  path === dir || posix.normalize(path).startsWith(`${posix.normalize(dir).replace(/\/$/, '')}/`)
/**
 * Variables of Fly.io, LiteFS and Litestream (which also reads the AWS_* credentials), Node's own
 * NODE_COMPILE_CACHE (where the image keeps its warm compile cache) and glibc's MALLOC_ARENA_MAX,
 * not of loadConfig.
 */
const TOOL_VARIABLE =
  /^(FLY_[A-Z0-9_]+|PRIMARY_REGION|LITESTREAM_[A-Z0-9_]+|AWS_[A-Z0-9_]+|NODE_COMPILE_CACHE|MALLOC_ARENA_MAX)$/

function files() {
  const fly = parseToml(read('fly.toml'), 'fly.toml')
  const flyEnv = fly.env as Record<string, string>
  const http = fly.http_service as Toml
  const mounts = fly.mounts as Toml[]
  const docker = dockerRunStage(read('Dockerfile'))
  const litestreamText = read('deploy/litestream.yml')
  const litefsText = read('deploy/litefs.yml')
  const litefs = parseYaml(litefsText) as {
    fuse: { dir: string }
    data: { dir: string }
    http?: { addr?: string }
    proxy: { addr: string; target: string; db: string; passthrough?: string[]; 'always-forward'?: string[] }
    lease: { 'advertise-url': string }
    exec: { cmd: string }[] | string
  }
  // LiteFS takes exec as one command string or a list of entries; each entry is kept whole.
  const litefsExec = Array.isArray(litefs.exec) ? litefs.exec : [{ cmd: litefs.exec }]
  const unitText = read('deploy/folio.service')
  const unit = systemdService(unitText)
  const caddy = read('deploy/Caddyfile')
  const nginx = read('deploy/nginx.conf')
  const entrypoint = read('deploy/docker-entrypoint.sh')
  return {
    fly,
    flyEnv,
    http,
    mounts,
    docker,
    litestreamText,
    litestream: parseYaml(litestreamText) as { dbs: { path: string; replicas: { url: string }[] }[] },
    litefsText,
    litefs,
    litefsExec,
    unitText,
    unit,
    caddy,
    nginx,
    entrypoint,
  }
}

// ---- The checks.

test('fly.toml, the Dockerfile and LiteFS send traffic to the port the app listens on', () => {
  const { flyEnv, http, docker, litefs, litefsText } = files()
  const port = Number(docker.env.PORT)
  assert.ok(port > 0, 'the Dockerfile sets ENV PORT')
  assert.equal(loadConfig(docker.env).port, port)
  assert.deepEqual(docker.expose, [String(port)], 'EXPOSE is the app port')
  assert.equal(http.internal_port, port, 'fly.toml http_service.internal_port')
  assert.equal(Number(flyEnv.PORT ?? port), port, 'fly.toml [env] PORT')
  assert.equal(loadConfig(flyEnv).port, port)
  // LiteFS's proxy sits in front of the app on the same machine.
  assert.match(litefs.proxy.target, /^(localhost|127\.0\.0\.1):\d+$/)
  assert.equal(portOf(litefs.proxy.target), port, 'litefs proxy.target is the app port')
  const proxyPort = portOf(litefs.proxy.addr)
  assert.notEqual(proxyPort, port, 'the proxy and the app cannot share a port')
  assert.ok(
    litefsText.includes(`internal_port = ${proxyPort}`),
    `litefs.yml tells the operator to set internal_port = ${proxyPort}`,
  )
  // Replicas reach each other on the LiteFS API port they advertise.
  assert.equal(
    portOf(litefs.http?.addr ?? ':20202'),
    Number(/:(\d+)$/.exec(litefs.lease['advertise-url'])?.[1]),
  )
})

test('fly.toml keeps its top-level keys above the tables (TOML files a key under the last [table] before it)', () => {
  // A top-level key written below [[vm]] (say swap_size_mb) silently becomes a vm setting, which
  // Fly does not read: move such keys above [build].
  const { fly } = files()
  for (const vm of (fly.vm ?? []) as Toml[]) {
    for (const key of Object.keys(vm)) {
      assert.ok(
        [
          'size',
          'memory',
          'memory_mb',
          'cpus',
          'cpu_kind',
          'processes',
          'gpus',
          'gpu_kind',
          'kernel_args',
        ].includes(key),
        `[[vm]] has ${key}, which is not a vm setting`,
      )
    }
  }
})

test('the database and media live on the mounted volume, and every file names the same paths', () => {
  const { flyEnv, mounts, docker, litestream, litefs, litefsExec, litefsText, entrypoint } = files()
  assert.equal(mounts.length, 1, 'a Fly Machine mounts one volume')
  const volume = String(mounts[0]?.destination)
  for (const [name, env] of [
    ['fly.toml [env]', flyEnv],
    ['Dockerfile ENV', docker.env],
  ] as const) {
    const config = loadConfig(env)
    assert.ok(
      isUnder(config.databasePath, volume),
      `${name} DATABASE_PATH ${config.databasePath} is under ${volume}`,
    )
    assert.ok(isUnder(config.mediaDir, volume), `${name} MEDIA_DIR ${config.mediaDir} is under ${volume}`)
  }
  assert.equal(flyEnv.DATABASE_PATH, docker.env.DATABASE_PATH)
  assert.equal(flyEnv.MEDIA_DIR, docker.env.MEDIA_DIR)
  assert.ok(docker.volumes.includes(volume), `the Dockerfile declares VOLUME ${volume}`)
  // The entrypoint's fallbacks, used when the variables are unset, are the image's paths.
  assert.ok(
    entrypoint.includes(`\${DATABASE_PATH:-${docker.env.DATABASE_PATH}}`),
    'entrypoint DATABASE_PATH default',
  )
  assert.ok(entrypoint.includes(`\${MEDIA_DIR:-${docker.env.MEDIA_DIR}}`), 'entrypoint MEDIA_DIR default')

  // Litestream replicates the file the app writes.
  assert.equal(litestream.dbs.length, 1)
  const litestreamPath = litestream.dbs[0]?.path ?? ''
  assert.ok(
    litestreamPath === `\${DATABASE_PATH}` || litestreamPath === docker.env.DATABASE_PATH,
    `litestream.yml path is DATABASE_PATH, not ${litestreamPath}`,
  )
  assert.equal(litestream.dbs[0]?.replicas[0]?.url, `\${LITESTREAM_REPLICA_URL}`)

  // LiteFS: its data on the volume, the app's database through the FUSE mount, media still on the volume.
  assert.ok(isUnder(litefs.data.dir, volume), `litefs data.dir ${litefs.data.dir} is on the volume ${volume}`)
  assert.ok(
    !isUnder(litefs.fuse.dir, volume) && !isUnder(volume, litefs.fuse.dir),
    'the FUSE mount is not the volume',
  )
  assert.ok(!isUnder(litefs.fuse.dir, litefs.data.dir) && !isUnder(litefs.data.dir, litefs.fuse.dir))
  const liteDatabase = posix.join(litefs.fuse.dir, litefs.proxy.db)
  assert.ok(
    litefsText.includes(`DATABASE_PATH = "${liteDatabase}"`),
    `litefs.yml tells the operator to set DATABASE_PATH = "${liteDatabase}"`,
  )
  const withLiteFS = loadConfig({ ...flyEnv, DATABASE_PATH: liteDatabase })
  assert.equal(posix.basename(withLiteFS.databasePath), litefs.proxy.db, 'the proxy tracks the app database')
  assert.ok(
    isUnder(withLiteFS.mediaDir, volume),
    'media stay on the volume (LiteFS holds only database files)',
  )
  // LiteFS's proxy does not copy uploads between machines, so it must fetch them from the primary.
  assert.ok(
    (litefs.proxy['always-forward'] ?? []).some((pattern) =>
      new RegExp(pattern).test('/media/abc-photo.webp'),
    ),
    'litefs proxy always-forwards /media/ to the primary',
  )
  assert.match(litefsExec.at(-1)?.cmd ?? '', /node (--\S+ )*dist\/server\.js$/, 'litefs runs the server last')
})

test('every health check asks for /healthz, and the app answers 200 there', async (t) => {
  const { http, docker, litefs } = files()
  const checks = (http.checks ?? []) as Toml[]
  assert.ok(checks.length > 0, 'fly.toml has an http_service check')
  for (const check of checks) {
    assert.equal(check.path, '/healthz')
    assert.equal(String(check.method ?? 'GET').toUpperCase(), 'GET')
  }
  assert.match(docker.healthcheck, /\/healthz/, 'Dockerfile HEALTHCHECK')
  // Its fallback port, used if PORT were unset, is still the app's.
  const fallback = /process\.env\.PORT\s*\|\|\s*(\d+)/.exec(docker.healthcheck)?.[1]
  if (fallback !== undefined) assert.equal(fallback, docker.env.PORT)
  assert.ok(
    (litefs.proxy.passthrough ?? []).includes('/healthz'),
    'LiteFS passes the health check straight through',
  )

  const { app } = await createTestApp(t)
  const res = await app.inject('/healthz')
  assert.equal(res.statusCode, 200)
  assert.equal((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode, 200)
})

test('every production start runs the server with the same node flags and malloc arenas as npm run start:prod', () => {
  const { unit, litefsExec, docker } = files()
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> }
  // The young generation's size is fixed when V8 makes the heap: only a command-line flag sets it.
  // glibc reads MALLOC_ARENA_MAX when the process starts: only its environment sets it.
  const expected = pkg.scripts['start:prod'] ?? ''
  const arenas = /^MALLOC_ARENA_MAX=(\d+) node (--max-semi-space-size=\d+ )dist\/server\.js$/.exec(
    expected,
  )?.[1]
  assert.ok(arenas, `start:prod sets MALLOC_ARENA_MAX and the semi-space flag: ${expected}`)
  // LiteFS's exec runs inside the image, so the Dockerfile's ENV is its environment too.
  assert.equal(docker.env.MALLOC_ARENA_MAX, arenas, 'Dockerfile ENV MALLOC_ARENA_MAX')
  assert.equal(unit.env.MALLOC_ARENA_MAX, arenas, 'deploy/folio.service Environment=MALLOC_ARENA_MAX')
  const flagsOf = (command: string) => /\bnode ((?:--\S+ )*)dist\/server\.js/.exec(command)?.[1]
  const want = flagsOf(expected)
  const runStage = parseDockerfile(read('Dockerfile')).at(-1)
  const cmd = runStage && lastOf(runStage, 'CMD')
  const starts: [string, string][] = [
    ['Dockerfile CMD', (cmd ? (execForm(cmd.args) ?? [cmd.args]) : []).join(' ')],
    ['deploy/folio.service ExecStart', (unit.keys.ExecStart ?? []).join(' ')],
    ['deploy/litefs.yml exec', litefsExec.map((e) => e.cmd).join(' ')],
  ]
  for (const [where, command] of starts) assert.equal(flagsOf(command), want, `${where}: ${command}`)
})

test('Caddy and nginx proxy to the address the systemd unit listens on', () => {
  const { unit, caddy, nginx } = files()
  const config = loadConfig({ ...unit.env, SITE_URL: 'https://blog.example.com' })
  const listen = `${config.host}:${config.port}`
  assert.match(
    config.host,
    /^(127\.0\.0\.1|::1|localhost)$/,
    'behind a proxy, the app listens on loopback only',
  )
  const caddyTargets = [...caddy.matchAll(/^\s*reverse_proxy\s+(\S+)/gm)].map((m) => m[1])
  const nginxTargets = [...nginx.matchAll(/^\s*proxy_pass\s+https?:\/\/([^;/\s]+)/gm)].map((m) => m[1])
  assert.ok(caddyTargets.length > 0 && nginxTargets.length > 0)
  for (const target of [...caddyTargets, ...nginxTargets]) assert.equal(target, listen)
  // nginx's own body limit must not cut off an upload before Folio can explain its limit.
  const bodyLimit = /client_max_body_size\s+(\d+)([kKmMgG]?);/.exec(nginx)
  assert.ok(bodyLimit, 'nginx.conf sets client_max_body_size (its default is 1 MB)')
  const unitSize = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(bodyLimit[2] ?? '').toLowerCase()] ?? 1
  assert.ok(Number(bodyLimit[1]) * unitSize > MAX_UPLOAD_BYTES, 'nginx accepts a maximal upload')
})

test('the systemd unit may write exactly where the database and the media are', () => {
  const { unit } = files()
  const config = loadConfig({ ...unit.env, SITE_URL: 'https://blog.example.com' })
  const writable = (unit.keys.ReadWritePaths ?? [])
    .flatMap((v) => v.split(/\s+/))
    .map((p) => p.replace(/^-/, ''))
  for (const dir of unit.keys.StateDirectory ?? [])
    writable.push(...dir.split(/\s+/).map((d) => `/var/lib/${d}`))
  assert.match((unit.keys.ProtectSystem ?? []).join(), /strict/, 'the rest of the file system is read-only')
  // SQLite writes its -wal and -shm files beside the database, so the whole folder must be writable.
  for (const dir of [dirname(config.databasePath), config.mediaDir]) {
    assert.ok(
      writable.some((w) => isUnder(dir, w)),
      `${dir} is under ReadWritePaths/StateDirectory (${writable.join(', ')})`,
    )
  }
})

test('every variable the deploy files set or read is one Folio or its tools know, with a value loadConfig accepts', () => {
  const { flyEnv, docker, unit, litestreamText, litefsText, entrypoint } = files()
  const known = configVariables()
  for (const name of ['PORT', 'HOST', 'DATABASE_PATH', 'MEDIA_DIR', 'SITE_URL', 'TRUST_PROXY']) {
    assert.ok(known.has(name), `loadConfig reads ${name} (found ${[...known].join(', ')})`)
  }
  const named: [string, string[]][] = [
    ['fly.toml [env]', Object.keys(flyEnv)],
    ['Dockerfile ENV', Object.keys(docker.env)],
    ['Dockerfile HEALTHCHECK', envReferences(docker.healthcheck)],
    ['folio.service', Object.keys(unit.env)],
    ['litestream.yml', envReferences(litestreamText)],
    ['litefs.yml', envReferences(litefsText)],
    ['docker-entrypoint.sh', envReferences(entrypoint, { onlyDefaults: true })],
  ]
  const unknown = named.flatMap(([file, names]) =>
    names.filter((n) => !known.has(n) && !TOOL_VARIABLE.test(n)).map((n) => `${file}: ${n}`),
  )
  assert.deepEqual(unknown, [])
  assert.ok(envReferences(litestreamText).includes('DATABASE_PATH'))
  assert.ok(envReferences(litefsText).includes('FLY_CONSUL_URL'))

  // Each set of values starts the app (SITE_URL for the VPS comes from its EnvironmentFile).
  const fly = loadConfig(flyEnv)
  const image = loadConfig(docker.env)
  const vps = loadConfig({ ...unit.env, SITE_URL: 'https://blog.example.com' })
  for (const config of [fly, image, vps]) assert.equal(config.nodeEnv, 'production')
  assert.equal(image.host, '0.0.0.0', 'in a container the app listens on every interface')
  assert.equal(fly.host, '0.0.0.0')
  assert.match(fly.siteUrl, /^https:\/\//, 'on Fly, SITE_URL is https (Secure cookies, HSTS)')
  // Fly's proxy and Caddy/nginx each add one X-Forwarded-For hop; LiteFS's proxy adds none.
  assert.equal(fly.trustProxy, 1, 'fly.toml TRUST_PROXY')
  assert.equal(vps.trustProxy, 1, 'folio.service TRUST_PROXY')
})

test('litefs.yml uses only keys LiteFS 0.5 reads (it refuses unknown ones at start-up)', () => {
  const { litefs, litefsExec } = files()
  // From LiteFS 0.5's cmd/litefs/config.go, which decodes with KnownFields(true).
  const schema: Record<string, unknown> = {
    'exit-on-error': true,
    'skip-sync': true,
    'strict-verify': true,
    exec: true,
    data: { dir: 1, compress: 1, retention: 1, 'retention-monitor-interval': 1 },
    fuse: { dir: 1, 'allow-other': 1, debug: 1 },
    http: { addr: 1, 'snapshot-timeout': 1 },
    proxy: {
      addr: 1,
      target: 1,
      db: 1,
      'max-lag': 1,
      debug: 1,
      passthrough: 1,
      'always-forward': 1,
      'primary-redirect-timeout': 1,
      'read-timeout': 1,
      'read-header-timeout': 1,
      'write-timeout': 1,
      'idle-timeout': 1,
    },
    lease: {
      type: 1,
      hostname: 1,
      'advertise-url': 1,
      candidate: 1,
      promote: 1,
      'reconnect-delay': 1,
      'demote-delay': 1,
      databases: 1,
      consul: { url: 1, key: 1, ttl: 1, 'lock-delay': 1 },
    },
    backup: { type: 1, path: 1, url: 1, cluster: 1, 'auth-token': 1 },
    log: { format: 1, timestamp: 1, debug: 1 },
    tracing: { enabled: 1, path: 1, 'max-size': 1, 'max-count': 1, compress: 1 },
  }
  const unknown: string[] = []
  const check = (value: unknown, allowed: unknown, path: string) => {
    if (typeof allowed !== 'object' || allowed === null || typeof value !== 'object' || value === null) return
    for (const [key, child] of Object.entries(value)) {
      const rule = (allowed as Record<string, unknown>)[key]
      if (rule === undefined) unknown.push(`${path}${key}`)
      else check(child, rule, `${path}${key}.`)
    }
  }
  check(litefs, schema, '')
  assert.deepEqual(unknown, [])
  for (const entry of litefsExec) {
    for (const key of Object.keys(entry)) assert.ok(['cmd', 'if-candidate'].includes(key), `exec: ${key}`)
  }
})
