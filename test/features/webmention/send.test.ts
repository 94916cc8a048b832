// Checks sending Webmentions: the queue, endpoint discovery in every form the spec allows (against real loopback sites), the POST itself, retries, giving up, the SSRF guard and a hostile page.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { setImmediate } from 'node:timers/promises'
import { outgoingWebmentions } from '../../../src/db/schema.ts'
import { endpointInLinkHeader } from '../../../src/features/webmention/discover.ts'
import { endpointInHtml } from '../../../src/features/webmention/discover-html.ts'
import { queueWebmentions } from '../../../src/features/webmention/send.ts'
import { sendDueWebmentions } from '../../../src/features/webmention/send-worker.ts'
import { RETRY_DELAYS_MS } from '../../../src/features/webmention/worker.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { listenOnLoopback } from '../../helpers/loopback.ts'
import { htmlPage } from '../../helpers/mention-source.ts'

const SITE = 'https://blog.example.com'
const SOURCE = `${SITE}/posts/hello-world`

interface Received {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

interface Answer {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** An HTML body unless headers name another content type. */
  readonly body?: string
}

interface RemoteSite {
  readonly origin: string
  url(path: string): string
  /** Answers requests for `path` (query string included) with `answer`, or what the function returns for each. */
  on(path: string, answer: Answer | ((request: Received) => Answer)): void
  readonly requests: Received[]
  /** The POSTs that reached `path`. */
  posts(path: string): Received[]
}

/** Another website on a loopback port: pages, redirects and an endpoint as a test defines them; 404 elsewhere. */
async function startRemoteSite(t: TestContext): Promise<RemoteSite> {
  const answers = new Map<string, Answer | ((request: Received) => Answer)>()
  const requests: Received[] = []
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const received = {
      method: request.method ?? '',
      path: request.url ?? '/',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    }
    requests.push(received)
    const found = answers.get(received.path)
    const answer =
      typeof found === 'function' ? found(received) : (found ?? { status: 404, body: 'Not found' })
    response.writeHead(answer.status ?? 200, {
      'content-type': 'text/html; charset=utf-8',
      ...answer.headers,
    })
    response.end(answer.body ?? '')
  })
  const origin = await listenOnLoopback(t, server)
  return {
    origin,
    url: (path) => `${origin}${path}`,
    on: (path, answer) => void answers.set(path, answer),
    requests,
    posts: (path) => requests.filter((r) => r.method === 'POST' && r.path === path),
  }
}

async function blog(t: TestContext, env: Record<string, string> = {}) {
  return createTestApp(t, { SITE_URL: SITE, FETCH_ALLOW_PRIVATE: 'true', ...env })
}

/** Queues one mention of `target` from the post and sends everything due. */
async function mention(built: Awaited<ReturnType<typeof blog>>, target: string) {
  queueWebmentions(built.db, SOURCE, [target])
  await built.app.webmentionSender.drain()
}

const ACCEPTED: Answer = { status: 202, headers: { 'content-type': 'text/plain' }, body: 'Accepted' }

/** The one Webmention that reached `path`, as the receiver parsed it. */
function onlyMention(site: RemoteSite, path: string) {
  const posts = site.posts(path)
  assert.equal(
    posts.length,
    1,
    `one POST reached ${path}: ${JSON.stringify(site.requests.map((r) => r.path))}`,
  )
  const [post] = posts
  assert.ok(post)
  return Object.fromEntries(new URLSearchParams(post.body))
}

test('the POST is exactly source and target, form-encoded, and a sent mention leaves the queue', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  site.on('/article', {
    headers: { link: `<${site.url('/webmention')}>; rel="webmention"` },
    body: htmlPage(''),
  })
  site.on('/webmention', ACCEPTED)
  await mention(built, site.url('/article'))

  const [post] = site.posts('/webmention')
  assert.ok(post)
  assert.equal(post.headers['content-type'], 'application/x-www-form-urlencoded')
  assert.equal(
    post.body,
    `source=${encodeURIComponent(SOURCE)}&target=${encodeURIComponent(site.url('/article'))}`,
  )
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 0)
})

