// Checks HTTP Signatures against an independently written peer and the draft's own test vectors, with real keys.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { test } from 'node:test'
import {
  digestHeader,
  type FetchKey,
  generateKeyPair,
  parseSignatureHeader,
  type RemoteKey,
  signRequest,
  type VerifyRequestInput,
  verifyRequest,
} from '../../../src/features/federation/signatures.ts'
import {
  type PeerCavageOptions,
  type PeerRfc9421Options,
  peerKeys,
  peerSignCavage,
  peerSignRfc9421,
  peerVerifyCavage,
} from '../../helpers/http-signatures.ts'

const alice = { ...peerKeys(), keyId: 'https://social.example/users/alice#main-key' }
const mallory = peerKeys()
const folio = await generateKeyPair()
const aliceKey: RemoteKey = { publicKeyPem: alice.publicKeyPem, owner: 'https://social.example/users/alice' }
const INBOX = 'https://blog.example/inbox'
const ACTIVITY = JSON.stringify({
  type: 'Follow',
  actor: aliceKey.owner,
  object: 'https://blog.example/actor',
})
const HOUR = 60 * 60 * 1000

/** A key directory that records every look-up; `fresh` is what a refetch (after a failure) finds. */
function keyServer(first: RemoteKey | undefined | Error, fresh: RemoteKey | undefined = first as RemoteKey) {
  const calls: { keyId: string; refresh: boolean }[] = []
  const fetchKey: FetchKey = async (keyId, options) => {
    calls.push({ keyId, refresh: options?.refresh === true })
    if (options?.refresh) return fresh
    if (first instanceof Error) throw first
    return first
  }
  return { fetchKey, calls }
}

type Received = { method?: string; path?: string; headers: Record<string, string>; body?: string }

/** What the inbox route will do: hand the request as received to verifyRequest. */
function verifyReceived(request: Received, fetchKey: FetchKey, extra: Partial<VerifyRequestInput> = {}) {
  return verifyRequest({
    method: request.method ?? 'POST',
    path: request.path ?? '/inbox',
    headers: request.headers,
    body: request.body,
    fetchKey,
    ...extra,
  })
}

const signedPost = (options: Partial<PeerCavageOptions> = {}) =>
  peerSignCavage({ method: 'POST', url: INBOX, body: ACTIVITY, ...alice, ...options })
const signedPost9421 = (options: Partial<PeerRfc9421Options> = {}) =>
  peerSignRfc9421({ method: 'POST', url: INBOX, body: ACTIVITY, ...alice, ...options })

test('a POST signed by the independent peer verifies, and the owner is the one the key fetch named', async () => {
  const keys = keyServer(aliceKey)
  const result = await verifyReceived({ headers: signedPost(), body: ACTIVITY }, keys.fetchKey)
  assert.deepEqual(result, { ok: true, keyId: alice.keyId, owner: aliceKey.owner })
  assert.deepEqual(keys.calls, [{ keyId: alice.keyId, refresh: false }])
})

test('a GET signed by the peer (a signed key fetch) verifies without a digest', async () => {
  const url = 'https://blog.example/actor?format=json'
  const headers = peerSignCavage({ method: 'GET', url, ...alice })
  assert.equal(headers.digest, undefined)
  const result = await verifyReceived(
    { method: 'GET', path: '/actor?format=json', headers },
    keyServer(aliceKey).fetchKey,
  )
  assert.equal(result.ok, true)
})

test('hs2019 and a missing algorithm are read as RSA-SHA256, as Mastodon reads them', async () => {
  for (const algorithm of ['hs2019', null]) {
    const result = await verifyReceived(
      { headers: signedPost({ algorithm }), body: ACTIVITY },
      keyServer(aliceKey).fetchKey,
    )
    assert.equal(result.ok, true, String(algorithm))
  }
})

