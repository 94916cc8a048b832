// Checks the background integrity check: a damaged file is reported without blocking, a sound one is not.
import assert from 'node:assert/strict'
import { closeSync, openSync, writeSync } from 'node:fs'
import { test } from 'node:test'
import { checkIntegrityInBackground, type IntegrityCheck } from '../../src/db/integrity-check.ts'
import { createTestDb } from '../helpers/app.ts'
import { createPosts } from '../helpers/fixtures.ts'

/**
 * The check's outcome. Its worker is unref'd (it must never hold a server open), so with nothing
 * else pending the test's event loop could end first: this timer holds it, as src/warm-up.ts does.
 */
async function outcome(check: IntegrityCheck) {
  const hold = setInterval(() => {}, 1000)
  try {
    return await check.done
  } finally {
    clearInterval(hold)
  }
}

test('a sound database passes the background check and nothing is reported', async (t) => {
  const { db, path } = createTestDb(t)
  createPosts(db, 5)
  const reported: string[] = []
  const check = checkIntegrityInBackground(path, (problem) => reported.push(problem), { delayMs: 0 })
  assert.deepEqual(await outcome(check), { ok: true })
  assert.deepEqual(reported, [])
})

test('a database with a damaged page in the middle is reported by the background check', async (t) => {
  const { db, path } = createTestDb(t)
  createPosts(db, 60)
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  const pageSize = db.$client.pragma('page_size', { simple: true }) as number
  const pages = db.$client.pragma('page_count', { simple: true }) as number
  // Scribble over a page well past the schema: start-up's cheap checks cannot see it.
  const fd = openSync(path, 'r+')
  writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, Math.floor(pages / 2) * pageSize)
  closeSync(fd)

  const reported: string[] = []
  const check = checkIntegrityInBackground(path, (problem) => reported.push(problem), { delayMs: 0 })
  const result = await outcome(check)

  assert.equal(result?.ok, false)
  assert.equal(reported.length, 1)
})

test('stopping the check before it starts reports nothing', async () => {
  const reported: string[] = []
  const check = checkIntegrityInBackground('/nonexistent/folio.db', (problem) => reported.push(problem))
  await check.stop()
  assert.equal(await outcome(check), undefined)
  assert.deepEqual(reported, [])
})
