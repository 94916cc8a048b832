// Checks what the request log may hold: a link's secret (setup, confirm, unsubscribe, reset) never.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { buildApp, loggerOptions } from '../src/app.ts'
import { issueSetupToken } from '../src/features/auth/users.ts'
import { urlForLog } from '../src/lib/urls.ts'
import { createTestDb, testConfig } from './helpers/app.ts'

test('the request log never holds a token from a link, only that one was there', async (t) => {
  const { db, dir } = createTestDb(t)
  const config = testConfig(dir, { LOG_LEVEL: 'info' })
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const app = await buildApp({
    config,
    db,
    fastify: { logger: { ...(loggerOptions(config) as object), stream } },
  })
  t.after(() => app.close())
  const token = issueSetupToken(db)
  assert.ok(token)

  const setup = await app.inject({ url: `/admin/setup?token=${token}` })
  assert.equal(setup.statusCode, 200, 'the link itself still works')
  await app.inject({ url: '/admin/setup?token=guessed-secret-1&utm_source=mail' })
  await app.inject({ url: '/subscribe/confirm?confirm_token=guessed-secret-2' })

  const log = lines.join('')
  assert.match(log, /\/admin\/setup\?token=REDACTED/, 'the request is logged, without its secret')
  assert.match(log, /utm_source=mail/, 'other parameters stay readable')
  for (const secret of [token, 'guessed-secret-1', 'guessed-secret-2'])
    assert.ok(!log.includes(secret), secret)
})

test('urlForLog leaves URLs without secrets exactly as they were', () => {
  assert.equal(urlForLog('/search?q=a%20b&page=2'), '/search?q=a%20b&page=2')
  assert.equal(urlForLog('/posts/hello'), '/posts/hello')
  assert.equal(urlForLog('/x?TOKEN=a&token=b'), '/x?TOKEN=REDACTED&token=REDACTED')
})
