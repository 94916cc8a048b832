// Checks the home page: intro, latest posts and the services block.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

test('the home page shows the intro, the latest posts and the services block', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { introMd: "Hey there! 👋 I'm **Sam**.", servicesTitle: 'Need some help?' })
  createPost(db, { title: 'Fast SQLite on a small VPS', daysAgo: 1 })

  const res = await app.inject('/')

  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.match(
    res.body,
    /Hey there! 👋 I&#39;m <strong>Sam<\/strong>|Hey there! 👋 I’m <strong>Sam<\/strong>|Hey there! 👋 I'm <strong>Sam<\/strong>/,
  )
  assert.match(res.body, /Fast SQLite on a small VPS/)
  assert.match(res.body, /Need some help\?/)
  assert.match(res.body, /href="\/contact"/)
  assert.equal(res.headers['set-cookie'], undefined, 'public pages set no cookies')
  assert.doesNotMatch(res.body, /<script(?! type="application\/ld\+json")/, 'no JavaScript on public pages')
})
