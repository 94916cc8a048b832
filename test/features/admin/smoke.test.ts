// Checks the signed-in helper itself: a session cookie reaches the dashboard and a CSRF-protected form works.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

test('a signed-in author sees the dashboard and can sign out with the form', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const dashboard = await author.get('/admin')
  assert.equal(dashboard.statusCode, 200)
  assert.match(dashboard.body, /Dashboard/)
  assert.equal(dashboard.headers['cache-control'], 'no-store')
  const out = await author.post('/admin/logout', {})
  assert.equal(out.statusCode, 303)
  assert.equal((await author.get('/admin')).statusCode, 303)
})