test('a POST Folio signs verifies with the peer, over (request-target) host date digest with rsa-sha256', () => {
  const now = new Date('2026-03-01T10:00:00Z')
  const headers = signRequest({
    method: 'POST',
    url: 'https://social.example/users/alice/inbox',
    headers: { 'Content-Type': 'application/activity+json' },
    body: ACTIVITY,
    keyId: 'https://blog.example/actor#main-key',
    privateKeyPem: folio.privateKeyPem,
    now,
  })
  assert.equal(headers.Date, 'Sun, 01 Mar 2026 10:00:00 GMT')
  assert.equal(headers.Host, 'social.example')
  assert.equal(headers['Content-Type'], 'application/activity+json')
  assert.equal(headers.Digest, `SHA-256=${crypto.createHash('sha256').update(ACTIVITY).digest('base64')}`)
  const seen = peerVerifyCavage({
    method: 'POST',
    url: 'https://social.example/users/alice/inbox',
    headers,
    body: ACTIVITY,
    publicKeyPem: folio.publicKeyPem,
  })
  assert.deepEqual(seen, {
    valid: true,
    keyId: 'https://blog.example/actor#main-key',
    algorithm: 'rsa-sha256',
    covered: ['(request-target)', 'host', 'date', 'digest'],
  })
  assert.equal(
    peerVerifyCavage({
      method: 'POST',
      url: 'https://social.example/users/alice/inbox',
      headers,
      body: `${ACTIVITY} `,
      publicKeyPem: folio.publicKeyPem,
    }).valid,
    false,
    'the peer notices a changed body',
  )
})

test('a GET Folio signs (a key fetch under authorized fetch) covers (request-target) host date', () => {
  const url = 'https://social.example/users/alice?page=2'
  const headers = signRequest({ method: 'GET', url, keyId: 'https://blog.example/actor#main-key', ...folio })
  assert.equal(headers.Digest, undefined)
  const seen = peerVerifyCavage({ method: 'GET', url, headers, publicKeyPem: folio.publicKeyPem })
  assert.equal(seen.valid, true)
  assert.deepEqual(seen.covered, ['(request-target)', 'host', 'date'])
})

test('the signing string is lowercased names and "(request-target): post /inbox", exactly', () => {
  const now = new Date('2026-03-01T10:00:00Z')
  const headers = signRequest({
    method: 'POST',
    url: 'https://Social.Example:8443/inbox',
    body: '{}',
    keyId: 'https://blog.example/actor#main-key',
    privateKeyPem: folio.privateKeyPem,
    now,
  })
  const expected = [
    '(request-target): post /inbox',
    'host: social.example:8443',
    'date: Sun, 01 Mar 2026 10:00:00 GMT',
    'digest: SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=',
  ].join('\n')
  const signature = parseSignatureHeader(headers.Signature ?? '')?.signature
  assert.ok(signature)
  assert.ok(crypto.verify('sha256', Buffer.from(expected), folio.publicKeyPem, signature))
})

