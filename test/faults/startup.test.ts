// Checks that the real server refuses a damaged, empty or unreachable database with one clear line, not a stack trace.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { closeDatabase, openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { scratchDir } from '../helpers/app.ts'
import { createPosts } from '../helpers/fixtures.ts'
import { exitWithin, startServer, untilListening } from '../helpers/processes.ts'

/** Starts the server on `dbPath` and returns its exit code and what it printed to stderr. */
async function startOn(t: TestContext, dir: string, dbPath: string) {
  const server = await startServer(t, { DATABASE_PATH: dbPath, MEDIA_DIR: join(dir, 'media') })
  const code = await exitWithin(server, 20_000)
  return { code, stderr: server.stderr().trim(), output: server.output() }
}

function assertOneHelpfulLine(
  result: { code: number | string; stderr: string; output: string },
  path: string,
) {
  assert.equal(result.code, 1, result.output)
  const lines = result.stderr.split('\n')
  assert.equal(lines.length, 1, `one line, not:\n${result.stderr}`)
  assert.match(lines[0] ?? '', /^Folio cannot start: /)
  assert.ok(lines[0]?.includes(path), `names ${path}: ${lines[0]}`)
  assert.doesNotMatch(result.output, /\n\s+at /, 'no stack trace')
  assert.doesNotMatch(result.output, /Folio is running/)
}

/** A real, migrated database file with its WAL folded in, as a backup or a stopped server leaves it. */
function realDatabase(path: string): void {
  const db = openDatabase(path)
  migrateDatabase(db)
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  closeDatabase(db)
}

const RESTORE = /npm run cli -- restore .* --yes/

test('a file of random bytes is refused as not a database, with how to restore', async (t) => {
  const dir = scratchDir(t)
  const path = join(dir, 'folio.db')
  writeFileSync(path, randomBytes(64 * 1024))
  const result = await startOn(t, dir, path)
  assertOneHelpfulLine(result, path)
  assert.match(result.stderr, /not an SQLite database/)
  assert.match(result.stderr, RESTORE)
  assert.match(result.stderr, /backups\//)
})

test('a database cut short (a copy that stopped half way) is refused as cut short', async (t) => {
  const dir = scratchDir(t)
  const path = join(dir, 'folio.db')
  realDatabase(path)
  const before = readFileSync(path)
  truncateSync(path, Math.floor(statSync(path).size / 2))
  const result = await startOn(t, dir, path)
  assertOneHelpfulLine(result, path)
  assert.match(result.stderr, /cut short/)
  assert.match(result.stderr, RESTORE)
  assert.ok(statSync(path).size < before.length, 'the file was left as it was for the operator')
})

test('an empty file where the database should be is refused instead of starting a new site', async (t) => {
  const dir = scratchDir(t)
  const path = join(dir, 'folio.db')
  writeFileSync(path, '')
  const result = await startOn(t, dir, path)
  assertOneHelpfulLine(result, path)
  assert.match(result.stderr, /empty \(0 bytes\)/)
  assert.match(result.stderr, RESTORE)
  assert.equal(statSync(path).size, 0, 'nothing was written into it')
})

test('a database path inside a folder that cannot be created is refused with the folder named', async (t) => {
  const dir = scratchDir(t)
  // Tests may run as root, which can write anywhere: a regular file in the way stops mkdir for anyone.
  const blocker = join(dir, 'not-a-folder')
  writeFileSync(blocker, 'x')
  const path = join(blocker, 'data', 'folio.db')
  const result = await startOn(t, dir, path)
  assertOneHelpfulLine(result, path)
  assert.match(result.stderr, /cannot be created or used/)
  assert.match(result.stderr, /DATABASE_PATH/)
})

test('a folder given as the database path is refused with what to set instead', async (t) => {
  const dir = scratchDir(t)
  const path = join(dir, 'data')
  mkdirSync(path)
  const result = await startOn(t, dir, path)
  assertOneHelpfulLine(result, path)
  assert.match(result.stderr, /is a folder, not a database file/)
})

test('a new site still starts on a path where no file exists yet', async (t) => {
  const dir = scratchDir(t)
  const path = join(dir, 'new', 'folio.db')
  const server = await startServer(t, { DATABASE_PATH: path, MEDIA_DIR: join(dir, 'media') })
  await untilListening(server)
  assert.match(server.output(), /admin\/setup\?token=/)
  server.child.kill('SIGTERM')
  assert.equal(await exitWithin(server, 10_000), 0)
})

test('a database damaged in the middle starts, and /healthz reports the damage once the background check has run', async (t) => {
  const dir = scratchDir(t)
  const path = join(dir, 'folio.db')
  realDatabase(path)
  const db = openDatabase(path)
  createPosts(db, 60)
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  const pageSize = db.$client.pragma('page_size', { simple: true }) as number
  const pages = db.$client.pragma('page_count', { simple: true }) as number
  closeDatabase(db)
  const fd = openSync(path, 'r+')
  writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, Math.floor(pages / 2) * pageSize)
  closeSync(fd)

  const server = await startServer(t, { DATABASE_PATH: path, MEDIA_DIR: join(dir, 'media') })
  await untilListening(server)
  const deadline = Date.now() + 20_000
  let health = await fetch(`http://127.0.0.1:${server.port}/healthz`)
  while (health.status === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    health = await fetch(`http://127.0.0.1:${server.port}/healthz`)
  }

  assert.equal(health.status, 503)
  assert.match(((await health.json()) as { reason: string }).reason, /damaged/)
  assert.match(server.output(), /is damaged .*npm run cli -- restore/)
  server.child.kill('SIGTERM')
  assert.equal(await exitWithin(server, 10_000), 0)
})