test('discovery: a Link header with an absolute, relative or several-valued rel endpoint, before any HTML', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  // The page's own <link> must lose to the header.
  const page = htmlPage('<link rel="webmention" href="/html-endpoint">')
  site.on('/absolute', { headers: { link: `<${site.url('/wm/absolute')}>; rel=webmention` }, body: page })
  site.on('/dir/relative', { headers: { link: '<relative-endpoint>; rel="webmention"' }, body: page })
  site.on('/several', {
    headers: {
      link: [
        '<https://cdn.example/a,b;c>; rel="preconnect"',
        '<https://other.example/feed>; rel=alternate; type="application/rss+xml"',
        '</wm/several?x=1>; title="a, b; c"; REL="authorization_endpoint Webmention"',
      ].join(', '),
    },
    body: page,
  })
  for (const path of ['/wm/absolute', '/dir/relative-endpoint', '/wm/several?x=1', '/html-endpoint'])
    site.on(path, ACCEPTED)

  for (const target of ['/absolute', '/dir/relative', '/several']) await mention(built, site.url(target))

  assert.equal(onlyMention(site, '/wm/absolute').target, site.url('/absolute'))
  assert.equal(onlyMention(site, '/dir/relative-endpoint').target, site.url('/dir/relative'))
  assert.equal(onlyMention(site, '/wm/several?x=1').target, site.url('/several'))
  assert.equal(site.posts('/html-endpoint').length, 0)
})

test('discovery: <link> in the head, <a> in the body, and an <a> that comes first wins over a later <link>', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  site.on('/head', {
    body: `<!doctype html><html><head><title>A page</title>
      <link rel="stylesheet" href="/style.css"><link rel="me webmention" href="/wm/head"></head><body></body></html>`,
  })
  site.on('/body', { body: htmlPage('<p>Send a <a href="/wm/body" rel="webmention">Webmention</a></p>') })
  site.on('/order', {
    body: htmlPage(
      '<a rel="webmention" href="/wm/a-first"></a><link rel="webmention" href="/wm/link-later">',
    ),
  })
  for (const path of ['/wm/head', '/wm/body', '/wm/a-first', '/wm/link-later']) site.on(path, ACCEPTED)

  for (const target of ['/head', '/body', '/order']) await mention(built, site.url(target))

  assert.equal(onlyMention(site, '/wm/head').target, site.url('/head'))
  assert.equal(onlyMention(site, '/wm/body').target, site.url('/body'))
  assert.equal(onlyMention(site, '/wm/a-first').target, site.url('/order'))
  assert.equal(site.posts('/wm/link-later').length, 0)
})

test('discovery: an empty href is the page itself, and a relative href keeps its query string', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  site.on('/self', (request) =>
    request.method === 'POST' ? ACCEPTED : { body: htmlPage('<link rel="webmention" href="">') },
  )
  site.on('/posts/query', {
    body: htmlPage('<link rel="webmention" href="../endpoint?version=1&amp;x=a%20b">'),
  })
  site.on('/endpoint?version=1&x=a%20b', ACCEPTED)

  await mention(built, site.url('/self'))
  await mention(built, site.url('/posts/query'))

  assert.equal(onlyMention(site, '/self').target, site.url('/self'))
  assert.equal(onlyMention(site, '/endpoint?version=1&x=a%20b').target, site.url('/posts/query'))
})

test('discovery: after a redirect, a relative endpoint resolves against the page it ended on, and the target stays as linked', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  site.on('/old', { status: 301, headers: { location: '/new/place/page' } })
  site.on('/new/place/page', { body: htmlPage('<link rel="webmention" href="endpoint">') })
  site.on('/linked', { status: 302, headers: { location: '/moved/here' } })
  site.on('/moved/here', { headers: { link: '<wm>; rel="webmention"' }, body: htmlPage('') })
  site.on('/new/place/endpoint', ACCEPTED)
  site.on('/moved/wm', ACCEPTED)

  await mention(built, site.url('/old'))
  await mention(built, site.url('/linked'))

  assert.equal(onlyMention(site, '/new/place/endpoint').target, site.url('/old'))
  assert.equal(onlyMention(site, '/moved/wm').target, site.url('/linked'))
})

test('a file too large to fetch whole is asked for its headers alone, whose Link header may name an endpoint', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  const video = { 'content-type': 'video/mp4' }
  const large = 'x'.repeat(1024 * 1024 + 1)
  site.on('/talk.mp4', { headers: { ...video, link: '</wm>; rel="webmention"' }, body: large })
  site.on('/slides.mp4', { headers: video, body: large })
  site.on('/wm', ACCEPTED)

  queueWebmentions(built.db, SOURCE, [site.url('/talk.mp4'), site.url('/slides.mp4')])
  await built.app.webmentionSender.drain()

  assert.equal(onlyMention(site, '/wm').target, site.url('/talk.mp4'))
  assert.deepEqual(
    site.requests.filter((r) => r.path === '/slides.mp4').map((r) => r.method),
    ['GET', 'HEAD'],
  )
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 0)
})

