// Checks that no path leads a browser to Fastify's JSON error body: bad bodies, bad requests, bad headers.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createTestApp } from '../helpers/app.ts'

function assertHtmlPage(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  assert.equal(res.statusCode, status)
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/)
  assert.doesNotMatch(res.body, /"statusCode"|^\{/)
}

// JSON posted to the contact form: test/features/contact/http.test.ts.
test('a malformed JSON body gets the same HTML 415, never a JSON parse error', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/json' },
    payload: '{"email": ',
  })
  assertHtmlPage(res, 415)
})

test('a form larger than the site accepts gets an HTML 413 that says nothing was saved', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({
    method: 'POST',
    url: '/contact',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `message=${'a'.repeat(3 * 1024 * 1024)}`,
  })
  assertHtmlPage(res, 413)
  assert.match(res.body, /nothing was saved/)
})

test('a header that cannot be sent does not turn the error page into bare JSON', async (t) => {
  const { app } = await createTestApp(t, { NODE_ENV: 'production' })
  app.get('/bad-header', async (_request, reply) => {
    reply.header('location', '/admin/ü∑')
    throw new Error('after setting a header Node refuses')
  })
  const res = await app.inject({ url: '/bad-header', headers: { accept: 'text/html' } })
  assertHtmlPage(res, 500)
  assert.equal(res.headers.location, undefined)
})

/** Sends raw bytes to a listening app and returns everything it answers. */
async function rawExchange(app: FastifyInstance, bytes: string): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return new Promise((resolve, reject) => {
    let answer = ''
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes))
    socket.on('data', (chunk) => {
      answer += chunk
    })
    socket.on('close', () => resolve(answer))
    socket.on('error', reject)
  })
}

test("a request Node cannot parse gets an HTML 400, not Fastify's JSON", async (t) => {
  const { app } = await createTestApp(t)
  const answer = await rawExchange(app, 'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n')
  assert.match(answer, /^HTTP\/1\.1 400 Bad Request/)
  assert.match(answer, /content-type: text\/html; charset=utf-8/i)
  assert.match(answer, /<h1>Bad request<\/h1>/)
  assert.doesNotMatch(answer, /"statusCode"/)
})

test('headers larger than Node accepts get an HTML 431', async (t) => {
  const { app } = await createTestApp(t)
  const answer = await rawExchange(
    app,
    `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  )
  assert.match(answer, /^HTTP\/1\.1 431/)
  assert.match(answer, /content-type: text\/html/i)
})
