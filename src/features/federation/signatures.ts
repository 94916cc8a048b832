// Owns HTTP Signatures: signing outgoing federation requests and verifying incoming ones, over node:crypto.
import crypto from 'node:crypto'
import { promisify } from 'node:util'
import { parseContentDigest, parseRfc9421, parseSignatureHeader } from './signature-headers.ts'

export { MAX_SIGNATURE_HEADER_LENGTH, parseSignatureHeader } from './signature-headers.ts'

// Outgoing requests use draft-cavage-http-signatures-12 the way Mastodon does (rsa-sha256, Digest).
// Incoming requests may use that draft or RFC 9421 (Signature-Input, Content-Digest), its
// successor, which newer servers send. Cheap checks run before any key is fetched, so a forged
// request never makes Folio fetch anything. See docs/decisions/0010-federation-without-a-framework.md.

/** Mastodon's window: a signed Date more than 12 hours away from our clock, either way, is refused. */
export const MAX_SKEW_MS = 12 * 60 * 60 * 1000

export type HeaderRecord = Record<string, string | string[] | undefined>
export type RemoteKey = { publicKeyPem: string; owner: string }
/** Returns the key a keyId names (usually cached); `refresh` asks for a fresh copy after a failure. */
export type FetchKey = (keyId: string, options?: { refresh: true }) => Promise<RemoteKey | undefined>

/** Stable failure codes; the messages are fixed text, safe to log and to send back. */
export const VERIFY_FAILURES = {
  'no-signature': 'The request is not signed.',
  unparsable: 'The signature headers could not be read.',
  'unsupported-algorithm': 'Only rsa-sha256 (or hs2019 with an RSA key) and rsa-v1_5-sha256 are accepted.',
  'headers-not-covered':
    'The signature must cover the method and target, host, date, the digest when there is a body, and only headers the request carries.',
  'date-missing': 'The signed request has no Date (or created time).',
  'date-invalid': 'The Date header is not a date.',
  'date-outside-window': 'The signature is dated more than 12 hours away from now, or has expired.',
  'digest-missing': 'The request has a body but no digest of it.',
  'digest-unsupported': 'Only SHA-256 digests are accepted.',
  'digest-mismatch': 'The body does not match its digest.',
  'key-not-found': 'The signing key could not be fetched.',
  'bad-signature': 'The signature does not match the request.',
} as const
export type VerifyFailure = keyof typeof VERIFY_FAILURES
type Failure = { ok: false; reason: VerifyFailure; message: string }
export type VerifyResult = { ok: true; keyId: string; owner: string } | Failure

const fail = (reason: VerifyFailure): Failure => ({ ok: false, reason, message: VERIFY_FAILURES[reason] })
const sha256 = (data: Buffer | string): Buffer => crypto.createHash('sha256').update(data).digest()
/** Constant-time, so a forger learns nothing from how long a comparison took. */
const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && crypto.timingSafeEqual(a, b)

export const digestHeader = (body: Buffer | string): string => `SHA-256=${sha256(body).toString('base64')}`

const generateRsa = promisify(crypto.generateKeyPair)

/** The actor's key pair, generated once and stored; the private PEM never leaves the database. */
export async function generateKeyPair(): Promise<{ publicKeyPem: string; privateKeyPem: string }> {
  const { publicKey, privateKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { publicKeyPem: publicKey, privateKeyPem: privateKey }
}

export type SignRequestInput = {
  method: string
  url: string | URL
  /** Other headers to send; a Host or Date given here is signed instead of the generated one. */
  headers?: Record<string, string>
  body?: Buffer | string
  keyId: string
  privateKeyPem: string
  now?: Date
}

/**
 * Returns every header to send: the caller's, plus Host, Date, Digest (when there is a body, and
 * always on a POST) and Signature over `(request-target) host date [digest]`. We write
 * `algorithm="rsa-sha256"` as Mastodon does; draft 12 prefers the opaque "hs2019", which
 * verifiers treat as RSA-SHA256 for an RSA key, and some older servers refuse.
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const url = new URL(input.url)
  if (/["\\]/.test(input.keyId)) throw new Error('A keyId must not contain quotes or backslashes')
  const given = Object.entries(input.headers ?? {})
  const own = (name: string) => given.find(([key]) => key.toLowerCase() === name)?.[1]
  const host = own('host') ?? url.host
  const date = own('date') ?? (input.now ?? new Date()).toUTCString() // RFC 7231 IMF-fixdate
  const method = input.method.toLowerCase()
  const body = input.body ?? (method === 'get' || method === 'head' ? undefined : '')
  const signed: [string, string][] = [
    ['(request-target)', `${method} ${url.pathname}${url.search}`],
    ['host', host],
    ['date', date],
  ]
  const out: Record<string, string> = {}
  for (const [key, value] of given) {
    if (!['host', 'date', 'digest', 'signature'].includes(key.toLowerCase())) out[key] = value
  }
  out.Host = host
  out.Date = date
  if (body !== undefined) {
    out.Digest = digestHeader(body)
    signed.push(['digest', out.Digest])
  }
  const signingString = signed.map(([name, value]) => `${name}: ${value}`).join('\n')
  const signature = crypto.sign('sha256', Buffer.from(signingString), input.privateKeyPem).toString('base64')
  const names = signed.map(([name]) => name).join(' ')
  out.Signature = `keyId="${input.keyId}",algorithm="rsa-sha256",headers="${names}",signature="${signature}"`
  return out
}

export type VerifyRequestInput = {
  method: string
  /** The path with its query string, as received. */
  path: string
  /** Lowercased names, as Node gives them. */
  headers: HeaderRecord
  body?: Buffer | string
  fetchKey: FetchKey
  now?: Date
  maxSkewMs?: number
  /** Only for RFC 9421's "@target-uri": the scheme the public URL uses (SITE_URL's). */
  scheme?: string
}
type Context = Required<Omit<VerifyRequestInput, 'fetchKey'>> & { needsDigest: boolean }
/** What is left once the request passed every check but the signature itself. */
type Prepared = { ok: true; keyId: string; data: Buffer; signature: Buffer }

