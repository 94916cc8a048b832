// Checks where views came from: referrers reduced to a host (and a path on a few aggregators), campaigns sanitised, groups for the stats page.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  campaignOf,
  fediverseHosts,
  reduceReferrer,
  referrerGroup,
} from '../../../src/features/stats/sources.ts'
import { createTestDb } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { addFollower } from '../../helpers/followers.ts'
import { clockAt, createStatsApp, noonToday, sourceRows, visit } from './helpers.ts'

const SITE = ['blog.example.com']

test('a referrer is reduced to its host, without www, port, path or query', () => {
  assert.equal(reduceReferrer('https://www.Google.com/search?q=folio+blog', SITE), 'google.com')
  assert.equal(reduceReferrer('https://duckduckgo.com/', SITE), 'duckduckgo.com')
  assert.equal(reduceReferrer('http://example.org:8080/some/private/page?token=abc', SITE), 'example.org')
  assert.equal(reduceReferrer('https://hachyderm.io/@sam/112233', SITE), 'hachyderm.io')
})

test('a few aggregators keep the part of the path that says where: HN items, subreddits, Lobsters stories', () => {
  assert.equal(
    reduceReferrer('https://news.ycombinator.com/item?id=40000000', SITE),
    'news.ycombinator.com/item',
  )
  assert.equal(reduceReferrer('https://news.ycombinator.com/', SITE), 'news.ycombinator.com')
  assert.equal(reduceReferrer('https://old.reddit.com/r/WebDev/comments/abc/x/', SITE), 'reddit.com/r/webdev')
  assert.equal(reduceReferrer('https://www.reddit.com/user/someone', SITE), 'reddit.com')
  assert.equal(
    reduceReferrer('https://lobste.rs/s/abc123/counting_without_cookies', SITE),
    'lobste.rs/s/abc123',
  )
})

test('this site’s own pages, non-web referrers and junk are not referrers', () => {
  assert.equal(reduceReferrer('https://blog.example.com/posts/x', SITE), undefined)
  assert.equal(reduceReferrer('https://www.blog.example.com/', SITE), undefined)
  assert.equal(reduceReferrer(undefined, SITE), undefined)
  assert.equal(reduceReferrer('', SITE), undefined)
  assert.equal(reduceReferrer('android-app://com.google.android.gm/', SITE), undefined)
  assert.equal(reduceReferrer('javascript:alert(1)', SITE), undefined)
  assert.equal(reduceReferrer('not a url', SITE), undefined)
  assert.equal(reduceReferrer(`https://${'a'.repeat(3000)}.com/`, SITE), undefined)
  assert.equal(reduceReferrer('http://localhost/', SITE), undefined)
  assert.equal(reduceReferrer('https://xn--bcher-kva.example/', SITE), 'xn--bcher-kva.example')
})

test('a campaign is utm_source, else ref, lower-cased and reduced to safe characters', () => {
  assert.equal(campaignOf('utm_source=Newsletter&utm_medium=email'), 'newsletter')
  assert.equal(campaignOf('ref=ProductHunt'), 'producthunt')
  assert.equal(campaignOf('utm_source=mastodon&ref=other'), 'mastodon')
  assert.equal(campaignOf('utm_source=%3Cscript%3Ealert(1)%3C%2Fscript%3E'), 'script-alert-1-script')
  assert.equal(campaignOf(`utm_source=${'x'.repeat(500)}`), 'x'.repeat(40))
  assert.equal(campaignOf('utm_source='), undefined)
  assert.equal(campaignOf('page=2'), undefined)
  assert.equal(campaignOf(''), undefined)
  assert.equal(campaignOf('utm_source=%E2%9C%93'), undefined)
})

test('referrers fall into groups: search, fediverse, Hacker News, newsletters, social, other', () => {
  assert.equal(referrerGroup('google.com'), 'Search')
  assert.equal(referrerGroup('google.co.uk'), 'Search')
  assert.equal(referrerGroup('duckduckgo.com'), 'Search')
  assert.equal(referrerGroup('search.brave.com'), 'Search')
  assert.equal(referrerGroup('news.ycombinator.com/item'), 'Hacker News')
  assert.equal(referrerGroup('mastodon.social'), 'Fediverse')
  assert.equal(referrerGroup('fosstodon.org'), 'Fediverse')
  assert.equal(referrerGroup('mastodon.example.net'), 'Fediverse')
  assert.equal(referrerGroup('ruby.social'), 'Fediverse')
  assert.equal(referrerGroup('sam.substack.com'), 'Newsletters')
  assert.equal(referrerGroup('buttondown.email'), 'Newsletters')
  assert.equal(referrerGroup('mail.google.com'), 'Newsletters')
  assert.equal(referrerGroup('reddit.com/r/webdev'), 'Social')
  assert.equal(referrerGroup('lobste.rs/s/abc123'), 'Social')
  assert.equal(referrerGroup('t.co'), 'Social')
  assert.equal(referrerGroup('bsky.app'), 'Social')
  assert.equal(referrerGroup('example.org'), 'Other')
  assert.equal(referrerGroup('toot.example'), 'Fediverse')
  assert.equal(referrerGroup('social.example.org', new Set(['social.example.org'])), 'Fediverse')
})

test('the servers the blog’s followers are on count as fediverse hosts', (t) => {
  const { db } = createTestDb(t)
  addFollower(db, 'https://social.example.org')
  addFollower(db, 'https://WWW.Pleroma.example')
  assert.deepEqual([...fediverseHosts(db)].sort(), ['pleroma.example', 'social.example.org'])
})

test('a reader’s referrer and campaign are stored per page; same-site navigation is not a referrer', async (t) => {
  const clock = clockAt(noonToday())
  const { app, db } = await createStatsApp(t, { stats: { now: clock.now } })
  const { slug } = createPost(db, { title: 'From elsewhere' })
  const page = `/posts/${slug}`
  await visit(app, page, { referer: 'https://news.ycombinator.com/item?id=1' })
  await visit(app, page, { referer: 'https://news.ycombinator.com/item?id=2' }, '198.51.100.2')
  await visit(app, `${page}?utm_source=Mastodon`, { referer: 'https://hachyderm.io/@sam' })
  await visit(app, page, { referer: 'https://blog.example.com/' })
  await visit(app, page, { referer: 'https://blog.example.com/', 'user-agent': 'Googlebot/2.1' })
  await app.stats.flush()

  assert.deepEqual(sourceRows(db), [
    { kind: 'campaign', value: 'mastodon', views: 1, path: page },
    { kind: 'referrer', value: 'hachyderm.io', views: 1, path: page },
    { kind: 'referrer', value: 'news.ycombinator.com/item', views: 2, path: page },
  ])
})
