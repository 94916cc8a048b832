// Checks the page cache's front door on a real listening server: the same page, headers, counting and logging as through Fastify.
import assert from 'node:assert/strict'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Writable } from 'node:stream'
import { type TestContext, test } from 'node:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { closeDatabase, type Db, openDatabase } from '../../src/db/client.ts'
import { savePost } from '../../src/features/content/posts.ts'
import { oldPathKey } from '../../src/features/importers/old-paths.ts'
import { addRedirect } from '../../src/features/importers/redirects.ts'
import { clientAddress } from '../../src/features/stats/plugin.ts'
import { dayRow, GOOGLEBOT, pathRow, READER, today } from '../features/stats/helpers.ts'
import { postForm, signIn } from '../helpers/admin.ts'
import { createTestDb, testConfig } from '../helpers/app.ts'
import { createPost } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/processes.ts'

interface Served {
  readonly app: FastifyInstance
  readonly db: Db
  readonly path: string
  readonly port: number
  /** Request targets that reached Fastify (so not answered at the front door). */
  readonly reachedFastify: string[]
  /** The JSON log lines written so far. */
  readonly lines: Record<string, unknown>[]
}

async function serve(
  t: TestContext,
  env: Record<string, string> = {},
  prepare: (app: FastifyInstance) => void = () => {},
): Promise<Served> {
  const { db, dir, path } = createTestDb(t)
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    },
  })
  const app = await buildApp({
    config: testConfig(dir, env),
    db,
    fastify: { logger: { level: 'info', stream } },
  })
  const reachedFastify: string[] = []
  app.addHook('onRequest', async (request) => {
    reachedFastify.push(request.url)
  })
  prepare(app)
  t.after(() => app.close())
  const port = await freePort()
  await app.listen({ port, host: '127.0.0.1' })
  return { app, db, path, port, reachedFastify, lines }
}

interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * Every header but its date, and Vary: the compression plugin names Accept-Encoding only for a
 * body it could compress, while a replay always does (it picks the encoding).
 */
const lasting = (headers: IncomingHttpHeaders) => {
  const { date: _date, vary: _vary, ...rest } = headers
  return rest
}

test('a cached page is answered at the front door with the same headers and body as the first response', async (t) => {
  const { db, port, reachedFastify } = await serve(t)
  createPost(db, { title: 'Front door' })
  const first = await get(port, '/posts')
  const second = await get(port, '/posts')
  assert.equal(second.status, 200)
  assert.deepEqual(lasting(second.headers), lasting(first.headers))
  assert.equal(second.headers.vary, 'accept-encoding')
  assert.ok(second.headers['content-security-policy'], 'security headers are replayed')
  assert.equal(second.body.toString(), first.body.toString())
  assert.deepEqual(reachedFastify, ['/posts'], 'only the first request went through Fastify')
})

test('a post answered in HTML or ActivityPub JSON by Accept gets each from the front door', async (t) => {
  const { db, port, reachedFastify } = await serve(t)
  const { slug } = createPost(db, { title: 'Negotiated' })
  const url = `/posts/${slug}`
  const json = { accept: 'application/activity+json' }
  const html = await get(port, url)
  const activity = await get(port, url, json)
  assert.match(String(activity.headers['content-type']), /activity\+json/)
  const htmlAgain = await get(port, url)
  const activityAgain = await get(port, url, json)
  assert.equal(htmlAgain.body.toString(), html.body.toString())
  assert.equal(activityAgain.body.toString(), activity.body.toString())
  assert.equal(activityAgain.headers['content-type'], activity.headers['content-type'])
  assert.deepEqual(reachedFastify, [url, url], 'the repeats were answered at the front door')
})

test('the front door answers 304 to a matching ETag and HEAD without a body', async (t) => {
  const { db, port } = await serve(t)
  createPost(db, { title: 'Conditional' })
  const first = await get(port, '/')
  const etag = String(first.headers.etag)
  for (const tag of [etag, `W/${etag}`]) {
    const conditional = await get(port, '/', { 'if-none-match': tag })
    assert.equal(conditional.status, 304)
    assert.equal(conditional.body.length, 0)
    assert.equal(conditional.headers.etag, etag)
  }
  assert.equal((await get(port, '/', { 'if-none-match': '"other"' })).status, 200)
  const head = await get(port, '/', {}, 'HEAD')
  assert.equal(head.status, 200)
  assert.equal(head.body.length, 0)
  assert.equal(head.headers['content-length'], String(first.body.length))
})

test('the front door sends br or gzip as the browser accepts, the same page either way', async (t) => {
  const { db, port } = await serve(t)
  for (let i = 0; i < 5; i++) createPost(db, { title: `Long enough ${i}` })
  const plain = await get(port, '/')
  const br = await get(port, '/', { 'accept-encoding': 'gzip, deflate, br' })
  assert.equal(br.headers['content-encoding'], 'br')
  assert.equal(br.headers.vary, 'accept-encoding')
  assert.equal(brotliDecompressSync(br.body).toString(), plain.body.toString())
  const gzip = await get(port, '/', { 'accept-encoding': 'gzip' })
  assert.equal(gzip.headers['content-encoding'], 'gzip')
  assert.equal(gunzipSync(gzip.body).toString(), plain.body.toString())
  const identity = await get(port, '/')
  assert.equal(identity.headers['content-encoding'], undefined)
  assert.equal(identity.body.toString(), plain.body.toString())
})

