// Checks what a visitor sees when something is missing or broken: the 404 page and the 500 page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp } from '../helpers/app.ts'
import { mainOf } from '../helpers/html.ts'

test('an unknown path gets a 404 page with a search form, kept out of search engines', async (t) => {
  const { app } = await createTestApp(t)

  const res = await app.inject('/some/missing-page')

  assert.equal(res.statusCode, 404)
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/)
  assert.match(res.body, /<title>Page not found · Folio<\/title>/)
  assert.match(res.body, /<meta name="robots" content="noindex">/)
  const main = mainOf(res.body)
  assert.match(main, /<form class="search-form" action="\/search" method="get" role="search">/)
  assert.match(main, /value="missing page"/, 'the search box guesses from the URL')
  assert.match(main, /href="\/posts"/)
  assert.match(String(res.headers['cache-control']), /no-store/)
})

test('the 404 page shows the requested path escaped', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject('/%3Cscript%3Ealert(1)%3C%2Fscript%3E')
  assert.equal(res.statusCode, 404)
  assert.doesNotMatch(res.body, /<script>alert/)
})

test('a route that throws gets a generic 500 page without a stack trace in production', async (t) => {
  const { app } = await createTestApp(t, { NODE_ENV: 'production' })
  app.get('/boom', async () => {
    throw new Error('secret database password in a message')
  })

  const res = await app.inject('/boom')

  assert.equal(res.statusCode, 500)
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/)
  assert.match(res.body, /Something went wrong/)
  assert.match(res.body, /please try again/)
  assert.doesNotMatch(res.body, /secret database password/)
  assert.doesNotMatch(res.body, /at .*\.ts:\d+|class="stack"/)
  assert.match(String(res.headers['cache-control']), /no-store/, 'an error is never cached')
})

test('outside production the 500 page shows the stack trace to the developer', async (t) => {
  const { app } = await createTestApp(t, { NODE_ENV: 'development' })
  app.get('/boom', async () => {
    throw new Error('developer detail')
  })

  const res = await app.inject('/boom')

  assert.equal(res.statusCode, 500)
  assert.match(res.body, /class="stack"/)
  assert.match(res.body, /developer detail/)
})

test('a client that asks for JSON gets the error as JSON', async (t) => {
  const { app } = await createTestApp(t, { NODE_ENV: 'production' })
  app.get('/boom', async () => {
    throw new Error('hidden')
  })

  const res = await app.inject({ url: '/boom', headers: { accept: 'application/json' } })

  assert.equal(res.statusCode, 500)
  assert.match(res.headers['content-type'] as string, /^application\/json/)
  assert.doesNotMatch(res.body, /hidden/)
})

test('when the database is gone, pages still answer with a plain 500 page', async (t) => {
  const { app, db } = await createTestApp(t, { NODE_ENV: 'production' })
  await app.ready()
  db.$client.close()

  const res = await app.inject('/')

  assert.equal(res.statusCode, 500)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.match(res.body, /Something went wrong/)
  assert.doesNotMatch(res.body, /database connection is not open|SqliteError|at /i)
})

test('a POST to a reading page is a 404, never a 500', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/posts', payload: { a: 1 } })
  assert.equal(res.statusCode, 404)
})
