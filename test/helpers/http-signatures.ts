// Owns the test peer's HTTP Signatures, written from the specifications without Folio's module.
// A remote server (Mastodon, say) signs and verifies with its own code, so this file must never
// import src/features/federation: a misreading of the spec shared by both sides would pass unseen.
// draft-cavage-http-signatures-12 section 2 (Signature, signing string) and RFC 3230 (Digest);
// RFC 9421 sections 2 and 4 (Signature-Input, signature base) and RFC 9530 (Content-Digest).
import { createHash, createSign, createVerify, generateKeyPairSync } from 'node:crypto'

export type PeerKeys = { publicKeyPem: string; privateKeyPem: string }

/** An RSA 2048 pair; PKCS#1 for the private key, unlike Folio's PKCS#8, as older servers keep it. */
export function peerKeys(): PeerKeys {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  })
  return { publicKeyPem: publicKey, privateKeyPem: privateKey }
}

const base64Sha256 = (body: string | Buffer): string => createHash('sha256').update(body).digest('base64')

/** draft-cavage 2.3: one `name: value` line per covered header, in order, joined by "\n". */
export function peerSigningString(
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  covered: readonly string[],
): string {
  const lines = covered.map((name) => {
    if (name === '(request-target)') return `(request-target): ${method.toLowerCase()} ${pathAndQuery}`
    const value = headers[name]
    if (value === undefined) throw new Error(`the peer cannot sign a header it does not send: ${name}`)
    return `${name}: ${value.trim()}`
  })
  return lines.join('\n')
}

export type PeerCavageOptions = {
  method: string
  url: string
  body?: string | Buffer
  keyId: string
  privateKeyPem: string
  date?: Date | string
  /** Header names to cover; by default `(request-target) host date`, plus `digest` with a body. */
  covered?: readonly string[]
  /** `null` leaves the parameter out, as some servers do. */
  algorithm?: string | null
  /** More headers to send (and to cover, if named in `covered`); a `digest` here replaces the peer's. */
  extra?: Record<string, string>
}

/** The request headers a peer sends, lowercased as Node hands them to a server. */
export function peerSignCavage(options: PeerCavageOptions): Record<string, string> {
  const url = new URL(options.url)
  const date = options.date ?? new Date()
  const headers: Record<string, string> = {
    host: url.host,
    date: typeof date === 'string' ? date : date.toUTCString(),
  }
  if (options.body !== undefined) headers.digest = `SHA-256=${base64Sha256(options.body)}`
  Object.assign(headers, options.extra)
  const covered = options.covered ?? [
    '(request-target)',
    'host',
    'date',
    ...(options.body !== undefined ? ['digest'] : []),
  ]
  const signingString = peerSigningString(options.method, url.pathname + url.search, headers, covered)
  const signer = createSign('RSA-SHA256')
  signer.update(signingString)
  const parts = [`keyId="${options.keyId}"`]
  const algorithm = options.algorithm === undefined ? 'rsa-sha256' : options.algorithm
  if (algorithm !== null) parts.push(`algorithm="${algorithm}"`)
  parts.push(`headers="${covered.join(' ')}"`, `signature="${signer.sign(options.privateKeyPem, 'base64')}"`)
  headers.signature = parts.join(',')
  return headers
}

/** Reads `name="value",name="value"` by walking it character by character. */
export function peerParseSignature(value: string): Record<string, string> {
  const params: Record<string, string> = {}
  let i = 0
  while (i < value.length) {
    const equals = value.indexOf('=', i)
    if (equals < 0 || value[equals + 1] !== '"') throw new Error(`the peer cannot read ${value}`)
    const name = value.slice(i, equals).trim()
    let end = equals + 2
    while (end < value.length && value[end] !== '"') end++
    params[name] = value.slice(equals + 2, end)
    i = end + 1
    while (value[i] === ',' || value[i] === ' ') i++
  }
  return params
}

/** How the peer checks a request Folio sent it: the signature, and the digest of the body. */
export function peerVerifyCavage(request: {
  method: string
  url: string
  headers: Record<string, string>
  body?: string | Buffer
  publicKeyPem: string
}): { valid: boolean; keyId: string; algorithm: string | undefined; covered: string[] } {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]))
  const params = peerParseSignature(headers.signature ?? '')
  const covered = (params.headers ?? 'date').split(' ')
  const url = new URL(request.url)
  const verifier = createVerify('RSA-SHA256')
  verifier.update(peerSigningString(request.method, url.pathname + url.search, headers, covered))
  let valid = verifier.verify(request.publicKeyPem, params.signature ?? '', 'base64')
  if (request.body !== undefined) valid &&= headers.digest === `SHA-256=${base64Sha256(request.body)}`
  return { valid, keyId: params.keyId ?? '', algorithm: params.algorithm, covered }
}

export type PeerRfc9421Options = {
  method: string
  url: string
  body?: string | Buffer
  keyId: string
  privateKeyPem: string
  /** Seconds since the epoch; `null` leaves `created` out. */
  created?: number | null
  /** By default "@method" "@target-uri", plus "content-digest" with a body. */
  components?: readonly string[]
  /** `null` leaves `alg` out, so the verifier goes by the key. */
  alg?: string | null
  extra?: Record<string, string>
}

/** RFC 9421: a `sig1` signature with Signature-Input, and Content-Digest (RFC 9530) for a body. */
export function peerSignRfc9421(options: PeerRfc9421Options): Record<string, string> {
  const url = new URL(options.url)
  const headers: Record<string, string> = { host: url.host, date: new Date().toUTCString() }
  if (options.body !== undefined) headers['content-digest'] = `sha-256=:${base64Sha256(options.body)}:`
  Object.assign(headers, options.extra)
  const components = options.components ?? [
    '@method',
    '@target-uri',
    ...(options.body !== undefined ? ['content-digest'] : []),
  ]
  const created = options.created === undefined ? Math.floor(Date.now() / 1000) : options.created
  const alg = options.alg === undefined ? 'rsa-v1_5-sha256' : options.alg
  const quoted = components.map((name) => name.replace(/^[^;]+/, (bare) => `"${bare}"`)) // "content-digest";sf
  let signatureParams = `(${quoted.join(' ')})`
  if (created !== null) signatureParams += `;created=${created}`
  signatureParams += `;keyid="${options.keyId}"`
  if (alg !== null) signatureParams += `;alg="${alg}"`
  const derived: Record<string, string> = {
    '@method': options.method.toUpperCase(),
    '@target-uri': url.href,
    '@authority': url.host,
    '@path': url.pathname,
    '@query': url.search || '?',
  }
  const base = components.map((name) => {
    const bare = name.replace(/;.*$/, '') // a component with parameters is signed like the plain one here
    const value = bare.startsWith('@') ? derived[bare] : headers[bare]
    if (value === undefined) throw new Error(`the peer cannot sign a component it does not send: ${name}`)
    return `"${bare}": ${value}`
  })
  base.push(`"@signature-params": ${signatureParams}`)
  const signer = createSign('RSA-SHA256')
  signer.update(base.join('\n'))
  headers['signature-input'] = `sig1=${signatureParams}`
  headers.signature = `sig1=:${signer.sign(options.privateKeyPem, 'base64')}:`
  return headers
}
