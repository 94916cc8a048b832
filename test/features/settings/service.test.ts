// Checks the site settings: defaults, validation, and Markdown rendered once at save time.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  applySettings,
  DEFAULT_SETTINGS,
  DEFAULT_SETTINGS_HTML,
  getSettings,
  saveSettings,
} from '../../../src/features/settings/service.ts'
import { renderMarkdown } from '../../../src/lib/markdown.ts'
import { createTestDb } from '../../helpers/app.ts'

const settingRows = (db: ReturnType<typeof createTestDb>['db']): number =>
  (db.$client.prepare('select count(*) as n from settings').get() as { n: number }).n

test('a new site has the default settings, with their Markdown rendered', (t) => {
  const { db } = createTestDb(t)
  const settings = getSettings(db)
  assert.equal(settings.title, DEFAULT_SETTINGS.title)
  assert.equal(settings.postsPerPage, 10)
  assert.match(settings.introHtml, /^<p>Hey there! 👋/)
  assert.match(settings.servicesHtml, /<strong>Performance audits<\/strong>/)
})

test("the defaults' HTML, written out so reading settings needs no Markdown pipeline, is what the pipeline renders", () => {
  assert.deepEqual(DEFAULT_SETTINGS_HTML, {
    introHtml: renderMarkdown(DEFAULT_SETTINGS.introMd),
    authorBioHtml: renderMarkdown(DEFAULT_SETTINGS.authorBioMd),
    servicesHtml: renderMarkdown(DEFAULT_SETTINGS.servicesMd),
    contactIntroHtml: renderMarkdown(DEFAULT_SETTINGS.contactIntroMd),
    contactThanksHtml: renderMarkdown(DEFAULT_SETTINGS.contactThanksMd),
  })
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

test('applying settings stores only what changed, and says when nothing did', async (t) => {
  const { db } = createTestDb(t)
  assert.deepEqual(await applySettings(db, { title: DEFAULT_SETTINGS.title }), { outcome: 'unchanged' })
  assert.equal(settingRows(db), 0)
  assert.deepEqual(await applySettings(db, { title: 'Sam', introMd: '**Hi**' }), { outcome: 'updated' })
  assert.equal(getSettings(db).introHtml, '<p><strong>Hi</strong></p>')
  assert.equal(settingRows(db), 3, 'title, introMd and its HTML')
})

test('applying settings refuses unknown keys and bad values, naming each, and stores nothing', async (t) => {
  const { db } = createTestDb(t)
  const applied = await applySettings(db, { title: 'Fine', postsPerPage: 0, colour: 'red' })
  assert.equal(applied.outcome, 'refused')
  const paths = applied.outcome === 'refused' ? applied.problems.map((p) => p.path.join('.')) : []
  assert.ok(paths.includes('postsPerPage'), paths.join(', '))
  assert.equal(settingRows(db), 0)
})

test('a Markdown bomb in a setting is refused beside that setting, and nothing is stored', async (t) => {
  const { db } = createTestDb(t)
  const applied = await applySettings(db, { title: 'Kept out', servicesMd: `${'>'.repeat(5000)} x` })
  assert.equal(applied.outcome, 'refused')
  if (applied.outcome !== 'refused') return
  assert.deepEqual(
    applied.problems.map((p) => p.path),
    [['servicesMd']],
  )
  assert.match(applied.problems[0]?.message ?? '', /nests quotes or lists more than 100 levels deep/)
  assert.equal(settingRows(db), 0)
  assert.equal(getSettings(db).title, DEFAULT_SETTINGS.title)
})
