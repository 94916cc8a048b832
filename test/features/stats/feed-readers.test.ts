// Checks feed-reader counting: fetches per reader and day, with the subscriber counts readers put in their User-Agent.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { feedReader } from '../../../src/features/stats/feed-readers.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { all, clockAt, createStatsApp, noonToday, totalViews } from './helpers.ts'

const FEEDLY = (n: number) =>
  `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${n} subscribers; like FeedFetcher-Google)`

test('readers are recognised with the subscriber counts they report', () => {
  assert.deepEqual(feedReader(FEEDLY(16)), { name: 'Feedly', subscribers: 16 })
  assert.deepEqual(feedReader('Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 6 subscribers; )'), {
    name: 'Inoreader',
    subscribers: 6,
  })
  assert.deepEqual(
    feedReader(
      'NewsBlur Feed Fetcher - 12 subscribers - https://www.newsblur.com/site/6094467/x (Mozilla/5.0)',
    ),
    { name: 'NewsBlur', subscribers: 12 },
  )
  assert.deepEqual(feedReader('Feedbin feed-id:1373711 - 3 subscribers'), { name: 'Feedbin', subscribers: 3 })
  assert.deepEqual(feedReader('Mozilla/5.0 (compatible; theoldreader.com; 2 subscribers; feed-id=1)'), {
    name: 'The Old Reader',
    subscribers: 2,
  })
  assert.deepEqual(feedReader('Mozilla/5.0 (compatible; Miniflux/2.1.3; +https://miniflux.app)'), {
    name: 'Miniflux',
    subscribers: 0,
  })
  assert.deepEqual(feedReader('NetNewsWire (RSS Reader; https://netnewswire.com/)'), {
    name: 'NetNewsWire',
    subscribers: 0,
  })
  assert.deepEqual(feedReader('curl/8.5.0'), { name: 'Other', subscribers: 0 })
  assert.deepEqual(feedReader(undefined), { name: 'Other', subscribers: 0 })
  assert.deepEqual(feedReader('Feedly 99999999999 subscribers'), { name: 'Feedly', subscribers: 0 })
})

test('feed fetches are counted per reader and day, with the day’s highest subscriber count, 304s included', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  createPost(db)
  const fetchFeed = (url: string, ua: string, extra: Record<string, string> = {}) =>
    app.inject({ url, headers: { 'user-agent': ua, ...extra } })

  const first = await fetchFeed('/feed.xml', FEEDLY(16))
  assert.equal(first.statusCode, 200)
  const etag = String(first.headers.etag)
  assert.equal((await fetchFeed('/feed.xml', FEEDLY(17), { 'if-none-match': etag })).statusCode, 304)
  await fetchFeed('/rss.xml', FEEDLY(3))
  await fetchFeed('/feed.json', 'Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 6 subscribers; )')
  await fetchFeed('/feed.xml', 'Mozilla/5.0 (compatible; Miniflux/2.1.3; +https://miniflux.app)')
  await fetchFeed('/feed.xml?page=2', 'curl/8.5.0')
  await app.inject({ method: 'HEAD', url: '/feed.xml', headers: { 'user-agent': FEEDLY(100) } })
  await app.stats.flush()

  const feeds = all<{ reader: string; fetches: number; subscribers: number }>(
    db,
    'select reader, fetches, subscribers from stats_feeds order by reader',
  )
  assert.deepEqual(
    feeds.map((f) => ({ ...f })),
    [
      { reader: 'Feedly', fetches: 3, subscribers: 17 },
      { reader: 'Inoreader', fetches: 1, subscribers: 6 },
      { reader: 'Miniflux', fetches: 1, subscribers: 0 },
      { reader: 'Other', fetches: 1, subscribers: 0 },
    ],
  )
  assert.equal(totalViews(db), 0, 'a feed fetch is not a page view')
})

test('a later flush the same day keeps the highest count and adds the fetches', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  await app.inject({ url: '/feed.xml', headers: { 'user-agent': FEEDLY(20) } })
  await app.stats.flush()
  await app.inject({ url: '/feed.xml', headers: { 'user-agent': FEEDLY(18) } })
  await app.stats.flush()
  assert.deepEqual(
    all(db, 'select reader, fetches, subscribers from stats_feeds').map((f) => ({ ...(f as object) })),
    [{ reader: 'Feedly', fetches: 2, subscribers: 20 }],
  )
})