test('a page with no endpoint, a non-HTML body, or an endpoint that is not http(s) is sent nothing and leaves the queue', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  const advertised = '<link rel="webmention" href="/wm">'
  site.on('/plain', { body: htmlPage('<a href="/wm" rel="nofollow">not an endpoint</a>') })
  site.on('/text', { headers: { 'content-type': 'text/plain' }, body: advertised })
  site.on('/json', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advertised }) })
  site.on('/mailto', { body: htmlPage('<link rel="webmention" href="mailto:me@example.com">') })
  site.on('/gone', { status: 404, body: htmlPage(advertised) })
  site.on('/wm', ACCEPTED)

  queueWebmentions(built.db, SOURCE, ['/plain', '/text', '/json', '/mailto', '/gone'].map(site.url))
  await built.app.webmentionSender.drain()

  assert.equal(site.requests.filter((r) => r.method === 'POST').length, 0)
  assert.equal(site.requests.length, 5, 'each target was fetched once')
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 0)
})

test('an endpoint that answers 500 is tried again after a minute, and the mention is sent once', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  let calls = 0
  site.on('/article', { headers: { link: '</wm>; rel=webmention' } })
  site.on('/wm', () => {
    calls += 1
    return calls === 1 ? { status: 500, body: 'Oops' } : ACCEPTED
  })
  const start = new Date()
  queueWebmentions(built.db, SOURCE, [site.url('/article')], start)
  const options = { log: built.app.log }

  await sendDueWebmentions(built.db, built.config, { ...options, now: start })
  const waiting = built.db.select().from(outgoingWebmentions).get()
  assert.equal(waiting?.attempts, 1)
  assert.match(waiting?.lastError ?? '', /answered 500/)
  assert.equal(waiting?.nextAttemptAt.getTime(), start.getTime() + (RETRY_DELAYS_MS[0] ?? 0))

  await sendDueWebmentions(built.db, built.config, { ...options, now: new Date(start.getTime() + 30_000) })
  assert.equal(site.posts('/wm').length, 1, 'not before its time')
  await sendDueWebmentions(built.db, built.config, { ...options, now: waiting?.nextAttemptAt ?? start })
  await sendDueWebmentions(built.db, built.config, {
    ...options,
    now: new Date(start.getTime() + 86_400_000),
  })

  assert.equal(site.posts('/wm').length, 2)
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 0)
})

test('an endpoint that refuses with 400 is given up at once; one that keeps failing is given up after the last retry', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  site.on('/refuses', { headers: { link: '</wm/400>; rel=webmention' } })
  site.on('/wm/400', { status: 400, headers: { 'content-type': 'text/plain' }, body: 'target not found' })
  site.on('/down', { headers: { link: '</wm/503>; rel=webmention' } })
  site.on('/wm/503', { status: 503 })
  queueWebmentions(built.db, SOURCE, [site.url('/refuses'), site.url('/down')])

  let now = Date.now()
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt += 1) {
    await sendDueWebmentions(built.db, built.config, { log: built.app.log, now: new Date(now) })
    now += 7 * 60 * 60 * 1000
  }

  assert.equal(site.posts('/wm/400').length, 1)
  assert.equal(site.posts('/wm/503').length, RETRY_DELAYS_MS.length + 1)
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 0)
})

test('with FETCH_ALLOW_PRIVATE false, a target on 127.0.0.1 is refused without being fetched', async (t) => {
  const built = await blog(t, { FETCH_ALLOW_PRIVATE: 'false' })
  const site = await startRemoteSite(t)
  site.on('/article', { headers: { link: '</wm>; rel=webmention' } })
  site.on('/wm', ACCEPTED)

  await mention(built, site.url('/article'))

  assert.deepEqual(site.requests, [])
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 0, 'given up: asking again cannot change it')
})

test('queueing: links to the site itself and non-web URLs are skipped, and a target queued again starts over', async (t) => {
  const { db } = await blog(t)
  const then = new Date('2026-01-01T00:00:00Z')
  const queued = queueWebmentions(
    db,
    SOURCE,
    [
      'https://other.example/a',
      'https://other.example/a',
      `${SITE}/posts/another`,
      'mailto:me@example.com',
      'ftp://x/',
    ],
    then,
  )
  assert.equal(queued, 1)
  db.update(outgoingWebmentions).set({ attempts: 3, lastError: 'answered 503' }).run()

  const later = new Date('2026-01-02T00:00:00Z')
  assert.equal(queueWebmentions(db, SOURCE, ['https://other.example/a'], later), 1)
  const row = db.select().from(outgoingWebmentions).get()
  assert.deepEqual(
    { attempts: row?.attempts, lastError: row?.lastError, due: row?.nextAttemptAt.toISOString() },
    { attempts: 0, lastError: '', due: later.toISOString() },
  )
  assert.equal(rowCount(db, 'outgoing_webmentions'), 1)
})

test('a post changed while its mention was being sent is mentioned again', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  site.on('/article', { headers: { link: '</wm>; rel=webmention' } })
  site.on('/wm', () => {
    // The author saves the post again while the first mention is on its way.
    if (site.posts('/wm').length === 1) queueWebmentions(built.db, SOURCE, [site.url('/article')])
    return ACCEPTED
  })

  await mention(built, site.url('/article'))

  assert.equal(site.posts('/wm').length, 2)
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 0)
})

