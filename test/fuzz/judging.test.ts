// Checks the fuzz tests' judge: it must notice a server error, Fastify's JSON error page and a stack, and pass ordinary pages.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { type FuzzRequest, problemsIn } from './harness.ts'

const request = (url: string, accept = 'text/html'): FuzzRequest => ({
  route: url,
  method: 'GET',
  url,
  headers: { accept },
})
const answer = (statusCode: number, body: string) => ({ statusCode, body }) as LightMyRequestResponse

const FASTIFY_JSON_500 =
  '{"statusCode":500,"code":"ERR_INVALID_CHAR","error":"Internal Server Error","message":"Invalid character in header content [\\"location\\"]"}'
const NODE_STACK = `<pre>TypeError: form.published_at.getTime is not a function
    at <anonymous> (/srv/folio/src/features/admin/posts-forms.ts:194:36)
    at Array.map (<anonymous>)</pre>`

test('the fuzz judge flags a 5xx, a JSON error page, a stack, and a JSON error sent to a JSON-asking client', () => {
  assert.deepEqual(problemsIn(request('/admin/login'), answer(500, FASTIFY_JSON_500)), [
    'answered 500',
    "answered Fastify's JSON error page",
  ])
  assert.deepEqual(problemsIn(request('/admin/posts/1'), answer(422, `<h1>Fix these</h1>${NODE_STACK}`)), [
    'showed a stack trace',
  ])
  assert.deepEqual(
    problemsIn(
      request('/contact', 'application/json'),
      answer(403, '{"statusCode":403,"error":"Forbidden","message":"x"}'),
    ),
    ["answered Fastify's JSON error page (to an Accept asking for JSON)"],
  )
})

test('the fuzz judge passes ordinary pages, JSON endpoints, and posts that quote code paths', () => {
  assert.deepEqual(problemsIn(request('/posts/x'), answer(404, '<h1>Page not found</h1>')), [])
  assert.deepEqual(problemsIn(request('/healthz'), answer(200, '{"status":"ok"}')), [])
  assert.deepEqual(
    problemsIn(request('/feed.json'), answer(200, '{"statusCode":1,"error":"x","message":"y"}')),
    [],
  )
  // A post about Node quoting `tsx src/server.ts`, and a 404 naming the path it was asked for.
  const quoting = '<pre><code>"start": "tsx src/server.ts"\n  at the top of /src/app.ts</code></pre>'
  assert.deepEqual(problemsIn(request('/posts/node'), answer(200, quoting)), [])
  assert.deepEqual(
    problemsIn(request('/media/../src/app.ts'), answer(404, '<p>/media/../src/app.ts</p>')),
    [],
  )
})