test('a hit at the front door is counted in the stats and logged like any request', async (t) => {
  const { app, db, port, lines, reachedFastify } = await serve(t)
  const { slug } = createPost(db, { title: 'Counted' })
  const url = `/posts/${slug}`
  await get(port, url, READER)
  await get(port, url, READER)
  await get(port, url, { ...READER, 'user-agent': GOOGLEBOT })
  assert.deepEqual(reachedFastify, [url], 'two of them were front-door hits')
  await app.stats.flush()
  assert.equal(pathRow(db, today(), url).views, 2, 'two reader views')
  assert.equal(dayRow(db, today()).botViews, 1, 'the crawler is counted apart')

  const requests = lines.filter((line) => line.msg === 'request' && line.url === url)
  assert.equal(requests.length, 3)
  for (const line of requests) {
    assert.equal(line.status, 200)
    assert.equal(line.method, 'GET')
    assert.equal(typeof line.ms, 'number')
    assert.match(String(line.reqId), /^req-/)
  }
  assert.equal(new Set(requests.map((line) => line.reqId)).size, 3, 'each request has its own id')
})

test('the visitor address counted at the front door is the one Fastify gives, behind any number of proxies', async () => {
  for (const hops of [0, 1, 2]) {
    const app = Fastify({ trustProxy: hops > 0 ? (_address: string, hop: number) => hop < hops : false })
    const seen: [string, string][] = []
    app.get('/', async (request) => {
      seen.push([request.ip, clientAddress(request.raw, hops)])
      return ''
    })
    for (const forwarded of [undefined, '198.51.100.1', '198.51.100.1, 203.0.113.9', ' a , b ,, c ']) {
      await app.inject({ url: '/', headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } })
    }
    for (const [fastify, ours] of seen) assert.equal(ours, fastify, `TRUST_PROXY=${hops}`)
    await app.close()
  }
})

test('during shutdown the front door leaves requests to graceful-close, which answers 503', async (t) => {
  let stopped: () => void = () => {}
  const holding = new Promise<void>((resolve) => {
    stopped = resolve
  })
  let entered: () => void = () => {}
  const closing = new Promise<void>((resolve) => {
    entered = resolve
  })
  const { app, db, port } = await serve(t, {}, (app) => {
    // Runs after graceful-close's preClose hook, while the server still listens.
    app.addHook('preClose', async () => {
      entered()
      await holding
    })
  })
  createPost(db, { title: 'Going down' })
  await get(port, '/')
  assert.equal((await get(port, '/')).status, 200)
  const closed = app.close()
  await closing
  const during = await get(port, '/')
  stopped()
  await closed
  assert.equal(during.status, 503)
  assert.match(during.body.toString(), /restarting/i)
})

test('an old permalink still redirects while the home page is cached, even one added after', async (t) => {
  const { db, port } = await serve(t)
  const { id } = createPost(db, { title: 'Imported' })
  await get(port, '/')
  await get(port, '/?p=7')
  const key = oldPathKey('/?p=7')
  assert.ok(key)
  addRedirect(db, key, { postId: id }, new Date())
  const res = await get(port, '/?p=7')
  assert.equal(res.status, 301)
  assert.match(String(res.headers.location), /^\/posts\//)
})

test('a post saved through the app shows on the next request at the front door', async (t) => {
  const { app, db, port } = await serve(t)
  createPost(db, { title: 'Older' })
  await get(port, '/')
  assert.doesNotMatch((await get(port, '/')).body.toString(), /Written through the app/)
  const author = await signIn(app, db)
  const saved = await author.post('/admin/posts', postForm({ title: 'Written through the app' }))
  assert.ok(saved.statusCode < 400, `saved: ${saved.statusCode}`)
  assert.match((await get(port, '/')).body.toString(), /Written through the app/)
})

test('a commit from another connection shows on the next request at the front door', async (t) => {
  const { db, path, port } = await serve(t)
  createPost(db, { title: 'Older' })
  await get(port, '/')
  assert.doesNotMatch((await get(port, '/')).body.toString(), /From the command line/)
  const other = openDatabase(path)
  savePost(other, { title: 'From the command line', kind: 'article', bodyMd: 'Hi.', status: 'published' })
  closeDatabase(other)
  assert.match((await get(port, '/')).body.toString(), /From the command line/)
})

test('with PAGE_CACHE_MB=0 every page is rendered afresh', async (t) => {
  const { app, db, port, reachedFastify } = await serve(t, { PAGE_CACHE_MB: '0' })
  createPost(db, { title: 'Uncached' })
  for (let i = 0; i < 3; i++) assert.equal((await get(port, '/posts')).status, 200)
  assert.deepEqual(reachedFastify, ['/posts', '/posts', '/posts'])
  assert.equal(app.pageCache.size, 0)
})
