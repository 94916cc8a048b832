// Fuzzes every admin form as the signed-in author: the page's own fields mutated with hostile values, in any encoding, CSRF mostly valid.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { TEST_PASSWORD } from '../helpers/admin.ts'
import { hostileString } from './arbitraries.ts'
import type { Pairs } from './bodies.ts'
import { formFor, harvestForms } from './forms.ts'
import { type FuzzCase, runFuzz } from './harness.ts'
import { formRequests } from './requests.ts'
import { concreteUrls, fuzzSite, routesFor } from './site.ts'

/** Fields that only reach deeper code when right: the current password on the account page. */
const rightPassword = (): fc.Arbitrary<Pairs> =>
  fc.tuple(hostileString(), fc.boolean()).map(([value, same]) => [
    ['current_password', TEST_PASSWORD],
    ['new_password', value],
    ['confirm_password', same ? value : `${value}x`],
  ])

test('no admin form, sent anything by the signed-in author, fails or leaks a stack or JSON error', async (t) => {
  const site = await fuzzSite(t)
  const author = site.author
  assert.ok(author)
  const pages = (await routesFor(site.app, ['GET'])).filter((r) => r.path.startsWith('/admin'))
  const forms = await harvestForms(site.app, concreteUrls(site.db, pages), author.cookies)
  const posts = (await routesFor(site.app, ['POST', 'PUT', 'PATCH', 'DELETE'])).filter((r) =>
    r.path.startsWith('/admin'),
  )
  // The forms were read from the pages: the editor's fields, the upload's file input.
  assert.ok(
    forms.some((f) => f.action === '/admin/posts' && f.fields.some((field) => field.name === 'published_at')),
  )
  assert.ok(forms.some((f) => f.action === '/admin/media' && f.files.length > 0))

  const cases: FuzzCase[] = posts.map((route) => {
    const form = formFor(route.path, forms)
    // Saving a post renders Markdown and writes revisions: the editor forms get the most runs.
    const runs = /^\/admin\/(posts|pages|settings|media)$|^\/admin\/(posts|pages)\/:id$/.test(route.path)
      ? 100
      : 35
    return {
      name: `author ${route.method} ${route.path}`,
      requests: formRequests(site.db, route, {
        form,
        png: site.png,
        csrf: author.csrf,
        cookies: author.cookies,
        ...(route.path === '/admin/account/password' ? { good: rightPassword() } : {}),
      }),
      runs,
      mustNotWrite: false,
    }
  })
  // Fuzzed logouts, ended sessions and new passwords sign the author out; the next request signs back in.
  await runFuzz(t, site, cases, { beforeEach: () => author.keepSignedIn(), budgetMs: 80_000 })
})