// draft-cavage-http-signatures-12, Appendix C: the test key and two of its worked examples.
const SPEC_KEY: RemoteKey = {
  owner: 'https://example.com/test',
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----`,
}
const SPEC_BODY = '{"hello": "world"}'
const SPEC_HEADERS = {
  host: 'example.com',
  date: 'Sun, 05 Jan 2014 21:31:40 GMT',
  'content-type': 'application/json',
  digest: 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
  'content-length': '18',
}
const SPEC_REQUEST = { path: '/foo?param=value&pet=dog', body: SPEC_BODY }
const SPEC_NOW = { now: new Date('2014-01-05T21:31:40Z') }

test("the draft's own examples: the all-headers test verifies, the basic test (no digest on a POST) is refused", async () => {
  assert.equal(digestHeader(SPEC_BODY), SPEC_HEADERS.digest)
  const allHeaders =
    'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="'
  const keys = keyServer(SPEC_KEY)
  const verified = await verifyReceived(
    { ...SPEC_REQUEST, headers: { ...SPEC_HEADERS, signature: allHeaders } },
    keys.fetchKey,
    SPEC_NOW,
  )
  assert.deepEqual(verified, { ok: true, keyId: 'Test', owner: SPEC_KEY.owner })
  assert.deepEqual(keys.calls, [{ keyId: 'Test', refresh: false }])

  const basic =
    'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="'
  const refused = await verifyReceived(
    { ...SPEC_REQUEST, headers: { ...SPEC_HEADERS, signature: basic } },
    keyServer(SPEC_KEY).fetchKey,
    SPEC_NOW,
  )
  assert.equal(refused.ok || refused.reason, 'headers-not-covered')
})

type Case = {
  name: string
  request: () => Received
  fetch?: () => ReturnType<typeof keyServer>
  reason: string
  fetches: number
}

const withoutHeader = (headers: Record<string, string>, name: string) => {
  const { [name]: _dropped, ...rest } = headers
  return rest
}
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR)

const CAVAGE_FAILURES: Case[] = [
  {
    name: 'an unsigned request',
    request: () => ({ headers: { host: 'blog.example' }, body: ACTIVITY }),
    reason: 'no-signature',
    fetches: 0,
  },
  {
    name: 'a signature header that is not one',
    request: () => ({ headers: { ...signedPost(), signature: 'Bearer abc, "' }, body: ACTIVITY }),
    reason: 'unparsable',
    fetches: 0,
  },
  {
    name: 'an HMAC algorithm',
    request: () => ({ headers: signedPost({ algorithm: 'hmac-sha256' }), body: ACTIVITY }),
    reason: 'unsupported-algorithm',
    fetches: 0,
  },
  {
    name: 'a POST whose signature leaves out the digest',
    request: () => ({
      headers: signedPost({ covered: ['(request-target)', 'host', 'date'] }),
      body: ACTIVITY,
    }),
    reason: 'headers-not-covered',
    fetches: 0,
  },
  {
    name: 'a signature that leaves out the host',
    request: () => ({
      headers: signedPost({ covered: ['(request-target)', 'date', 'digest'] }),
      body: ACTIVITY,
    }),
    reason: 'headers-not-covered',
    fetches: 0,
  },
  {
    name: 'a GET whose signature leaves out the request target',
    request: () => ({
      method: 'GET',
      path: '/actor',
      headers: peerSignCavage({
        method: 'GET',
        url: 'https://blog.example/actor',
        ...alice,
        covered: ['host', 'date'],
      }),
    }),
    reason: 'headers-not-covered',
    fetches: 0,
  },
  {
    name: 'a signed header the request does not carry',
    request: () => {
      const headers = signedPost({
        covered: ['(request-target)', 'host', 'date', 'digest', 'content-type'],
        extra: { 'content-type': 'application/activity+json' },
      })
      return { headers: withoutHeader(headers, 'content-type'), body: ACTIVITY }
    },
    reason: 'headers-not-covered',
    fetches: 0,
  },
  {
    name: 'a Date removed after signing',
    request: () => ({ headers: withoutHeader(signedPost(), 'date'), body: ACTIVITY }),
    reason: 'date-missing',
    fetches: 0,
  },
  {
    name: 'a Date that is not a date',
    request: () => ({ headers: signedPost({ date: 'yesterday at noon' }), body: ACTIVITY }),
    reason: 'date-invalid',
    fetches: 0,
  },
  {
    name: 'a Date without a timezone',
    request: () => ({ headers: signedPost({ date: '2026-03-01 10:00:00' }), body: ACTIVITY }),
    reason: 'date-invalid',
    fetches: 0,
  },
  {
    name: 'a Date 13 hours old',
    request: () => ({ headers: signedPost({ date: hoursAgo(13) }), body: ACTIVITY }),
    reason: 'date-outside-window',
    fetches: 0,
  },
  {
    name: 'a Date 13 hours in the future',
    request: () => ({ headers: signedPost({ date: hoursAgo(-13) }), body: ACTIVITY }),
    reason: 'date-outside-window',
    fetches: 0,
  },
  {
    name: 'a Digest removed after signing',
    request: () => ({ headers: withoutHeader(signedPost(), 'digest'), body: ACTIVITY }),
    reason: 'digest-missing',
    fetches: 0,
  },
  {
    name: 'a body changed after signing',
    request: () => ({ headers: signedPost(), body: ACTIVITY.replace('Follow', 'Delete') }),
    reason: 'digest-mismatch',
    fetches: 0,
  },
  {
    name: 'a Digest in SHA-512 only',
    request: () => ({
      headers: signedPost({
        extra: { digest: `SHA-512=${crypto.createHash('sha512').update(ACTIVITY).digest('base64')}` },
      }),
      body: ACTIVITY,
    }),
    reason: 'digest-unsupported',
    fetches: 0,
  },
  {
    name: 'a key nobody serves',
    request: () => ({ headers: signedPost(), body: ACTIVITY }),
    fetch: () => keyServer(undefined),
    reason: 'key-not-found',
    fetches: 1,
  },
  {
    name: 'a key server that fails',
    request: () => ({ headers: signedPost(), body: ACTIVITY }),
    fetch: () => keyServer(new Error('connect ECONNREFUSED')),
    reason: 'key-not-found',
    fetches: 1,
  },
  {
    name: "a request signed with another key than the keyId's",
    request: () => ({ headers: signedPost({ privateKeyPem: mallory.privateKeyPem }), body: ACTIVITY }),
    reason: 'bad-signature',
    fetches: 2,
  },
  {
    name: 'a Host changed after signing',
    request: () => ({ headers: { ...signedPost(), host: 'other.example' }, body: ACTIVITY }),
    reason: 'bad-signature',
    fetches: 2,
  },
  {
    name: 'a request replayed to another path',
    request: () => ({ path: '/users/author/inbox', headers: signedPost(), body: ACTIVITY }),
    reason: 'bad-signature',
    fetches: 2,
  },
]

for (const { name, request, fetch, reason, fetches } of CAVAGE_FAILURES) {
  test(`draft-cavage: ${name} is refused (${reason}) after ${fetches} key fetch(es)`, async () => {
    const keys = (fetch ?? (() => keyServer(aliceKey)))()
    const result = await verifyReceived(request(), keys.fetchKey)
    assert.equal(result.ok || result.reason, reason)
    assert.equal(keys.calls.length, fetches)
    if (fetches === 2)
      assert.deepEqual(keys.calls[1], { keyId: alice.keyId, refresh: true }, 'the retry asks for a fresh key')
  })
}

test('a Date 11 hours old is still inside the window', async () => {
  const result = await verifyReceived(
    { headers: signedPost({ date: hoursAgo(11) }), body: ACTIVITY },
    keyServer(aliceKey).fetchKey,
  )
  assert.equal(result.ok, true)
})

test('a rotated key is fetched again once, and the request then verifies with the owner of the new key', async () => {
  const rotated = peerKeys()
  const keys = keyServer(aliceKey, { publicKeyPem: rotated.publicKeyPem, owner: aliceKey.owner })
  const result = await verifyReceived(
    { headers: signedPost({ privateKeyPem: rotated.privateKeyPem }), body: ACTIVITY },
    keys.fetchKey,
  )
  assert.deepEqual(result, { ok: true, keyId: alice.keyId, owner: aliceKey.owner })
  assert.deepEqual(
    keys.calls.map((call) => call.refresh),
    [false, true],
  )
})

test('results carry a reason and fixed text, never key material', async () => {
  const results = [
    await verifyReceived({ headers: signedPost(), body: ACTIVITY }, keyServer(aliceKey).fetchKey),
    await verifyReceived(
      { headers: signedPost({ privateKeyPem: mallory.privateKeyPem }), body: ACTIVITY },
      keyServer(aliceKey).fetchKey,
    ),
  ]
  for (const result of results) {
    const text = JSON.stringify(result)
    assert.doesNotMatch(text, /BEGIN|PRIVATE|MIIB/)
  }
  assert.deepEqual(Object.keys(results[1] ?? {}).sort(), ['message', 'ok', 'reason'])
})

test('RFC 9421: a POST over "@method" "@target-uri" "content-digest" verifies, and so does one over "@authority" "@path"', async () => {
  for (const components of [undefined, ['@method', '@authority', '@path', 'content-digest', 'date']]) {
    const keys = keyServer(aliceKey)
    const result = await verifyReceived(
      { headers: signedPost9421({ components }), body: ACTIVITY },
      keys.fetchKey,
    )
    assert.deepEqual(result, { ok: true, keyId: alice.keyId, owner: aliceKey.owner }, String(components))
    assert.equal(keys.calls.length, 1)
  }
  const get = peerSignRfc9421({ method: 'GET', url: 'https://blog.example/actor', ...alice, alg: null })
  const result = await verifyReceived(
    { method: 'GET', path: '/actor', headers: get },
    keyServer(aliceKey).fetchKey,
  )
  assert.equal(result.ok, true, 'a GET without a body, and without alg: the key decides')
})

const RFC9421_FAILURES: Case[] = [
  {
    name: 'a body changed after signing',
    request: () => ({ headers: signedPost9421(), body: `${ACTIVITY} ` }),
    reason: 'digest-mismatch',
    fetches: 0,
  },
  {
    name: 'a POST that does not cover content-digest',
    request: () => ({ headers: signedPost9421({ components: ['@method', '@target-uri'] }), body: ACTIVITY }),
    reason: 'headers-not-covered',
    fetches: 0,
  },
  {
    name: 'a signature over the path without the authority',
    request: () => ({
      headers: signedPost9421({ components: ['@method', '@path', 'content-digest'] }),
      body: ACTIVITY,
    }),
    reason: 'headers-not-covered',
    fetches: 0,
  },
  {
    name: 'a Content-Digest in SHA-512 only',
    request: () => ({
      headers: signedPost9421({
        extra: {
          'content-digest': `sha-512=:${crypto.createHash('sha512').update(ACTIVITY).digest('base64')}:`,
        },
      }),
      body: ACTIVITY,
    }),
    reason: 'digest-unsupported',
    fetches: 0,
  },
  {
    name: 'a signature created 13 hours ago',
    request: () => ({
      headers: signedPost9421({ created: Math.floor(hoursAgo(13).getTime() / 1000) }),
      body: ACTIVITY,
    }),
    reason: 'date-outside-window',
    fetches: 0,
  },
  {
    name: 'a signature with neither created nor a signed Date',
    request: () => ({ headers: signedPost9421({ created: null }), body: ACTIVITY }),
    reason: 'date-missing',
    fetches: 0,
  },
  {
    name: 'an Ed25519 algorithm',
    request: () => ({ headers: signedPost9421({ alg: 'ed25519' }), body: ACTIVITY }),
    reason: 'unsupported-algorithm',
    fetches: 0,
  },
  {
    name: 'a component with parameters',
    request: () => ({
      headers: signedPost9421({ components: ['@method', '@target-uri', 'content-digest;sf'] }),
      body: ACTIVITY,
    }),
    reason: 'unparsable',
    fetches: 0,
  },
  {
    name: 'a Signature-Input without a matching Signature',
    request: () => ({ headers: { ...signedPost9421(), signature: 'sig2=:AAAA:' }, body: ACTIVITY }),
    reason: 'unparsable',
    fetches: 0,
  },
  {
    name: 'a request signed with another key',
    request: () => ({ headers: signedPost9421({ privateKeyPem: mallory.privateKeyPem }), body: ACTIVITY }),
    reason: 'bad-signature',
    fetches: 2,
  },
  {
    name: 'a request replayed to another path',
    request: () => ({ path: '/users/author/inbox', headers: signedPost9421(), body: ACTIVITY }),
    reason: 'bad-signature',
    fetches: 2,
  },
]

for (const { name, request, reason, fetches } of RFC9421_FAILURES) {
  test(`RFC 9421: ${name} is refused (${reason}) after ${fetches} key fetch(es)`, async () => {
    const keys = keyServer(aliceKey)
    const result = await verifyReceived(request(), keys.fetchKey)
    assert.equal(result.ok || result.reason, reason)
    assert.equal(keys.calls.length, fetches)
  })
}

test('the Signature parser reads quoted commas and escapes, ignores unknown parameters, and refuses repeats', () => {
  const parsed = parseSignatureHeader(
    'keyid="https://x.example/a,b#k" , Algorithm="RSA-SHA256",foo="ba\\"r", headers="(request-target) Host date",created=1700000000,signature="AAEC"',
  )
  assert.deepEqual(parsed, {
    keyId: 'https://x.example/a,b#k',
    algorithm: 'rsa-sha256',
    headers: ['(request-target)', 'host', 'date'],
    signature: Buffer.from([0, 1, 2]),
    created: 1700000000,
    expires: undefined,
  })
  assert.equal(parseSignatureHeader('keyId="a",keyId="b",signature="AAEC"'), undefined, 'two keyIds')
  assert.equal(parseSignatureHeader('keyId="a",signature="not base64!"'), undefined)
  assert.equal(parseSignatureHeader('keyId="a" signature="AAEC"'), undefined, 'no comma')
  assert.equal(parseSignatureHeader('keyId="unterminated,signature="AAEC'), undefined)
  assert.equal(parseSignatureHeader(''), undefined)
})

test('hostile or huge signature headers are refused as unparsable, before any key is fetched', async () => {
  const hostile = [
    `keyId="${'a'.repeat(1_000_000)}",signature="AAEC"`,
    `keyId="${'\\'.repeat(4000)}`,
    `${'a='.repeat(2000)}`,
    `keyId="${'x,'.repeat(2000)}"`,
    `${' '.repeat(4090)},`,
    `keyId=${'"'.repeat(4000)}`,
  ]
  for (const signature of hostile) {
    const keys = keyServer(aliceKey)
    const result = await verifyReceived(
      { headers: { ...signedPost(), signature }, body: ACTIVITY },
      keys.fetchKey,
    )
    assert.equal(result.ok || result.reason, 'unparsable')
    assert.equal(keys.calls.length, 0)
  }
  const structured = [
    `sig1=(${'"a" '.repeat(1000)}`,
    `sig1=("@method";${'a;'.repeat(2000)}`,
    `sig1=${'('.repeat(4000)}`,
    `sig1=("${'\\'.repeat(4000)}")`,
    `sig1=("@method")${';keyid="x"'.repeat(100_000)}`,
  ]
  for (const signatureInput of structured) {
    const headers = { ...signedPost9421(), 'signature-input': signatureInput }
    const result = await verifyReceived({ headers, body: ACTIVITY }, keyServer(aliceKey).fetchKey)
    assert.equal(result.ok || result.reason, 'unparsable')
  }
  // How long the worst of these takes is a figure for the benchmark, not a timed assertion here.
})

test('generateKeyPair gives an RSA 2048 pair as SPKI and PKCS#8 PEMs that sign for the peer', () => {
  assert.match(folio.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/)
  assert.match(folio.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
  assert.equal(crypto.createPublicKey(folio.publicKeyPem).asymmetricKeyDetails?.modulusLength, 2048)
  const url = 'https://social.example/inbox'
  const headers = signRequest({
    method: 'POST',
    url,
    body: ACTIVITY,
    keyId: 'k',
    privateKeyPem: folio.privateKeyPem,
  })
  assert.equal(peerVerifyCavage({ method: 'POST', url, headers, body: ACTIVITY, ...folio }).valid, true)
})
