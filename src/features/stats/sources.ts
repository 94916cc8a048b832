// Owns where a view came from, reduced to what may be kept: a referrer's host (and path on a few aggregators), a campaign name, and the group each belongs to.
import type { Db } from '../../db/client.ts'
import { followers } from '../../db/schema.ts'

/** Longer Referer headers are not real links; nothing past this is even parsed. */
const MAX_REFERER_LENGTH = 2000
const MAX_HOST_LENGTH = 100
const MAX_CAMPAIGN_LENGTH = 40

/** A host as stored: lower-case, no `www.`, no port, no trailing dot. */
export function normalizeHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^www\./, '')
}

/**
 * Aggregators whose discussion pages say more than the host: the path is kept for these, and only
 * in the shape given (a subreddit, a Lobsters story), never anything a visitor typed.
 */
function aggregatorPath(host: string, pathname: string): string | undefined {
  if (host === 'news.ycombinator.com' && pathname === '/item') return '/item'
  if (host === 'reddit.com') {
    const sub = /^\/r\/([A-Za-z0-9_]{1,30})(?:\/|$)/.exec(pathname)?.[1]
    return sub ? `/r/${sub.toLowerCase()}` : undefined
  }
  if (host === 'lobste.rs') {
    const story = /^\/s\/([a-z0-9]{1,12})(?:\/|$)/.exec(pathname)?.[1]
    return story ? `/s/${story}` : undefined
  }
  return undefined
}

/** reddit's many front doors are one source. */
const HOST_ALIASES: Record<string, string> = {
  'old.reddit.com': 'reddit.com',
  'new.reddit.com': 'reddit.com',
  'm.reddit.com': 'reddit.com',
  'np.reddit.com': 'reddit.com',
  'out.reddit.com': 'reddit.com',
  'mobile.twitter.com': 'twitter.com',
  'm.facebook.com': 'facebook.com',
  'l.facebook.com': 'facebook.com',
  'lm.facebook.com': 'facebook.com',
  'm.youtube.com': 'youtube.com',
}

/**
 * A Referer header reduced to its host (plus the path on a few aggregators), or undefined when it
 * is missing, not a web address, or this site itself (`siteHosts`: normalized hosts of this site).
 */
export function reduceReferrer(
  referer: string | undefined,
  siteHosts: readonly string[],
): string | undefined {
  if (!referer || referer.length > MAX_REFERER_LENGTH || !URL.canParse(referer)) return undefined
  const url = new URL(referer)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  const raw = normalizeHost(url.hostname)
  if (!/^[a-z0-9.-]+$/.test(raw) || raw.length > MAX_HOST_LENGTH || !raw.includes('.')) return undefined
  if (siteHosts.includes(raw)) return undefined
  const host = HOST_ALIASES[raw] ?? raw
  return `${host}${aggregatorPath(host, url.pathname) ?? ''}`
}

/**
 * The campaign a link was tagged with (`utm_source`, else `ref`), lower-cased and reduced to
 * letters, digits, dots and dashes; undefined when there is none. `query` is the URL's query string.
 */
export function campaignOf(query: string): string | undefined {
  if (!query || (!query.includes('utm_source=') && !query.includes('ref='))) return undefined
  const params = new URLSearchParams(query)
  const value = params.get('utm_source') || params.get('ref')
  if (!value) return undefined
  const clean = value
    .slice(0, 200)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, MAX_CAMPAIGN_LENGTH)
    .replace(/[-.]+$/, '')
  return clean || undefined
}

export type ReferrerGroup = 'Search' | 'Fediverse' | 'Hacker News' | 'Newsletters' | 'Social' | 'Other'

const SEARCH = [
  /(^|\.)google\.[a-z.]+$/,
  /(^|\.)bing\.com$/,
  /(^|\.)duckduckgo\.com$/,
  /(^|\.)yahoo\.[a-z.]+$/,
  /(^|\.)yandex\.[a-z.]+$/,
  /(^|\.)baidu\.com$/,
  /(^|\.)ecosia\.org$/,
  /(^|\.)qwant\.com$/,
  /(^|\.)startpage\.com$/,
  /(^|\.)kagi\.com$/,
  /^search\.brave\.com$/,
  /(^|\.)perplexity\.ai$/,
  /(^|\.)you\.com$/,
  /(^|\.)naver\.com$/,
  /(^|\.)seznam\.cz$/,
]

