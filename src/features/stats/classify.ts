// Owns deciding what a request counts as: a reader's view, a bot's, or nothing (prefetch, the author, a path that is not a page).
import type { IncomingHttpHeaders } from 'node:http'
import { isbot } from 'isbot'
import { SESSION_COOKIE } from '../auth/sessions.ts'

/** Who made a request, as far as counting goes. `skip`: count nothing (a prefetch, the signed-in author). */
export type Audience = 'reader' | 'bot' | 'skip'

/** A request header as one string ('' when absent; repeated ones joined). The stats' one way to read headers. */
export const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : (value ?? '')
}

/** Chrome's Sec-Purpose and Purpose, Firefox's X-Moz, Safari's X-Purpose: loaded ahead, maybe never seen. */
export function isPrefetch(headers: IncomingHttpHeaders): boolean {
  const purpose = `${header(headers, 'sec-purpose')} ${header(headers, 'purpose')} ${header(headers, 'x-moz')} ${header(headers, 'x-purpose')}`
  return /prefetch|prerender|preview/i.test(purpose)
}

const SESSION = new RegExp(`(?:^|;)\\s*${SESSION_COOKIE}=[^;\\s]`)

/** A session cookie is there: the author reading their own site. Checked without a database lookup. */
export function hasSessionCookie(headers: IncomingHttpHeaders): boolean {
  const cookie = header(headers, 'cookie')
  return cookie.length > 0 && SESSION.test(cookie)
}

/**
 * A crawler, a link preview or a script: a known bot User-Agent (isbot's maintained list), none at
 * all, or no Accept-Language, which every browser sends and most scripts do not.
 */
export function isBotRequest(headers: IncomingHttpHeaders): boolean {
  const ua = header(headers, 'user-agent')
  if (!ua || !header(headers, 'accept-language')) return true
  return isBotAgent(ua.slice(0, 1000))
}

/**
 * isbot's pattern is long; a site's readers come with a few hundred User-Agents, so answers are
 * kept (bounded: past the limit the oldest goes) and each agent is tested about once.
 */
const BOT_ANSWERS_KEPT = 2_000
const botAnswers = new Map<string, boolean>()

function isBotAgent(ua: string): boolean {
  const known = botAnswers.get(ua)
  if (known !== undefined) return known
  const answer = isbot(ua)
  if (botAnswers.size >= BOT_ANSWERS_KEPT) {
    const oldest = botAnswers.keys().next().value
    if (oldest !== undefined) botAnswers.delete(oldest)
  }
  botAnswers.set(ua, answer)
  return answer
}

export function audienceOf(headers: IncomingHttpHeaders): Audience {
  if (isPrefetch(headers) || hasSessionCookie(headers)) return 'skip'
  return isBotRequest(headers) ? 'bot' : 'reader'
}

/** Paths never counted as page views: the admin, the beacons themselves, files. */
const NOT_PAGES = /^\/(?:admin|hit|static|media|cards|ap|\.well-known)(?:\/|$)/
/** Real page paths are short; longer ones are not stored. */
export const MAX_PATH_LENGTH = 300

/**
 * The path a view is stored under: the request path without its query, one form per page
 * (`/posts/a/` and `/posts/%61` are `/posts/a`); undefined for paths that are never pages.
 */
export function pagePath(url: string): string | undefined {
  const end = url.search(/[?#]/)
  let path = end === -1 ? url : url.slice(0, end)
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/'
  if (!path.startsWith('/') || NOT_PAGES.test(path)) return undefined
  try {
    path = encodeURI(decodeURI(path))
  } catch {
    return undefined
  }
  return path.length <= MAX_PATH_LENGTH ? path : undefined
}

/** The query string of a URL, without its `?`. */
export const queryOf = (url: string): string => {
  const mark = url.indexOf('?')
  return mark === -1 ? '' : url.slice(mark + 1)
}

export const isHtml = (contentType: string): boolean => contentType.startsWith('text/html')
