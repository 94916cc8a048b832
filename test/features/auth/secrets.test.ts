// Checks application secrets: made once, then the same value for every caller and every restart.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closeDatabase, openDatabase } from '../../../src/db/client.ts'
import { loadOrCreateSecret } from '../../../src/features/auth/secrets.ts'
import { createTestDb } from '../../helpers/app.ts'

test('a secret is created on first use and read back unchanged afterwards, also by another connection', (t) => {
  const { db, path } = createTestDb(t)
  const first = loadOrCreateSecret(db, 'test-secret')
  assert.ok(first.length >= 43)
  assert.equal(loadOrCreateSecret(db, 'test-secret'), first)
  const other = openDatabase(path)
  t.after(() => closeDatabase(other))
  assert.equal(loadOrCreateSecret(other, 'test-secret'), first)
  assert.notEqual(loadOrCreateSecret(db, 'another-secret'), first)
})
