// Owns every URL Folio builds, public and admin: nothing else concatenates paths.
import { hasControlCharacters } from './text.ts'

export const postUrl = (slug: string): string => `/posts/${encodeURIComponent(slug)}`
export const tagUrl = (slug: string): string => `/tags/${encodeURIComponent(slug)}`
export const seriesUrl = (slug: string): string => `/series/${encodeURIComponent(slug)}`
export const pageUrl = (slug: string): string => `/${encodeURIComponent(slug)}`
/** A card's hash: hex digits, enough to tell one post's titles apart. */
export const CARD_HASH_LENGTH = 12
/** A post's social card; `hash` covers everything the card shows, so a new title is a new URL. */
export const cardUrl = (slug: string, hash: string): string =>
  `/cards/${encodeURIComponent(slug)}-${hash}.png`
const CARD_FILE = new RegExp(`^(.+)-([0-9a-f]{${CARD_HASH_LENGTH}})\\.png$`)
/** The slug and hash in a card's file name (as the router decoded it), or undefined if it is not one. */
export function parseCardFile(file: string): { slug: string; hash: string } | undefined {
  const match = CARD_FILE.exec(file)
  return match?.[1] && match[2] ? { slug: match[1], hash: match[2] } : undefined
}
/** The Webmention endpoint every public page advertises (W3C Webmention). */
export const WEBMENTION_PATH = '/webmention'

// ActivityPub. The blog is one actor whose id never changes, whatever the handle setting says.
export const ACTOR_PATH = '/ap/actor'
/** The actor's key, as `keyId` in every signature Folio makes. */
export const ACTOR_KEY_PATH = `${ACTOR_PATH}#main-key`
/** The actor's inbox is also the shared inbox: there is one actor. */
export const INBOX_PATH = '/ap/inbox'
export const OUTBOX_PATH = '/ap/outbox'
export const FOLLOWERS_PATH = '/ap/followers'
/**
 * A post's ActivityPub object id: by number, so a new slug never makes it a different object; a
 * post sent again after a Delete is a new generation (see syndicated_posts.generation).
 */
export const postObjectUrl = (id: number, generation = 0): string =>
  generation > 0 ? `/ap/posts/${id}/${generation}` : `/ap/posts/${id}`
export const WEBFINGER_PATH = '/.well-known/webfinger'
export const NODEINFO_PATH = '/.well-known/nodeinfo'
export const HOST_META_PATH = '/.well-known/host-meta'
export const NODEINFO_DOCUMENT_PATH = '/nodeinfo/2.1'
export const searchUrl = (query: string, page = 1): string =>
  `/search?q=${encodeURIComponent(query)}${page > 1 ? `&page=${page}` : ''}`

/** A paginated listing's URL; page 1 is the bare path so it has one canonical address. */
export const listingPageUrl = (path: string, page: number): string =>
  page > 1 ? `${path}?page=${page}` : path

/** Makes a site path absolute against SITE_URL (which carries no trailing slash). */
export const absoluteUrl = (siteUrl: string, path: string): string =>
  /^https?:\/\//i.test(path) ? path : `${siteUrl}${path.startsWith('/') ? '' : '/'}${path}`

/** Rewrites root-relative src, href and srcset URLs in stored HTML to absolute ones, for feeds. */
export function absolutizeHtml(siteUrl: string, html: string): string {
  return html
    .replace(
      /\s(href|src)="(\/(?!\/)[^"]*)"/g,
      (_m, attr: string, path: string) => ` ${attr}="${siteUrl}${path}"`,
    )
    .replace(/\ssrcset="([^"]*)"/g, (_m, list: string) => {
      const absolute = list.replace(
        /(^|,\s*)(\/(?!\/)\S+)/g,
        (_c, sep: string, path: string) => `${sep}${siteUrl}${path}`,
      )
      return ` srcset="${absolute}"`
    })
}

/** The host of an external link, without "www.", for "— example.com" labels. */
export function displayHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '')
  } catch {
    return url
  }
}

/** Whether two absolute URLs are on one origin (scheme, host and port): what one server may speak for. */
export const isSameOrigin = (a: string, b: string): boolean => new URL(a).origin === new URL(b).origin

/** Whether `value` is an absolute http: or https: URL, the only kinds a link field accepts. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === 'http:' || protocol === 'https:'
}

/** Query parameters whose values are secrets (setup, confirm, unsubscribe, reset links). */
const SECRET_PARAMETER = /^(?:token|.*_token)$/i

