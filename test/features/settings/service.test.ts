// Checks the site settings: defaults, validation, and Markdown rendered once at save time.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_SETTINGS, getSettings, saveSettings } from '../../../src/features/settings/service.ts'
import { createTestDb } from '../../helpers/app.ts'

test('a new site has the default settings, with their Markdown rendered', (t) => {
  const { db } = createTestDb(t)
  const settings = getSettings(db)
  assert.equal(settings.title, DEFAULT_SETTINGS.title)
  assert.equal(settings.postsPerPage, 10)
  assert.match(settings.introHtml, /^<p>Hey there! 👋/)
  assert.match(settings.servicesHtml, /<strong>Performance audits<\/strong>/)
})

test('saved settings are read back, with their Markdown rendered and sanitized', (t) => {
  const { db } = createTestDb(t)
  saveSettings(db, { title: 'Sam’s notes', introMd: '**Hi** <script>alert(1)</script>' })
  const settings = getSettings(db)
  assert.equal(settings.title, 'Sam’s notes')
  assert.equal(settings.introHtml, '<p><strong>Hi</strong> </p>')
  assert.equal(settings.description, DEFAULT_SETTINGS.description, 'untouched settings keep their defaults')
})

test('invalid settings are refused and nothing is saved', (t) => {
  const { db } = createTestDb(t)
  assert.throws(() => saveSettings(db, { postsPerPage: 0 }))
  assert.throws(() => saveSettings(db, { title: '' }))
  assert.throws(() => saveSettings(db, { timezone: 'Mars/Olympus_Mons' }))
  assert.equal(getSettings(db).postsPerPage, 10)
})

test('a social link must be an http(s) URL', {}, (t) => {
  const { db } = createTestDb(t)
  assert.throws(() => saveSettings(db, { socialLinks: [{ label: 'Evil', url: 'javascript:alert(1)' }] }))
})
