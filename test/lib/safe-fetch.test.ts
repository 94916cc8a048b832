// Checks the one way Folio fetches remote URLs, against real servers on loopback: SSRF refusals, limits, redirects.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type TestContext, test } from 'node:test'
import { isPublicAddress } from '../../src/lib/public-address.ts'
import { FetchRefusedError, safeFetch } from '../../src/lib/safe-fetch.ts'

interface Peer {
  readonly url: string
  readonly port: number
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[]
  readonly connections: () => number
}

/** A real HTTP server on 127.0.0.1 that records every connection and request it gets. */
async function startPeer(
  t: TestContext,
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<Peer> {
  const requests: Peer['requests'] = []
  let connections = 0
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString()
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
    handle(req, res, body)
  })
  server.on('connection', () => {
    connections += 1
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, port, requests, connections: () => connections }
}

/** Asserts that `promise` fails with a FetchRefusedError of `code`, and returns it. */
async function refused(promise: Promise<unknown>, code: string): Promise<FetchRefusedError> {
  const err = await promise.then(
    () => assert.fail(`expected a refusal (${code})`),
    (e: unknown) => e,
  )
  assert.ok(err instanceof FetchRefusedError, `a FetchRefusedError, got ${String(err)}`)
  assert.equal(err.code, code, err.message)
  return err
}

