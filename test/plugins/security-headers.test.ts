// Checks the security headers every response carries.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp } from '../helpers/app.ts'

test('pages forbid framing, sniffing and scripts from elsewhere, and limit the referrer', async (t) => {
  const { app } = await createTestApp(t)
  for (const url of ['/', '/no-such-page', '/feed.xml', '/static/css/site.css']) {
    const res = await app.inject(url)
    const csp = String(res.headers['content-security-policy'])
    assert.match(csp, /frame-ancestors 'none'/, url)
    assert.match(csp, /default-src 'self'/, url)
    assert.match(csp, /script-src 'self'/, url)
    assert.match(csp, /object-src 'none'/, url)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, url)
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url)
    assert.match(String(res.headers['referrer-policy']), /strict-origin|no-referrer|same-origin/, url)
    assert.equal(res.headers['x-frame-options'], 'DENY', url)
  }
})

test('an https site asks browsers to stay on https', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/')
  assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/)
})

test('a plain-http site (local development) sends no HSTS', async (t) => {
  const { app } = await createTestApp(t, { SITE_URL: 'http://localhost:3000' })
  const res = await app.inject('/')
  assert.equal(res.headers['strict-transport-security'], undefined)
  assert.doesNotMatch(String(res.headers['content-security-policy']), /upgrade-insecure-requests/)
})
