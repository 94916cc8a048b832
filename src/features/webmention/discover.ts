// Owns Webmention endpoint discovery (W3C Webmention 3.1.2): fetch the target, then its Link header, else its HTML's first <link> or <a> with rel=webmention.
import {
  FetchRefusedError,
  FINAL_REFUSALS,
  responseText,
  type SafeResponse,
  safeFetch,
} from '../../lib/safe-fetch.ts'
import { isHttpUrl } from '../../lib/urls.ts'

export const TARGET_TIMEOUT_MS = 10_000
export const TARGET_MAX_BYTES = 1024 * 1024

export type Discovery =
  | { readonly outcome: 'endpoint'; readonly endpoint: string }
  /** The target advertises no endpoint (or is gone): there is nobody to tell. */
  | { readonly outcome: 'none'; readonly reason: string }
  /** Nothing asking again could change (a private address, too large, too many redirects). */
  | { readonly outcome: 'refused'; readonly reason: string }
  /** The network or the other server failed: worth another try later. */
  | { readonly outcome: 'retry'; readonly reason: string }

/** Whether a server's answer says "try again later" rather than "no". */
export const isTemporaryStatus = (status: number): boolean =>
  status >= 500 || status === 408 || status === 429

/**
 * The `webmention` link in a Link header (several headers arrive joined by commas), resolved
 * against `base`: `<url>; rel="a webmention"` or `rel=webmention`, any case, other links and
 * parameters around it. RFC 8288's grammar, read by hand: a URL may hold commas and semicolons,
 * a quoted rel may hold spaces, so splitting on either would be wrong.
 */
export function endpointInLinkHeader(header: string, base: string): string | undefined {
  let pos = 0
  const skip = (pattern: RegExp) => {
    pattern.lastIndex = pos
    pos += pattern.exec(header)?.[0].length ?? 0
  }
  while (pos < header.length) {
    skip(/[\s,]*/y)
    if (header[pos] !== '<') {
      // Not a link: on to the next comma outside quotes.
      skip(/(?:[^,"]|"(?:[^"\\]|\\.)*"?)*/y)
      continue
    }
    const close = header.indexOf('>', pos)
    if (close === -1) return undefined
    const reference = header.slice(pos + 1, close)
    pos = close + 1
    let rel: string | undefined
    for (;;) {
      skip(/\s*/y)
      if (header[pos] !== ';') break
      pos += 1
      const param = /\s*([^\s=;,]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"?|([^\s;,]*)))?/y
      param.lastIndex = pos
      const match = param.exec(header)
      if (!match) continue
      pos += match[0].length
      const value = match[2]?.replace(/\\(.)/g, '$1') ?? match[3] ?? ''
      if (match[1]?.toLowerCase() === 'rel' && rel === undefined) rel = value
    }
    if (rel?.toLowerCase().split(/\s+/).includes('webmention'))
      return URL.canParse(reference.trim(), base) ? new URL(reference.trim(), base).href : undefined
  }
  return undefined
}

const isHtml = (response: SafeResponse): boolean => {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  return type === 'text/html' || type === 'application/xhtml+xml'
}

/** The target, fetched safely: `HEAD` only asks for its headers. */
function fetchTarget(target: string, method: 'GET' | 'HEAD', allowPrivate: boolean): Promise<SafeResponse> {
  return safeFetch(target, {
    method,
    allowPrivate,
    timeoutMs: TARGET_TIMEOUT_MS,
    maxBytes: TARGET_MAX_BYTES,
    headers: { accept: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1' },
  })
}

/** The HTML parser loads with the first target page to read, not when the send worker registers. */
async function endpointInPage(html: string, pageUrl: string): Promise<string | undefined> {
  const { endpointInHtml } = await import('./discover-html.ts')
  return endpointInHtml(html, pageUrl)
}

/**
 * Where `target` takes Webmentions. Redirects are followed, and relative endpoints resolve against
 * the URL the page finally came from. Only an http(s) endpoint is one: the first one advertised
 * decides, as the spec asks, even when it is not.
 */
export async function discoverEndpoint(
  target: string,
  options: { readonly allowPrivate: boolean },
): Promise<Discovery> {
  let response: SafeResponse
  try {
    response = await fetchTarget(target, 'GET', options.allowPrivate)
  } catch (err) {
    if (!(err instanceof FetchRefusedError)) throw err
    // A post links to a large PDF or video as often as to a page: its headers may still name an endpoint.
    if (err.code === 'too-large') return discoverFromHeaders(target, options.allowPrivate)
    return { outcome: FINAL_REFUSALS.has(err.code) ? 'refused' : 'retry', reason: err.reason }
  }
  const answered = unusable(response)
  if (answered) return answered
  const header = response.headers.get('link')
  const endpoint =
    (header === null ? undefined : endpointInLinkHeader(header, response.url)) ??
    (isHtml(response) ? await endpointInPage(responseText(response), response.url) : undefined)
  return found(endpoint)
}

/** What a response that is no page to read says: try later, or nobody to tell. */
function unusable({ status }: SafeResponse): Discovery | undefined {
  if (isTemporaryStatus(status)) return { outcome: 'retry', reason: `the target answered ${status}` }
  if (status < 200 || status >= 300) return { outcome: 'none', reason: `the target answered ${status}` }
  return undefined
}

function found(endpoint: string | undefined): Discovery {
  if (endpoint === undefined) return { outcome: 'none', reason: 'the target advertises no endpoint' }
  if (!isHttpUrl(endpoint))
    return { outcome: 'none', reason: `the target's endpoint is not an http(s) URL (${endpoint})` }
  return { outcome: 'endpoint', endpoint }
}

/** Discovery from a HEAD request's Link header alone, for a target too large to fetch whole. */
async function discoverFromHeaders(target: string, allowPrivate: boolean): Promise<Discovery> {
  let response: SafeResponse
  try {
    response = await fetchTarget(target, 'HEAD', allowPrivate)
  } catch (err) {
    if (!(err instanceof FetchRefusedError)) throw err
    return { outcome: FINAL_REFUSALS.has(err.code) ? 'refused' : 'retry', reason: err.reason }
  }
  const header = response.headers.get('link')
  return unusable(response) ?? found(header === null ? undefined : endpointInLinkHeader(header, response.url))
}
