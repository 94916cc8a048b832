// Checks one post's figures for the editor: the last 30 site days and all time, its referrers, and the Readers panel that shows them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readersPanel } from '../../../src/features/admin/stats/panel.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { postStats } from '../../../src/features/stats/post-stats.ts'
import { createTestApp, createTestDb } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { seedPaths, seedSource } from './seed.ts'

// 02:00 UTC on 1 March is still 28 February in New York: the site's day decides what "30 days" is.
const NOW = new Date('2026-03-01T02:00:00Z')

test('a post’s figures cover the last 30 days of the site’s calendar and all time, other pages apart', (t) => {
  const { db } = createTestDb(t)
  const path = '/posts/caching'
  seedPaths(db, [
    { day: '2026-02-28', path, views: 10, visitors: 8, reads: 3 },
    { day: '2026-01-30', path, views: 5, visitors: 4, reads: 1 },
    { day: '2026-01-29', path, views: 100, visitors: 90, reads: 20 },
    { day: '2025-06-01', path, views: 1000, visitors: 900, reads: 200 },
    { day: '2026-02-28', path: '/posts/other', views: 7777, visitors: 7000 },
  ])
  const ny = postStats(db, path, NOW, 'America/New_York')
  assert.deepEqual(ny.last30Days, { views: 15, visitors: 12, reads: 4 }, '30 January to 28 February')
  assert.deepEqual(ny.allTime, { views: 1115, visitors: 1002, reads: 224 })
  const utc = postStats(db, path, NOW, 'UTC')
  assert.deepEqual(utc.last30Days, { views: 10, visitors: 8, reads: 3 }, '31 January to 1 March')
})

test('a post’s referrers over the last 30 days come grouped, most first, at most five', (t) => {
  const { db } = createTestDb(t)
  const path = '/posts/caching'
  const referrer = (day: string, value: string, views: number, on = path) =>
    seedSource(db, { day, path: on, kind: 'referrer', value, views })
  referrer('2026-02-27', 'news.ycombinator.com/item', 40)
  referrer('2026-02-20', 'news.ycombinator.com/item', 2)
  referrer('2026-02-20', 'google.com', 12)
  referrer('2026-02-20', 'fosstodon.org', 9)
  referrer('2026-02-20', 'a.example', 3)
  referrer('2026-02-20', 'b.example', 2)
  referrer('2026-02-20', 'c.example', 1)
  referrer('2025-12-01', 'old.example', 500)
  referrer('2026-02-20', 'elsewhere.example', 999, '/posts/other')
  const stats = postStats(db, path, NOW, 'UTC')
  assert.deepEqual(stats.referrers, [
    { value: 'news.ycombinator.com/item', group: 'Hacker News', views: 42 },
    { value: 'google.com', group: 'Search', views: 12 },
    { value: 'fosstodon.org', group: 'Fediverse', views: 9 },
    { value: 'a.example', group: 'Other', views: 3 },
    { value: 'b.example', group: 'Other', views: 2 },
  ])
})

test('a post with nothing counted has zeros, not errors', (t) => {
  const { db } = createTestDb(t)
  const stats = postStats(db, '/posts/nobody', NOW, 'UTC')
  assert.deepEqual(stats, {
    last30Days: { views: 0, visitors: 0, reads: 0 },
    allTime: { views: 0, visitors: 0, reads: 0 },
    referrers: [],
  })
})

test('the editor’s Readers panel shows a published post’s figures and referrers, escaped, and nothing for a draft', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { timezone: 'UTC' })
  const now = new Date()
  const today = now.toISOString().slice(0, 10)
  const long = createPost(db, { title: 'Long', bodyMd: 'word '.repeat(1200) })
  const short = createPost(db, { title: 'Short', bodyMd: 'Few words.' })
  seedPaths(db, [{ day: today, path: `/posts/${long.slug}`, views: 1234, visitors: 1000, reads: 300 }])
  seedSource(db, {
    day: today,
    path: `/posts/${long.slug}`,
    kind: 'referrer',
    value: '<b>x</b>.example',
    views: 4,
  })

  const html = await app.view('admin/posts/stats-panel', {
    readers: readersPanel(db, long.id, now, 'UTC'),
  })
  assert.match(html, /<th scope="row">Views<\/th><td class="num">1,234<\/td><td class="num">1,234<\/td>/)
  assert.match(
    html,
    /<th scope="row">Reached the end \(or near it\)<\/th><td class="num">300 <span class="muted">\(24% of views\)<\/span><\/td>/,
  )
  assert.match(html, /<bdi>&lt;b&gt;x&lt;\/b&gt;\.example<\/bdi> <span class="muted">Other · 4<\/span>/)
  assert.match(html, /<a href="\/admin\/stats">All stats<\/a>/)

  const shortHtml = await app.view('admin/posts/stats-panel', {
    readers: readersPanel(db, short.id, now, 'UTC'),
  })
  assert.doesNotMatch(shortHtml, /Reached the end/)
  assert.match(shortHtml, /Reaching the end is counted for articles of 3 minutes or more/)

  const draft = createPost(db, { title: 'Draft', status: 'draft' })
  assert.equal(readersPanel(db, draft.id, now, 'UTC'), null)
  assert.equal(readersPanel(db, undefined, now, 'UTC'), null, 'a new post')
  const none = await app.view('admin/posts/stats-panel', { readers: null })
  assert.equal(none.trim(), '', 'a draft gets no panel')
})