test('a LiteFS replica sends nothing', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  site.on('/article', { headers: { link: '</wm>; rel=webmention' } })
  writeFileSync(join(built.config.databasePath, '..', '.primary'), 'primary.internal')

  await mention(built, site.url('/article'))

  assert.deepEqual(site.requests, [])
  assert.equal(rowCount(built.db, 'outgoing_webmentions'), 1)
})

test('a hostile megabyte page is read to its end while the site keeps answering', async (t) => {
  const built = await blog(t)
  const site = await startRemoteSite(t)
  const hostile = [
    '<div>'.repeat(100_000),
    `<a ${'x="1" '.repeat(20_000)}>`,
    '<!---->'.repeat(10_000),
    '<link rel="not-webmention" href="/nope">'.repeat(5_000),
    '<script><link rel="webmention" href="/nope"></script>'.repeat(2_000),
    '<a rel="webmention" href="/wm">',
  ].join('')
  assert.ok(hostile.length > 900_000 && hostile.length < 1024 * 1024, `${hostile.length} characters`)
  site.on('/hostile', { body: hostile })
  site.on('/wm', ACCEPTED)
  site.on('/nope', ACCEPTED)

  queueWebmentions(built.db, SOURCE, [site.url('/hostile')])
  let sent = false
  const sending = built.app.webmentionSender.drain().finally(() => {
    sent = true
  })
  const meanwhile: number[] = []
  while (!sent) {
    meanwhile.push((await built.app.inject({ method: 'GET', url: '/healthz' })).statusCode)
    // inject() answers without the event loop turning: the fetch and the reading need it to.
    await setImmediate()
  }
  await sending

  assert.ok(meanwhile.length > 0 && meanwhile.every((status) => status === 200), String(meanwhile))
  assert.equal(onlyMention(site, '/wm').target, site.url('/hostile'))
  assert.equal(site.posts('/nope').length, 0)
})

test('endpointInHtml reads HTML as a browser does: comments, scripts, escaped text, rel words and missing hrefs', async () => {
  const page = 'https://site.example/dir/page'
  const cases: [string, string | undefined][] = [
    [
      '<!-- <link rel="webmention" href="/comment"> --><a rel=webmention href=/real>',
      'https://site.example/real',
    ],
    ['<!--><link rel="webmention" href="/after-empty-comment">', 'https://site.example/after-empty-comment'],
    ['<p>&lt;link rel="webmention" href="/escaped"&gt;</p>', undefined],
    [
      '<script>"<link rel=webmention href=/s>"</script ><link rel=webmention href=/t>',
      'https://site.example/t',
    ],
    ['<title><a rel=webmention href=/x></title>', undefined],
    ['<link rel="not-webmention" href="/no"><link rel="Webmention" href="/yes">', 'https://site.example/yes'],
    ['<link rel="webmention"><link rel="webmention" href="/with-href">', 'https://site.example/with-href'],
    ['<a title="a > b" rel="webmention" href="x?a=1&amp;b=&#x32;">', 'https://site.example/dir/x?a=1&b=2'],
    ['<base href="/other/"><link rel=webmention href=wm>', 'https://site.example/other/wm'],
    ['<LINK REL="WEBMENTION" HREF=/upper>', 'https://site.example/upper'],
    ['<link rel="webmention" href=" ">', page],
    ['<a rel="webmention" href="/unfinished', undefined],
    ['<plaintext><link rel=webmention href=/p>', undefined],
  ]
  for (const [html, expected] of cases) assert.equal(await endpointInHtml(html, page), expected, html)
})

test('endpointInLinkHeader follows RFC 8288: quoted or bare rel, any case, commas inside URLs and quotes', () => {
  const base = 'https://site.example/a/page'
  const cases: [string, string | undefined][] = [
    ['<https://wm.example/e>; rel="webmention"', 'https://wm.example/e'],
    ['<e>; rel=webmention', 'https://site.example/a/e'],
    ['<>; rel=webmention', base],
    [
      '<https://x.example/a,b>; rel="other", </wm?a=1;b=2>; Rel="x WebMention"',
      'https://site.example/wm?a=1;b=2',
    ],
    ['</x>; title="rel=webmention, <y>"; rel=other', undefined],
    ['</x>; rel="not-webmention"', undefined],
    ['garbage, </wm>; rel=webmention', 'https://site.example/wm'],
    ['</a>; rel=webmention, </b>; rel=webmention', 'https://site.example/a'],
  ]
  for (const [header, expected] of cases) assert.equal(endpointInLinkHeader(header, base), expected, header)
})
