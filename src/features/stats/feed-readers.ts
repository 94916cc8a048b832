// Owns recognising feed readers by their User-Agent, and the subscriber counts many of them report in it.

/** Readers by name, first match wins; anything else fetching a feed is 'Other'. */
const READERS: readonly (readonly [name: string, pattern: RegExp])[] = [
  ['Feedly', /feedly/i],
  ['Inoreader', /inoreader/i],
  ['NewsBlur', /newsblur/i],
  ['Feedbin', /feedbin/i],
  ['The Old Reader', /theoldreader/i],
  ['Miniflux', /miniflux/i],
  ['NetNewsWire', /netnewswire/i],
  ['FreshRSS', /freshrss/i],
  ['Tiny Tiny RSS', /tiny ?tiny ?rss/i],
  ['BazQux', /bazqux/i],
  ['Feedspot', /feedspot/i],
  ['Feeder', /feeder\.co|\bfeeder\//i],
  ['Readwise Reader', /readwise/i],
  ['Reeder', /reeder/i],
  ['NextCloud News', /nextcloud-news|nextcloud news/i],
  ['Feedreader', /feedreader/i],
  ['Newsify', /newsify/i],
  ['ReadKit', /readkit/i],
  ['Unread', /\bunread\b/i],
  ['Vienna', /\bvienna\b/i],
  ['Thunderbird', /thunderbird/i],
  ['Akregator', /akregator/i],
  ['Liferea', /liferea/i],
  ['Newsboat', /newsboat|newsbeuter/i],
  ['Flipboard', /flipboard/i],
  ['Bloglovin', /bloglovin/i],
  ['Superfeedr', /superfeedr/i],
  ['Feedwind', /feedwind/i],
  ['Blogtrottr', /blogtrottr/i],
  ['IFTTT', /ifttt/i],
  ['Zapier', /zapier/i],
  ['Slack', /slackbot|slack-imgproxy/i],
  ['Mastodon', /mastodon/i],
]

/** Reader names as stored: the list's, plus 'Other'. */
export const FEED_READER_NAMES: readonly string[] = [...READERS.map(([name]) => name), 'Other']

/** A reader claiming more than this is lying or broken; the figure is dropped rather than stored. */
const MAX_SUBSCRIBERS = 10_000_000

/** "16 subscribers", "6 readers", "subscribers: 12", "12 subscriber(s)": the forms readers use. */
const SUBSCRIBERS = /(\d{1,9})\s+(?:subscribers?|readers)\b|\bsubscribers?[=:]\s*(\d{1,9})/i

export interface FeedReader {
  readonly name: string
  /** What the reader reported for this feed, 0 when it says nothing. */
  readonly subscribers: number
}

/** The reader behind a User-Agent and the subscriber count it reports, if any. */
export function feedReader(userAgent: string | undefined): FeedReader {
  const ua = (userAgent ?? '').slice(0, 500)
  const name = READERS.find(([, pattern]) => pattern.test(ua))?.[0] ?? 'Other'
  const match = SUBSCRIBERS.exec(ua)
  const count = Number(match?.[1] ?? match?.[2] ?? 0)
  return { name, subscribers: count <= MAX_SUBSCRIBERS ? count : 0 }
}