const FEDIVERSE_HOSTS = new Set([
  'fosstodon.org',
  'hachyderm.io',
  'infosec.exchange',
  'mas.to',
  'mstdn.io',
  'mastodon.online',
  'mastodon.social',
  'chaos.social',
  'ruby.social',
  'techhub.social',
  'indieweb.social',
  'front-end.social',
  'toot.cafe',
  'phpc.social',
  'floss.social',
  'social.coop',
  'mathstodon.xyz',
  'sigmoid.social',
  'aus.social',
  'mstdn.social',
  'universeodon.com',
  'masto.ai',
  'tech.lgbt',
  'kolektiva.social',
  'piaille.fr',
  'pixelfed.social',
  'lemmy.world',
  'lemmy.ml',
  'programming.dev',
  'kbin.social',
  'misskey.io',
])
const FEDIVERSE = [
  /(^|\.)mastodon\.[a-z.]+$/,
  /^mastodon\./,
  /^(mstdn|toot|masto|pixelfed|lemmy|misskey|kbin|akkoma|pleroma|gotosocial|calckey|firefish)\./,
  /\.social$/,
]

const NEWSLETTERS = [
  /(^|\.)substack\.com$/,
  /^buttondown\.(email|com)$/,
  /^mailchi\.mp$/,
  /(^|\.)beehiiv\.com$/,
  /(^|\.)convertkit\.com$/,
  /(^|\.)kit\.com$/,
  /(^|\.)ghost\.io$/,
  /(^|\.)revue\.co$/,
  /(^|\.)tinyletter\.com$/,
  /^mail\.google\.com$/,
  /^outlook\.(live|office|office365)\.com$/,
  /^mail\.yahoo\.com$/,
  /^mail\.proton\.me$/,
  /^app\.fastmail\.com$/,
  /^(www\.)?icloud\.com$/,
]

const SOCIAL = [
  /^(twitter|x)\.com$/,
  /^t\.co$/,
  /^facebook\.com$/,
  /(^|\.)linkedin\.com$/,
  /^lnkd\.in$/,
  /^reddit\.com$/,
  /^lobste\.rs$/,
  /^bsky\.app$/,
  /(^|\.)threads\.net$/,
  /(^|\.)instagram\.com$/,
  /^youtube\.com$/,
  /(^|\.)tumblr\.com$/,
  /(^|\.)pinterest\.[a-z.]+$/,
  /(^|\.)tiktok\.com$/,
  /^news\.google\.com$/,
  /^dev\.to$/,
  /^tildes\.net$/,
  /^discord\.com$/,
  /(^|\.)slack\.com$/,
  /^tilde\.news$/,
]

/**
 * Which group a stored referrer (`host` or `host/path`) belongs to, for the stats page.
 * `fediverseHosts` adds the servers the blog's followers are on (fediverseHosts(db)) to the
 * known Mastodon-like names.
 */
export function referrerGroup(referrer: string, fediverseHosts?: ReadonlySet<string>): ReferrerGroup {
  const host = normalizeHost(referrer.split('/')[0] ?? '')
  if (host === 'news.ycombinator.com' || host === 'hn.algolia.com') return 'Hacker News'
  // news.google.com and mail.google.com are not searches: checked before the google.* pattern.
  if (SOCIAL.some((pattern) => pattern.test(host))) return 'Social'
  if (NEWSLETTERS.some((pattern) => pattern.test(host))) return 'Newsletters'
  if (SEARCH.some((pattern) => pattern.test(host))) return 'Search'
  if (FEDIVERSE_HOSTS.has(host) || fediverseHosts?.has(host) || FEDIVERSE.some((p) => p.test(host)))
    return 'Fediverse'
  return 'Other'
}

/** The servers the blog's fediverse followers are on: their readers' clicks come from these hosts. */
export function fediverseHosts(db: Db): Set<string> {
  const hosts = new Set<string>()
  for (const { actorId } of db.selectDistinct({ actorId: followers.actorId }).from(followers).all()) {
    if (URL.canParse(actorId)) hosts.add(normalizeHost(new URL(actorId).hostname))
  }
  return hosts
}
