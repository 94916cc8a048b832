// Checks /healthz: 200 while the database answers, 503 once it does not.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp } from '../../helpers/app.ts'

test('/healthz answers 200 with a small JSON body when the database answers', async (t) => {
  const { app } = await createTestApp(t)

  const res = await app.inject('/healthz')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^application\/json/)
  assert.equal((res.json() as { status: string }).status, 'ok')
  assert.match(String(res.headers['cache-control']), /no-store/, 'a load balancer never sees a cached answer')
})

test('/healthz answers 503 when the database is gone', async (t) => {
  const { app, db } = await createTestApp(t)
  await app.ready()
  db.$client.close()

  const res = await app.inject('/healthz')

  assert.equal(res.statusCode, 503)
  assert.match(res.headers['content-type'] as string, /^application\/json/)
  assert.notEqual((res.json() as { status: string }).status, 'ok')
})
