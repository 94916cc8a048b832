// Checks the settings' Readers section: the subscribe-form and stats-beacon switches, their explanations, and how a plain POST leaves them alone.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getSettings, saveSettings } from '../../../src/features/settings/service.ts'
import { fieldErrorIn, signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { mainOf } from '../../helpers/html.ts'

/** The form's required fields with today's values; the switches are added per test. */
const requiredFields = {
  site_title: 'Folio',
  tagline: '',
  description: '',
  language: 'en',
  timezone: 'UTC',
  author_name: 'Sam Rivera',
  author_bio: '',
  intro: '',
  services_title: '',
  services: '',
  contact_intro: '',
  contact_thanks: '',
  posts_per_page: '10',
}

test('the Readers section shows both switches with what they do; without SMTP_URL it says what to set', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const main = mainOf((await author.get('/admin/settings')).body)

  assert.match(main, /<legend>Readers<\/legend>/)
  assert.match(
    main,
    /<input type="checkbox" id="newsletter_enabled" name="newsletter_enabled" value="1" checked aria-describedby="newsletter_enabled-help">/,
  )
  assert.match(main, /Offer a subscribe form/)
  assert.match(main, /SMTP_URL is not set/)
  assert.match(
    main,
    /<input type="checkbox" id="stats_beacon" name="stats_beacon" value="1" aria-describedby="stats_beacon-help">/,
  )
  assert.match(main, /readers who never move a pointer or tap/)
})

test('with SMTP_URL set, the subscribe switch explains the form instead', async (t) => {
  const { app, db } = await createTestApp(t, { SMTP_URL: 'smtp://127.0.0.1:2525' })
  const author = await signIn(app, db)
  const main = mainOf((await author.get('/admin/settings')).body)
  assert.doesNotMatch(main, /SMTP_URL is not set/)
  assert.match(main, /People confirm by email before they are subscribed/)
})

test('unticking a box (the hidden 0 after it) turns the setting off; ticking turns it on', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const off = await author.post(
    '/admin/settings',
    { ...requiredFields, newsletter_enabled: '0', stats_beacon: ['1', '0'] },
    '/admin/settings',
  )
  assert.equal(off.statusCode, 303)
  assert.equal(getSettings(db).newsletterEnabled, false)
  assert.equal(getSettings(db).statsBeacon, true)
  const main = mainOf((await author.get('/admin/settings')).body)
  assert.match(main, /name="newsletter_enabled" value="1" aria-describedby/)
  assert.match(main, /name="stats_beacon" value="1" checked/)

  await author.post(
    '/admin/settings',
    { ...requiredFields, newsletter_enabled: ['1', '0'], stats_beacon: '0' },
    '/admin/settings',
  )
  assert.equal(getSettings(db).newsletterEnabled, true)
  assert.equal(getSettings(db).statsBeacon, false)
})

test('a POST without the switches (a script from before them) leaves them as they are', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { newsletterEnabled: false, statsBeacon: true })
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/settings',
    { ...requiredFields, site_title: 'Renamed' },
    '/admin/settings',
  )

  assert.equal(res.statusCode, 303)
  assert.equal(getSettings(db).title, 'Renamed')
  assert.equal(getSettings(db).newsletterEnabled, false)
  assert.equal(getSettings(db).statsBeacon, true)
})

test('a switch with a value that is neither on nor off is refused with 422, the rest of the form kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/settings',
    { ...requiredFields, site_title: 'Kept title', stats_beacon: '<script>maybe</script>' },
    '/admin/settings',
  )

  assert.equal(res.statusCode, 422)
  assert.match(fieldErrorIn(res.body, 'stats_beacon') ?? '', /Tick the box/)
  assert.match(res.body, /name="site_title"[^>]*value="Kept title"/)
  assert.doesNotMatch(res.body, /<script>maybe/)
  assert.equal(getSettings(db).statsBeacon, false)
})