/** The request URL as a log line may show it: a secret's value is replaced, never written down. */
export function urlForLog(url: string): string {
  const query = url.indexOf('?')
  if (query === -1) return url
  const params = new URLSearchParams(url.slice(query + 1))
  let secret = false
  for (const name of new Set(params.keys())) {
    if (SECRET_PARAMETER.test(name)) {
      params.set(name, 'REDACTED')
      secret = true
    }
  }
  return secret ? `${url.slice(0, query)}?${params.toString()}` : url
}

// The admin's screens for one row. Redirects add `?done=…` to these.
export const adminPostUrl = (id: number): string => `/admin/posts/${id}`
export const adminPageUrl = (id: number): string => `/admin/pages/${id}`
export const adminSeriesUrl = (id: number): string => `/admin/series/${id}`
export const adminMediaUrl = (id: number): string => `/admin/media/${id}`
export const adminMessageUrl = (id: number): string => `/admin/inbox/${id}`
export const ADMIN_FOLLOWERS_URL = '/admin/followers'
export const ADMIN_SUBSCRIBERS_URL = '/admin/subscribers'
export const ADMIN_STATS_URL = '/admin/stats'
/** The editor's feature image picker asks this for older library images, a page at a time. */
export const FEATURE_PICKER_URL = '/admin/posts/feature-images'
export const featurePickerPageUrl = (page: number): string => `${FEATURE_PICKER_URL}?page=${page}`
/** The first-run link that `cli setup-link` and the server's first start print. */
export const adminSetupUrl = (token: string): string => `/admin/setup?token=${encodeURIComponent(token)}`

// The newsletter's public pages. Links in emails open a page with a button; the POST does the work.
export const SUBSCRIBE_PATH = '/subscribe'
export const SUBSCRIBE_THANKS_PATH = `${SUBSCRIBE_PATH}/thanks`
export const CONFIRM_SUBSCRIPTION_PATH = '/subscribe/confirm'
export const UNSUBSCRIBE_PATH = '/unsubscribe'
export const confirmSubscriptionUrl = (siteUrl: string, token: string): string =>
  absoluteUrl(siteUrl, `${CONFIRM_SUBSCRIPTION_PATH}?token=${encodeURIComponent(token)}`)
export const unsubscribeUrl = (siteUrl: string, token: string): string =>
  absoluteUrl(siteUrl, `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`)

// The built-in stats' beacons (features/stats/hit-routes.ts): never cached, never a page.
export const READ_MARK_PATH = '/hit/read'
/** The end-of-article mark's image for one post, by number (a new slug keeps counting the same post). */
export const readMarkUrl = (postId: number): string => `${READ_MARK_PATH}/${postId}`
export const BEACON_STYLESHEET_PATH = '/hit/beacon.css'
export const BEACON_VIEW_PATH = '/hit/view'
/** The CSS beacon a page links while the beacon setting is on; `path` is the page's own path. */
export const beaconStylesheetUrl = (path: string): string =>
  `${BEACON_STYLESHEET_PATH}?p=${encodeURIComponent(path)}`
/** The image the beacon stylesheet names: loading it counts a view of `path`. */
export const beaconViewUrl = (path: string): string => `${BEACON_VIEW_PATH}?p=${encodeURIComponent(path)}`
/** Where a LiteFS replica posts its counts; LiteFS's proxy replays the POST on the primary. */
export const STATS_BATCH_PATH = '/hit/batch'

/**
 * A path on this site that is safe to link to or send as Location: it starts with one `/`, never
 * `//host` or `/\host` (which a browser would take to another site), and holds no control characters.
 */
export const isSitePath = (path: string): boolean =>
  path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') && !hasControlCharacters(path)

/** Every topic, the listing of tags. */
export const TAGS_PATH = '/tags'

/**
 * The first path segments Folio answers itself: its routes, feeds and files. A page may not take
 * one as its slug (content/pages.ts), and an imported blog's old URL under one is never stored as
 * a redirect, since redirects only answer what would otherwise be a 404.
 */
export const FOLIO_TOP_LEVEL_SEGMENTS: ReadonlySet<string> = new Set([
  'admin',
  'posts',
  'tags',
  'series',
  'search',
  'contact',
  'media',
  'static',
  'healthz',
  'feed.xml',
  'rss.xml',
  'feed.json',
  'sitemap.xml',
  'robots.txt',
  'favicon.ico',
  'subscribe',
  'unsubscribe',
  'webmention',
  'ap',
  'hit',
  'cards',
  'nodeinfo',
  '.well-known',
])
