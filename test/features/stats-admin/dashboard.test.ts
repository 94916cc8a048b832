// Checks the dashboard's Readers card: last week's visitors and page views in one line, and the subscribers with their growth when mail can be sent.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { subscribers } from '../../../src/db/schema.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { DAY } from '../../helpers/fixtures.ts'
import { daysAgo, seedPaths } from './seed.ts'

const readersCardIn = (html: string): string =>
  /<section class="card" aria-labelledby="readers-title">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? ''

function addSubscriber(
  db: Db,
  email: string,
  status: 'pending' | 'confirmed' | 'unsubscribed',
  daysAgoConfirmed: number,
) {
  const at = new Date(Date.now() - daysAgoConfirmed * DAY)
  db.insert(subscribers)
    .values({ email, status, createdAt: at, confirmedAt: status === 'pending' ? null : at })
    .run()
}

test('the dashboard says how many visitors and page views the last 7 days had, linking to the stats', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  seedPaths(db, [
    { day: daysAgo(db, 0), path: '/', views: 1200, visitors: 800 },
    { day: daysAgo(db, 6), path: '/', views: 30, visitors: 20 },
    { day: daysAgo(db, 7), path: '/', views: 5000, visitors: 4000 },
  ])
  const card = readersCardIn((await author.get('/admin')).body)
  assert.match(
    card,
    /<a href="\/admin\/stats\?range=7">Last 7 days: 820 visitors \(daily uniques added up\), 1,230 page views<\/a>/,
  )
})

test('with nothing counted the line still reads naturally', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const card = readersCardIn((await author.get('/admin')).body)
  assert.match(card, /Last 7 days: 0 visitors \(daily uniques added up\), 0 page views/)
})

test('with SMTP set, the dashboard shows confirmed subscribers and how many joined in the last 30 days', async (t) => {
  const { app, db } = await createTestApp(t, { SMTP_URL: 'smtp://127.0.0.1:2525' })
  const author = await signIn(app, db)
  addSubscriber(db, 'new@example.com', 'confirmed', 3)
  addSubscriber(db, 'old@example.com', 'confirmed', 90)
  addSubscriber(db, 'waiting@example.com', 'pending', 1)
  addSubscriber(db, 'gone@example.com', 'unsubscribed', 2)
  const card = readersCardIn((await author.get('/admin')).body)
  assert.match(
    card,
    /<a href="\/admin\/subscribers">2 subscribers<\/a> <span class="muted">\(\+1 in the last 30 days\)<\/span>/,
  )
  assert.doesNotMatch(card, /SMTP_URL/)
})

test('without SMTP, the dashboard has no subscriber count but says what to set', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  addSubscriber(db, 'new@example.com', 'confirmed', 3)
  const card = readersCardIn((await author.get('/admin')).body)
  assert.doesNotMatch(card, /subscribers<\/a>/)
  assert.match(card, /Set SMTP_URL to email new posts to subscribers/)
  assert.match(card, /<a href="\/admin\/subscribers">Subscribers<\/a>/)
})
