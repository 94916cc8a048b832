// Owns fetching a mention's source and deciding what it says: it links to the target, it stopped, it cannot be used, or try again later.

import {
  FetchRefusedError,
  FINAL_REFUSALS,
  responseText,
  type SafeResponse,
  safeFetch,
} from '../../lib/safe-fetch.ts'

export const SOURCE_TIMEOUT_MS = 10_000
export const SOURCE_MAX_BYTES = 1024 * 1024

export type SourceCheck =
  /** A page came back: whether it links to the target is read off the event loop (read-source.ts). */
  | { readonly outcome: 'page'; readonly html: string; readonly pageUrl: string; readonly plain: boolean }
  /** The page is gone (404, 410) or no longer links: any response from it goes too. */
  | { readonly outcome: 'withdrawn'; readonly reason: string }
  /** Nothing usable will come of asking again (a private address, too large, a 4xx): given up on. */
  | { readonly outcome: 'refused'; readonly reason: string }
  /** The network or the other server failed: worth another try later. */
  | { readonly outcome: 'retry'; readonly reason: string }

/** A host without its "www.": the same site whichever one a link or a redirect uses. */
const siteOf = (url: string): string => new URL(url).hostname.replace(/^www\./, '')

const mediaType = (response: SafeResponse): string =>
  (response.headers.get('content-type') ?? 'text/html').split(';')[0]?.trim().toLowerCase() ?? ''

/** Fetches `source` the safe way and says what came back: a page to read, a page gone, or a failure. */
export async function checkSource(
  source: string,
  options: { readonly allowPrivate: boolean },
): Promise<SourceCheck> {
  let response: SafeResponse
  try {
    response = await safeFetch(source, {
      allowPrivate: options.allowPrivate,
      timeoutMs: SOURCE_TIMEOUT_MS,
      maxBytes: SOURCE_MAX_BYTES,
      headers: { accept: 'text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5' },
    })
  } catch (err) {
    if (!(err instanceof FetchRefusedError)) throw err
    return { outcome: FINAL_REFUSALS.has(err.code) ? 'refused' : 'retry', reason: err.reason }
  }
  const { status } = response
  // What shows as "on example.com" and what a block names is the source: a redirect elsewhere
  // (an open redirect on a trusted site) would speak for a page nobody checked.
  if (siteOf(response.url) !== siteOf(source))
    return { outcome: 'refused', reason: `the source redirected to another site (${response.url})` }
  if (status === 404 || status === 410)
    return { outcome: 'withdrawn', reason: `the source answered ${status}` }
  if (status >= 500 || status === 408 || status === 429)
    return { outcome: 'retry', reason: `the source answered ${status}` }
  if (status < 200 || status >= 300) return { outcome: 'refused', reason: `the source answered ${status}` }

  const type = mediaType(response)
  const text = responseText(response)
  // The spec allows a plain-text source: the target's URL written in it is the link.
  if (type === 'text/plain') return { outcome: 'page', html: text, pageUrl: response.url, plain: true }
  if (type !== 'text/html' && type !== 'application/xhtml+xml')
    return { outcome: 'refused', reason: `the source is ${type}, not HTML` }
  return { outcome: 'page', html: text, pageUrl: response.url, plain: false }
}
