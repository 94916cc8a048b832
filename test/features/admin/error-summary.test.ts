// Checks that every admin form refused with field errors starts with the linked error summary
// (views/partials/error-summary.eta): a heading that counts the fields, and a link to each field.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import sharp from 'sharp'
import { issueSetupToken } from '../../../src/features/auth/users.ts'
import { saveUpload } from '../../../src/features/media/service.ts'
import { browser, signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { mainOf } from '../../helpers/html.ts'

/** The error summary of a page, or undefined; asserts that each of its links leads to an element of the page. */
function summaryIn(html: string): { heading: string; ids: string[] } | undefined {
  const main = mainOf(html)
  const block =
    /<div class="form-error error-summary" role="alert" id="error-summary" tabindex="-1" aria-labelledby="error-summary-title" autofocus>([\s\S]*?)<\/div>/.exec(
      main,
    )?.[1]
  if (block === undefined) return undefined
  const heading =
    /<h[23] class="error-summary__title" id="error-summary-title">([^<]*)<\/h[23]>/.exec(block)?.[1] ?? ''
  const ids = [...block.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1] ?? '')
  for (const id of ids)
    assert.ok(main.includes(` id="${id}"`), `the summary links to #${id}, which is on the page`)
  return { heading, ids }
}

/** Asserts that the page was refused with 422 and a summary with this heading, linking to these fields in order. */
function assertSummary(res: { statusCode: number; body: string }, heading: string, ids: string[]): void {
  assert.equal(res.statusCode, 422)
  assert.deepEqual(summaryIn(res.body), { heading, ids })
}

test('a refused new page lists its bad fields, each linking to its input', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/pages',
    { title: '', body: 'Hello', status: 'gone', slug: '', nav_order: '', meta_description: '' },
    '/admin/pages/new',
  )

  assertSummary(res, 'The new page was not saved. Fix these 2 fields:', ['title', 'status'])
  assert.doesNotMatch(res.body, /Fix the fields marked below/)
})

test('a refused password change lists the field at fault', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post('/admin/account/password', {
    current_password: 'correct horse battery staple',
    new_password: 'a much longer password',
    confirm_password: 'not the same at all',
  })

  assertSummary(res, 'The password was not changed. Fix this field:', ['confirm_password'])
})

test('setup and sign-in with empty fields list them; a wrong password stays one plain message', async (t) => {
  const { app, db } = await createTestApp(t)
  const token = issueSetupToken(db)
  assert.ok(token)
  const visitor = browser(app)

  const setup = await visitor.post(
    '/admin/setup',
    { name: '', email: 'nope', password: 'short', token },
    { formUrl: `/admin/setup?token=${token}` },
  )
  assertSummary(setup, 'The account was not created. Fix these 3 fields:', ['name', 'email', 'password'])

  await signIn(app, db, 'sam@example.com')
  const empty = await visitor.post('/admin/login', { email: '', password: '' })
  assertSummary(empty, 'You were not signed in. Fix these 2 fields:', ['email', 'password'])

  const wrong = await visitor.post('/admin/login', { email: 'sam@example.com', password: 'not it' })
  assert.equal(wrong.statusCode, 401)
  assert.equal(summaryIn(wrong.body), undefined)
  assert.match(
    wrong.body,
    /<p class="form-error" role="alert">That email and password do not match an account\.<\/p>/,
  )
})

test('a new series without a title lists it', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/series',
    { title: '', slug: '', description: '' },
    '/admin/series/new',
  )

  assertSummary(res, 'The new series was not saved. Fix this field:', ['title'])
})

test('the media screens list a refused alt text and a delete without its confirmation', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const author = await signIn(app, db)
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#1f4fd1' } })
    .png()
    .toBuffer()
  const image = await saveUpload(db, config.mediaDir, {
    buffer: png,
    originalName: 'chart.png',
    alt: 'A chart',
  })
  createPost(db, { title: 'Uses the chart', bodyMd: `![Chart](/media/${image.fileName})` })

  const alt = await author.post(
    `/admin/media/${image.id}`,
    { alt: 'x'.repeat(5000) },
    `/admin/media/${image.id}`,
  )
  assertSummary(alt, 'The alt text was not saved. Fix this field:', ['alt'])

  const deleteUrl = `/admin/media/${image.id}/delete`
  const refused = await author.post(deleteUrl, {}, deleteUrl)
  assertSummary(refused, 'The image was not deleted. Fix this field:', ['confirm'])
})