/** Verifies a request's signature; the caller must then check that `owner` is the activity's actor. */
export async function verifyRequest(input: VerifyRequestInput): Promise<VerifyResult> {
  const body = input.body ?? ''
  const context: Context = {
    method: input.method,
    path: input.path,
    headers: input.headers,
    body,
    now: input.now ?? new Date(),
    maxSkewMs: input.maxSkewMs ?? MAX_SKEW_MS,
    scheme: input.scheme ?? 'https',
    // Mastodon insists on a signed digest for every POST, empty or not.
    needsDigest: body.length > 0 || !['GET', 'HEAD'].includes(input.method.toUpperCase()),
  }
  const signature = header(input.headers, 'signature')
  if (signature === undefined) return fail('no-signature')
  const signatureInput = header(input.headers, 'signature-input')
  const prepared =
    signatureInput === undefined
      ? prepareCavage(context, signature)
      : prepareRfc9421(context, signatureInput, signature)
  if (!prepared.ok) return prepared
  return checkWithKey(input.fetchKey, prepared)
}

async function checkWithKey(fetchKey: FetchKey, { keyId, data, signature }: Prepared): Promise<VerifyResult> {
  const first = await fetchQuietly(fetchKey, keyId)
  if (!first) return fail('key-not-found')
  if (rsaVerifies(data, first.publicKeyPem, signature)) return { ok: true, keyId, owner: first.owner }
  // The sender may have rotated its key since we cached it: ask once more for a fresh copy.
  const fresh = await fetchQuietly(fetchKey, keyId, { refresh: true })
  return fresh && rsaVerifies(data, fresh.publicKeyPem, signature)
    ? { ok: true, keyId, owner: fresh.owner }
    : fail('bad-signature')
}

/** A key server that is down or answers nonsense is the sender's problem: a 401, never a 500. */
async function fetchQuietly(fetchKey: FetchKey, keyId: string, options?: { refresh: true }) {
  try {
    return await fetchKey(keyId, options)
  } catch {
    return undefined
  }
}

function rsaVerifies(data: Buffer, publicKeyPem: string, signature: Buffer): boolean {
  try {
    const key = crypto.createPublicKey(publicKeyPem)
    return key.asymmetricKeyType === 'rsa' && crypto.verify('sha256', data, key, signature)
  } catch {
    return false // not a PEM, or not a key
  }
}

function prepareCavage(context: Context, value: string): Prepared | Failure {
  const params = parseSignatureHeader(value)
  if (!params) return fail('unparsable')
  // hs2019 means "as the key says": like Mastodon, we take RSA keys only.
  if (params.algorithm && params.algorithm !== 'rsa-sha256' && params.algorithm !== 'hs2019') {
    return fail('unsupported-algorithm')
  }
  const required = ['(request-target)', 'host', 'date', ...(context.needsDigest ? ['digest'] : [])]
  if (!required.every((name) => params.headers.includes(name))) return fail('headers-not-covered')
  const digest = header(context.headers, 'digest')
  // RFC 3230: `SHA-256=<base64>, MD5=<base64>`; algorithm names are case-insensitive.
  const digests = digest?.split(',').map((part) => {
    const [name = '', value = ''] = part.trim().split(/=(.*)/s)
    return [name.toLowerCase(), Buffer.from(value, 'base64')] as const
  })
  const refused =
    checkTime(context, header(context.headers, 'date'), params.created, params.expires) ??
    checkDigest(context, digests)
  if (refused) return refused
  const lines: string[] = []
  for (const name of params.headers) {
    const value =
      name === '(request-target)'
        ? `${context.method.toLowerCase()} ${context.path}`
        : name === '(created)' || name === '(expires)'
          ? params[name === '(created)' ? 'created' : 'expires']?.toString()
          : header(context.headers, name)
    if (value === undefined) return fail('headers-not-covered')
    lines.push(`${name}: ${value}`)
  }
  return { ok: true, keyId: params.keyId, data: Buffer.from(lines.join('\n')), signature: params.signature }
}