const PUBLIC = ['1.1.1.1', '8.8.8.8', '93.184.215.14', '11.0.0.1', '172.15.255.255', '172.32.0.0']
const PUBLIC_EDGES = [
  '100.63.255.255',
  '100.128.0.0',
  '192.167.255.255',
  '169.253.255.255',
  '223.255.255.255',
]
const PUBLIC_V6 = ['2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:1.1.1.1', '64:ff9b::808:808']
const NON_PUBLIC = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'IPv6 loopback'],
  ['0:0:0:0:0:0:0:1', 'IPv6 loopback, long form'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade NAT'],
  ['169.254.169.254', 'cloud metadata'],
  ['169.254.0.1', 'link-local'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'this network'],
  ['::', 'IPv6 unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['fc00::1', 'unique local'],
  ['fd12:3456:789a::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['FE80::abcd', 'link-local, upper case'],
  ['fe80::1%eth0', 'link-local with a zone'],
  ['ff02::1', 'IPv6 multicast'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata, hex form'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:192.168.0.1', 'IPv4-mapped private'],
  ['::ffff:100.64.0.1', 'IPv4-mapped carrier-grade NAT'],
  ['::ffff:0.0.0.0', 'IPv4-mapped unspecified'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
  ['64:ff9b::127.0.0.1', 'NAT64 of loopback'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['localhost', 'a name, not an address'],
  ['[::1]', 'an address in brackets'],
  ['', 'nothing'],
] as const

test('public addresses are public, and every loopback, private, link-local and special one is not', () => {
  for (const ip of [...PUBLIC, ...PUBLIC_EDGES, ...PUBLIC_V6]) assert.equal(isPublicAddress(ip), true, ip)
  for (const [ip, kind] of NON_PUBLIC) assert.equal(isPublicAddress(ip), false, `${ip} (${kind})`)
})

test('a GET reaches a loopback server when private addresses are allowed, headers both ways', async (t) => {
  const peer = await startPeer(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/activity+json', link: '<https://a.example/>; rel="x"' })
    res.end('{"type":"Person"}')
  })
  const response = await safeFetch(`${peer.url}/actor?x=1`, {
    allowPrivate: true,
    headers: { accept: 'application/activity+json', 'user-agent': 'Folio test' },
  })
  assert.equal(response.status, 200)
  assert.equal(response.url, `${peer.url}/actor?x=1`)
  assert.equal(response.headers.get('content-type'), 'application/activity+json')
  assert.equal(response.headers.get('link'), '<https://a.example/>; rel="x"')
  assert.equal(response.body.toString(), '{"type":"Person"}')
  assert.equal(peer.requests[0]?.url, '/actor?x=1')
  assert.equal(peer.requests[0]?.headers.accept, 'application/activity+json')
  assert.equal(peer.requests[0]?.headers['user-agent'], 'Folio test')
})

test('a POST sends its body and headers, for Webmention and deliveries', async (t) => {
  const peer = await startPeer(t, (_req, res, body) => res.writeHead(202).end(`got ${body}`))
  const body = 'source=https%3A%2F%2Fblog.example.com%2Fposts%2Fa&target=https%3A%2F%2Fb.example%2F'
  const response = await safeFetch(`${peer.url}/webmention`, {
    allowPrivate: true,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  })
  assert.equal(response.status, 202)
  assert.equal(response.body.toString(), `got ${body}`)
  assert.equal(peer.requests[0]?.method, 'POST')
  assert.equal(peer.requests[0]?.headers['content-type'], 'application/x-www-form-urlencoded')
  assert.equal(peer.requests[0]?.headers['content-length'], String(body.length))
})

test('redirects are followed to the final URL; 303 turns a POST into a GET, 307 keeps it', async (t) => {
  const peer = await startPeer(t, (req, res, body) => {
    if (req.url === '/old') res.writeHead(301, { location: '/new' }).end()
    else if (req.url === '/see-other') res.writeHead(303, { location: '/new' }).end()
    else if (req.url === '/temporary') res.writeHead(307, { location: '/new' }).end()
    else res.writeHead(200).end(`${req.method} ${body}`)
  })
  const moved = await safeFetch(`${peer.url}/old`, { allowPrivate: true })
  assert.equal(moved.url, `${peer.url}/new`)
  assert.equal(moved.body.toString(), 'GET ')
  const post = { allowPrivate: true, method: 'POST', body: 'a=1' } as const
  assert.equal((await safeFetch(`${peer.url}/see-other`, post)).body.toString(), 'GET ')
  assert.equal((await safeFetch(`${peer.url}/temporary`, post)).body.toString(), 'POST a=1')
})

test('credentials are not carried to another origin by a redirect', async (t) => {
  const other = await startPeer(t, (_req, res) => res.end('other'))
  const peer = await startPeer(t, (req, res) => {
    if (req.url === '/away') res.writeHead(302, { location: `${other.url}/x` }).end()
    else if (req.url === '/here') res.writeHead(302, { location: '/x' }).end()
    else res.end('same')
  })
  const options = { allowPrivate: true, headers: { authorization: 'Bearer secret', cookie: 'a=b' } }
  await safeFetch(`${peer.url}/here`, options)
  assert.equal(peer.requests[1]?.headers.authorization, 'Bearer secret')
  await safeFetch(`${peer.url}/away`, options)
  assert.equal(other.requests[0]?.headers.authorization, undefined)
  assert.equal(other.requests[0]?.headers.cookie, undefined)
})

test('loopback URLs are refused before any connection unless private addresses are allowed', async (t) => {
  const peer = await startPeer(t, (_req, res) => res.end('secret'))
  const byAddress = await refused(safeFetch(`${peer.url}/`, { allowPrivate: false }), 'private-address')
  assert.match(byAddress.reason, /resolves to a private address/)
  const byName = await refused(safeFetch(`http://localhost:${peer.port}/`), 'private-address')
  assert.match(byName.message, /localhost/)
  await refused(safeFetch(`http://[::ffff:127.0.0.1]:${peer.port}/`), 'private-address')
  await refused(safeFetch(`http://2130706433:${peer.port}/`), 'private-address')
  assert.equal(peer.connections(), 0)
  assert.equal(peer.requests.length, 0)
})

test('a name is refused if any one of its addresses is private', async () => {
  const resolve = async (name: string) =>
    name === 'mixed.test'
      ? [
          { address: '93.184.215.14', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ]
      : []
  const err = await refused(safeFetch('https://mixed.test/inbox', { resolve }), 'private-address')
  assert.match(err.reason, /10\.0\.0\.7/)
  await refused(safeFetch('https://nowhere.test/', { resolve }), 'unresolvable')
})

test('the connection goes to the address that was checked, not to a second DNS answer', async (t) => {
  const peer = await startPeer(t, (_req, res) => res.end('pinned'))
  let lookups = 0
  const resolve = async () => {
    lookups += 1
    return [{ address: '127.0.0.1', family: 4 }]
  }
  // blog.test exists in no real DNS: reaching the peer proves the checked answer was used to connect.
  const response = await safeFetch(`http://blog.test:${peer.port}/`, { allowPrivate: true, resolve })
  assert.equal(response.body.toString(), 'pinned')
  assert.equal(peer.requests[0]?.headers.host, `blog.test:${peer.port}`)
  assert.equal(lookups, 1)
})

test('a redirect from an allowed host to a private or metadata address is refused', async (t) => {
  const peer = await startPeer(t, (req, res) => {
    const to = req.url === '/to-metadata' ? 'http://metadata.test/latest/meta-data/' : 'http://intranet.test/'
    res.writeHead(302, { location: to }).end()
  })
  const resolve = async (name: string) => [
    { address: name === 'metadata.test' ? '169.254.169.254' : '10.1.2.3', family: 4 },
  ]
  // The peer's loopback address stands in for a public host; the rule is the real one for the rest.
  const allowAddress = (ip: string) => ip === '127.0.0.1' || isPublicAddress(ip)
  const options = { resolve, allowAddress }
  const metadata = await refused(safeFetch(`${peer.url}/to-metadata`, options), 'private-address')
  assert.match(metadata.reason, /169\.254\.169\.254/)
  await refused(safeFetch(`${peer.url}/to-intranet`, options), 'private-address')
  assert.equal(peer.requests.length, 2)
})

test('only http and https URLs without credentials are fetched, redirects included', async (t) => {
  for (const url of [
    'file:///etc/passwd',
    'ftp://example.com/',
    'gopher://example.com/',
    'data:,x',
    'nope',
  ]) {
    const err = await refused(safeFetch(url, { allowPrivate: true }), 'not-http')
    assert.match(err.reason, /not an http\(s\) URL/)
  }
  await refused(safeFetch('http://user:pass@example.com/', { allowPrivate: true }), 'credentials')
  const peer = await startPeer(t, (req, res) => {
    const to = req.url === '/file' ? 'file:///etc/passwd' : `http://me:pw@127.0.0.1:${peer.port}/`
    res.writeHead(302, { location: to }).end()
  })
  await refused(safeFetch(`${peer.url}/file`, { allowPrivate: true }), 'not-http')
  await refused(safeFetch(`${peer.url}/credentials`, { allowPrivate: true }), 'credentials')
})

test('more redirects than allowed are refused; exactly that many are followed', async (t) => {
  const peer = await startPeer(t, (req, res) => {
    const n = Number(req.url?.slice(1))
    if (n > 0) res.writeHead(302, { location: `/${n - 1}` }).end()
    else res.end('arrived')
  })
  assert.equal((await safeFetch(`${peer.url}/3`, { allowPrivate: true })).body.toString(), 'arrived')
  const before = peer.requests.length
  const err = await refused(safeFetch(`${peer.url}/4`, { allowPrivate: true }), 'too-many-redirects')
  assert.match(err.reason, /too many redirects/)
  assert.equal(peer.requests.length - before, 4)
  await refused(safeFetch(`${peer.url}/1`, { allowPrivate: true, maxRedirects: 0 }), 'too-many-redirects')
})

test('a chunked body over the cap is cut off at once and the server sees its socket closed', async (t) => {
  let closed: Promise<unknown> = Promise.resolve()
  let finished = false
  const peer = await startPeer(t, (_req, res) => {
    closed = once(res, 'close')
    res.on('finish', () => {
      finished = true
    })
    const chunk = Buffer.alloc(16 * 1024, 'x')
    const timer = setInterval(() => res.write(chunk), 2)
    res.on('close', () => clearInterval(timer))
  })
  const err = await refused(safeFetch(peer.url, { allowPrivate: true, maxBytes: 64 * 1024 }), 'too-large')
  assert.match(err.reason, /larger than 64 KB/)
  await closed
  assert.equal(finished, false, 'the server never got to finish its endless body')
})

test('the default cap is 1 MB; a body of exactly the cap is kept, a declared larger one refused', async (t) => {
  const peer = await startPeer(t, (req, res) => {
    if (req.url === '/declared') res.writeHead(200, { 'content-length': String(2 ** 21) }).write('x')
    else res.end(Buffer.alloc(req.url === '/exact' ? 2 ** 20 : 2 ** 20 + 1))
  })
  assert.equal((await safeFetch(`${peer.url}/exact`, { allowPrivate: true })).body.length, 2 ** 20)
  const err = await refused(safeFetch(`${peer.url}/over`, { allowPrivate: true }), 'too-large')
  assert.match(err.reason, /larger than 1(\.0)? MB/)
  await refused(safeFetch(`${peer.url}/declared`, { allowPrivate: true }), 'too-large')
})

test('a server that never answers, or stalls mid-body, times out and is hung up on', async (t) => {
  const sockets: Promise<unknown>[] = []
  const peer = await startPeer(t, (req, res) => {
    sockets.push(once(res, 'close'))
    if (req.url === '/stall') res.writeHead(200).write('partial')
  })
  for (const path of ['/silent', '/stall']) {
    const started = Date.now()
    const err = await refused(
      safeFetch(`${peer.url}${path}`, { allowPrivate: true, timeoutMs: 200 }),
      'timeout',
    )
    assert.match(err.reason, /timed out after 0\.2 s/)
    assert.ok(Date.now() - started < 2000, 'gave up near the deadline')
  }
  await Promise.all(sockets)
})

test('the timeout covers a DNS lookup that never returns', async () => {
  const resolve = () => new Promise<never>(() => {})
  await refused(safeFetch('https://slow-dns.test/', { resolve, timeoutMs: 100 }), 'timeout')
})

test('a closed port is reported as unreachable', async () => {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const free = (server.address() as AddressInfo).port
  server.close()
  await once(server, 'close')
  await refused(safeFetch(`http://127.0.0.1:${free}/`, { allowPrivate: true }), 'unreachable')
})
