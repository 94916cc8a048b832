// Checks the Fediverse settings: the handle people follow and who approves new followers, in the service and the admin form.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { applySettings, getSettings, saveSettings } from '../../../src/features/settings/service.ts'
import { fieldErrorIn, signIn } from '../../helpers/admin.ts'
import { createTestApp, createTestDb } from '../../helpers/app.ts'
import { mainOf } from '../../helpers/html.ts'

const AP = 'application/activity+json'

/** The settings form as a browser posts it with the defaults, plus `fields`. */
const settingsForm = (fields: Record<string, string> = {}): Record<string, string> => ({
  site_title: 'Folio',
  tagline: 'Notes on building for the web',
  description: 'Articles and notes.',
  language: 'en',
  timezone: 'UTC',
  author_name: 'Sam Rivera',
  author_bio: 'I build websites.',
  intro: 'Hello there.',
  services_title: 'Need some help?',
  services: '- **Audits**',
  contact_intro: 'Write to me.',
  contact_thanks: 'Thanks!',
  posts_per_page: '10',
  fediverse_handle: 'blog',
  follow_approval: 'automatic',
  ...fields,
})

test('a new site is @blog and lets followers in automatically', (t) => {
  const { db } = createTestDb(t)
  assert.equal(getSettings(db).fediverseHandle, 'blog')
  assert.equal(getSettings(db).followApproval, 'automatic')
})

test('the service refuses a handle Mastodon would not accept, and an unknown approval mode', async (t) => {
  const { db } = createTestDb(t)
  for (const fediverseHandle of ['', 'sam rivera', 'sam@home', 'sam-rivera', 'é', 'a'.repeat(31)]) {
    const applied = await applySettings(db, { fediverseHandle })
    assert.equal(applied.outcome, 'refused', fediverseHandle)
  }
  assert.equal((await applySettings(db, { followApproval: 'sometimes' })).outcome, 'refused')
  assert.equal(getSettings(db).fediverseHandle, 'blog')
  assert.equal(
    (await applySettings(db, { fediverseHandle: 'Sam_R1', followApproval: 'manual' })).outcome,
    'updated',
  )
  assert.equal(getSettings(db).fediverseHandle, 'Sam_R1')
  assert.equal(getSettings(db).followApproval, 'manual')
})

test('the settings screen has a Fediverse section with the full address and the approval choice', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { fediverseHandle: 'sam', followApproval: 'manual' })
  const author = await signIn(app, db)
  const main = mainOf((await author.get('/admin/settings')).body)
  assert.match(main, /<legend>Fediverse<\/legend>/)
  assert.match(main, /name="fediverse_handle"[^>]*maxlength="30"[^>]*value="sam"/)
  assert.match(main, /@sam@blog\.example\.com/)
  assert.match(main, /value="manual" checked> Approve each new follower myself/)
  assert.doesNotMatch(main, /value="automatic" checked/)
})

test('a bad handle is refused with 422, a message beside it, and everything typed kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/settings',
    settingsForm({ site_title: 'Kept title', fediverse_handle: 'sam <rivera>', follow_approval: 'manual' }),
    '/admin/settings',
  )
  assert.equal(res.statusCode, 422)
  assert.match(fieldErrorIn(res.body, 'fediverse_handle') ?? '', /letters \(a–z\), digits and underscores/)
  assert.match(res.body, /href="#fediverse_handle">Fediverse name:/, 'the error summary links to it')
  assert.match(res.body, /name="fediverse_handle"[^>]*value="sam &lt;rivera&gt;"/)
  assert.match(res.body, /name="site_title"[^>]*value="Kept title"/)
  assert.match(res.body, /value="manual" checked>/)
  assert.equal(getSettings(db).fediverseHandle, 'blog', 'nothing was saved')
  assert.equal(getSettings(db).title, 'Folio')
})

test('an unknown approval mode is refused with 422 beside the choice', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post(
    '/admin/settings',
    settingsForm({ follow_approval: 'maybe' }),
    '/admin/settings',
  )
  assert.equal(res.statusCode, 422)
  assert.match(fieldErrorIn(res.body, 'follow_approval') ?? '', /Choose how new followers are let in/)
  assert.match(res.body, /href="#follow_approval-automatic">New followers:/)
})

test('a saved handle and approval mode reach WebFinger, the actor and the home page at once', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  await app.inject('/')
  const res = await author.post(
    '/admin/settings',
    settingsForm({ fediverse_handle: ' sam_writes ', follow_approval: 'manual' }),
    '/admin/settings',
  )
  assert.equal(res.statusCode, 303)
  const found = await app.inject('/.well-known/webfinger?resource=acct:sam_writes@blog.example.com')
  assert.equal(found.statusCode, 200)
  const actor = JSON.parse((await app.inject({ url: '/ap/actor', headers: { accept: AP } })).body)
  assert.equal(actor.preferredUsername, 'sam_writes')
  assert.equal(actor.manuallyApprovesFollowers, true)
  assert.match((await app.inject('/')).body.replace(/<wbr>/g, ''), /@sam_writes@blog\.example\.com/)
})

test('a form posted without the Fediverse fields keeps them as they were', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { fediverseHandle: 'sam', followApproval: 'manual' })
  const author = await signIn(app, db)
  const { fediverse_handle: _handle, follow_approval: _approval, ...older } = settingsForm({ tagline: 'New' })
  const res = await author.post('/admin/settings', older, '/admin/settings')
  assert.equal(res.statusCode, 303)
  assert.equal(getSettings(db).tagline, 'New')
  assert.equal(getSettings(db).fediverseHandle, 'sam')
  assert.equal(getSettings(db).followApproval, 'manual')

  const refused = await author.post('/admin/settings', { ...older, site_title: '' }, '/admin/settings')
  assert.equal(refused.statusCode, 422)
  assert.match(
    refused.body,
    /name="fediverse_handle"[^>]*value="sam"/,
    'the stored value is shown, as it is kept',
  )
})
