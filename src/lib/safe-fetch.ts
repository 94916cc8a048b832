// Owns fetching a remote URL for a visitor or the author: SSRF checks, timeout, size cap, redirects.
import { promises as dns, type LookupAddress } from 'node:dns'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { formatBytes } from './format-bytes.ts'
import { isPublicAddress } from './public-address.ts'

export type FetchRefusal =
  | 'not-http'
  | 'credentials'
  | 'private-address'
  | 'unresolvable'
  | 'unreachable'
  | 'too-large'
  | 'timeout'
  | 'too-many-redirects'

/** Refusals that asking again cannot change; the rest (DNS, connection, timeout) may pass later. */
export const FINAL_REFUSALS: ReadonlySet<FetchRefusal> = new Set([
  'not-http',
  'credentials',
  'private-address',
  'too-large',
  'too-many-redirects',
])

/** Folio got no response it may use; `reason` is written for a person, `code` is for code. */
export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError'
  constructor(
    readonly code: FetchRefusal,
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`)
  }
}

export interface SafeFetchOptions {
  readonly method?: 'GET' | 'HEAD' | 'POST'
  readonly headers?: Readonly<Record<string, string>>
  /** Only with POST (Webmention sending, ActivityPub delivery). */
  readonly body?: string | Uint8Array
  /** Config's fetchAllowPrivate: lets loopback and private addresses through (tests, private networks). */
  readonly allowPrivate?: boolean
  /** For the whole fetch: DNS, connecting, every redirect and the body. */
  readonly timeoutMs?: number
  readonly maxBytes?: number
  readonly maxRedirects?: number
  /** Resolves a host name; tests pass one so that made-up names resolve where they choose. */
  readonly resolve?: (hostname: string) => Promise<readonly LookupAddress[]>
  /** Which resolved addresses may be connected to; by default public ones (any with allowPrivate). */
  readonly allowAddress?: (address: string) => boolean
}

export interface SafeResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: Buffer
  /** Where the response came from, after redirects. */
  readonly url: string
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
/** Headers meant for one server only; a redirect to another origin loses them, as in browsers. */
const ORIGIN_BOUND = ['authorization', 'cookie', 'host']

const systemResolve = (hostname: string): Promise<readonly LookupAddress[]> =>
  dns.lookup(hostname, { all: true, verbatim: true })

/**
 * Fetches `url` the one safe way: http(s) only, no credentials in the URL, any port (the address
 * check, not the port, is what keeps requests off internal services). Every address the host
 * resolves to must be public unless `allowPrivate`, and the connection goes to exactly those
 * checked addresses, so a DNS answer that changes in between (rebinding) cannot slip through.
 * Redirects are checked by the same rules. Throws FetchRefusedError; never follows more than
 * `maxRedirects` (3), waits longer than `timeoutMs` (10 s) or reads more than `maxBytes` (1 MB).
 */
export async function safeFetch(url: string, options: SafeFetchOptions = {}): Promise<SafeResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const maxRedirects = options.maxRedirects ?? 3
  let target = parseTarget(url)
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort(new FetchRefusedError('timeout', url, `timed out after ${timeoutMs / 1000} s`))
  }, timeoutMs)
  let method = options.method ?? 'GET'
  let body = method === 'POST' ? options.body : undefined
  let headers: Record<string, string> = { ...options.headers }
  try {
    for (let redirects = 0; ; redirects += 1) {
      const addresses = await untilAborted(admit(target, options), controller.signal)
      const response = await send(target, { method, headers, body }, addresses, options, controller.signal)
      const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null
      if (location === null) return response
      if (redirects === maxRedirects)
        throw new FetchRefusedError(
          'too-many-redirects',
          url,
          `too many redirects (more than ${maxRedirects})`,
        )
      const next = parseTarget(location, target)
      const { status } = response
      if (
        (status === 303 && method !== 'HEAD') ||
        ((status === 301 || status === 302) && method === 'POST')
      ) {
        method = 'GET'
        body = undefined
        headers = withoutHeaders(headers, ['content-type', 'content-length'])
      }
      if (next.origin !== target.origin) headers = withoutHeaders(headers, ORIGIN_BOUND)
      target = next
    }
  } finally {
    clearTimeout(timer)
  }
}

function parseTarget(url: string, base?: URL): URL {
  const shown = base ? `${url} (redirected from ${base.href})` : url
  const target = URL.canParse(url, base) ? new URL(url, base) : undefined
  if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:'))
    throw new FetchRefusedError('not-http', shown, 'not an http(s) URL')
  if (target.username || target.password)
    throw new FetchRefusedError('credentials', shown, 'has a user name or password in it')
  return target
}

/** The addresses `target` may be fetched from; refuses the host if any of them is not allowed. */
async function admit(target: URL, options: SafeFetchOptions): Promise<readonly LookupAddress[]> {
  const host = bareHost(target)
  const literal = isIP(host)
  let addresses: readonly LookupAddress[]
  if (literal !== 0) addresses = [{ address: host, family: literal }]
  else {
    try {
      addresses = await (options.resolve ?? systemResolve)(host)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'no answer'
      throw new FetchRefusedError('unresolvable', target.href, `its host could not be resolved (${code})`)
    }
    if (addresses.length === 0)
      throw new FetchRefusedError(
        'unresolvable',
        target.href,
        'its host could not be resolved (no addresses)',
      )
  }
  const allowed = options.allowAddress ?? (options.allowPrivate ? () => true : isPublicAddress)
  const refused = addresses.find(({ address }) => !allowed(address))
  if (refused)
    throw new FetchRefusedError(
      'private-address',
      target.href,
      `resolves to a private address (${refused.address})`,
    )
  return addresses
}

interface Step {
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | undefined
}

/** One request, connected only to `addresses`; a redirect's body is not read. */
function send(
  target: URL,
  step: Step,
  addresses: readonly LookupAddress[],
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<SafeResponse> {
  const maxBytes = options.maxBytes ?? 1024 * 1024
  const tooLarge = () =>
    new FetchRefusedError('too-large', target.href, `larger than ${formatBytes(maxBytes)}`)
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [...addresses])
    else callback(null, addresses[0]?.address ?? '', addresses[0]?.family ?? 4)
  }
  const headers =
    step.body === undefined
      ? step.headers
      : {
          ...withoutHeaders(step.headers, ['content-length']),
          'content-length': `${Buffer.byteLength(step.body)}`,
        }
  return new Promise<SafeResponse>((resolve, reject) => {
    const fail = (err: Error) => reject(err instanceof FetchRefusedError ? err : unreachable(target, err))
    const request = (target.protocol === 'https:' ? https : http).request({
      hostname: bareHost(target),
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method: step.method,
      headers,
      lookup: pinned,
      // A fresh connection every time: a pooled socket could lead to an address checked for another call.
      agent: false,
    })
    const abort = () => request.destroy(signal.reason as Error)
    if (signal.aborted) abort()
    signal.addEventListener('abort', abort, { once: true })
    request.on('close', () => signal.removeEventListener('abort', abort))
    request.on('error', fail)
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0
      const responseHeaders = new Headers()
      for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
        responseHeaders.append(response.rawHeaders[i] ?? '', response.rawHeaders[i + 1] ?? '')
      const done = (body: Buffer) => resolve({ status, headers: responseHeaders, body, url: target.href })
      response.on('error', fail)
      if (REDIRECTS.has(status) && responseHeaders.has('location')) {
        request.destroy()
        return done(Buffer.alloc(0))
      }
      // A HEAD answer has no body: its Content-Length is the GET's, not something to read.
      if (step.method !== 'HEAD' && Number(responseHeaders.get('content-length') ?? 0) > maxBytes)
        return request.destroy(tooLarge())
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        // Counted as it arrives: a chunked body has no Content-Length to trust in advance.
        if (size > maxBytes) request.destroy(tooLarge())
        else chunks.push(chunk)
      })
      response.on('end', () => done(Buffer.concat(chunks)))
      response.on('close', () => {
        if (!response.complete) fail(new Error('the connection closed before the body ended'))
      })
    })
    request.end(step.body)
  })
}

/** The host as an address or name: an IPv6 literal loses the brackets URLs wrap it in. */
const bareHost = (target: URL): string => target.hostname.replace(/^\[(.*)\]$/, '$1')

function unreachable(target: URL, err: Error): FetchRefusedError {
  const code = (err as NodeJS.ErrnoException).code ?? err.message
  return new FetchRefusedError('unreachable', target.href, `could not be fetched (${code})`)
}

function withoutHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())))
}

/** `promise`, or the abort reason if the signal fires first (DNS lookups cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason)
    if (signal.aborted) return abort()
    signal.addEventListener('abort', abort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

/** A response's body as text in the charset the server named (UTF-8 when it named none, or one Node lacks). */
export function responseText(response: SafeResponse): string {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(response.headers.get('content-type') ?? '')?.[1]
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(response.body)
  } catch {
    return new TextDecoder('utf-8').decode(response.body)
  }
}