function prepareRfc9421(context: Context, inputValue: string, signatureValue: string): Prepared | Failure {
  const params = parseRfc9421(inputValue, signatureValue)
  if (!params) return fail('unparsable')
  if (params.alg !== undefined && params.alg !== 'rsa-v1_5-sha256') return fail('unsupported-algorithm')
  const has = (name: string) => params.components.includes(name)
  const target = has('@target-uri') || (has('@authority') && (has('@path') || has('@request-target')))
  if (!has('@method') || !target || (context.needsDigest && !has('content-digest'))) {
    return fail('headers-not-covered')
  }
  if (params.created === undefined && !has('date')) return fail('date-missing')
  const digest = header(context.headers, 'content-digest')
  const digests = digest === undefined ? undefined : parseContentDigest(digest)
  if (digest !== undefined && !digests) return fail('unparsable')
  const date = has('date') ? header(context.headers, 'date') : null
  const refused = checkTime(context, date, params.created, params.expires) ?? checkDigest(context, digests)
  if (refused) return refused
  const lines: string[] = []
  for (const name of params.components) {
    const value = componentValue(context, name)
    if (value === undefined) return fail('headers-not-covered')
    lines.push(`"${name}": ${value}`)
  }
  lines.push(`"@signature-params": ${params.raw}`)
  return { ok: true, keyId: params.keyId, data: Buffer.from(lines.join('\n')), signature: params.signature }
}

/** RFC 9421 section 2: derived components ("@…") and header fields by their lowercased name. */
function componentValue({ method, path, scheme, headers }: Context, name: string): string | undefined {
  if (!name.startsWith('@')) return header(headers, name)
  const host = header(headers, 'host')?.toLowerCase()
  const query = path.indexOf('?')
  const derived: Record<string, string | undefined> = {
    '@method': method.toUpperCase(),
    '@authority': host,
    '@target-uri': host && `${scheme}://${host}${path}`,
    '@request-target': path,
    '@path': query < 0 ? path : path.slice(0, query),
    '@query': query < 0 ? '?' : path.slice(query),
  }
  return derived[name]
}

/**
 * The signed Date (null when a signature relies on `created` alone) must be within the window,
 * either way; so must `created` (seconds) when given, and `expires` must not have passed. A Date
 * must be an HTTP date in GMT: a zoneless one would be read in the server's timezone.
 */
function checkTime(context: Context, date: string | undefined | null, created?: number, expires?: number) {
  const now = context.now.getTime()
  const at = typeof date === 'string' ? Date.parse(date) : undefined
  if (date === undefined) return fail('date-missing')
  if (Number.isNaN(at) || (date !== null && !/^[\w, :-]+ GMT$/.test(date))) return fail('date-invalid')
  const times = [at, created === undefined ? undefined : created * 1000]
  if (times.some((time) => time !== undefined && Math.abs(now - time) > context.maxSkewMs)) {
    return fail('date-outside-window')
  }
  return expires !== undefined && now > expires * 1000 ? fail('date-outside-window') : undefined
}

/** Every SHA-256 digest given must match the body (compared in constant time); other algorithms alone are refused. */
function checkDigest(
  context: Context,
  digests: (readonly [string, unknown])[] | undefined,
): Failure | undefined {
  if (digests === undefined) return context.needsDigest ? fail('digest-missing') : undefined
  const sha = digests.filter(([name]) => name === 'sha-256').map(([, value]) => value)
  if (sha.length === 0) return context.needsDigest ? fail('digest-unsupported') : undefined
  const actual = sha256(context.body)
  return sha.every((value) => Buffer.isBuffer(value) && sameBytes(value, actual))
    ? undefined
    : fail('digest-mismatch')
}

function header(headers: HeaderRecord, name: string): string | undefined {
  const value = headers[name]
  return value === undefined ? undefined : (Array.isArray(value) ? value.join(', ') : value).trim()
}
