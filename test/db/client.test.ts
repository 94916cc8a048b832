// Checks closing the database on shutdown: the WAL folded in when possible, and a clean close when not.
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { test } from 'node:test'
import { checkpointAndClose } from '../../src/db/client.ts'
import { createTestDb } from '../helpers/app.ts'
import { createPost } from '../helpers/fixtures.ts'

test('closing on shutdown folds the WAL into the database file', async (t) => {
  const { db, path } = createTestDb(t)
  createPost(db, { title: 'Kept' })
  assert.ok(statSync(`${path}-wal`).size > 0)
  checkpointAndClose(db, { warn: () => assert.fail('no warning expected') })
  assert.equal(db.$client.open, false)
  assert.ok(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0)
})

test('when the disk is full at shutdown the checkpoint failure is logged and the database still closes', async (t) => {
  const { db } = createTestDb(t)
  createPost(db, { title: 'Kept in the WAL' })
  const pragma = db.$client.pragma.bind(db.$client)
  // A full disk refuses to grow the main file during the checkpoint.
  db.$client.pragma = ((source: string, options?: object) => {
    if (source.startsWith('wal_checkpoint'))
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    return pragma(source, options)
  }) as typeof db.$client.pragma
  const warnings: string[] = []

  assert.doesNotThrow(() => checkpointAndClose(db, { warn: (_details, message) => warnings.push(message) }))

  assert.equal(db.$client.open, false)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0] ?? '', /replayed on the next start/)
})
