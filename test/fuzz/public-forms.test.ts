// Fuzzes what a stranger can post: contact, sign-in, first-run setup, every admin form signed out, and methods no route takes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { issueSetupToken } from '../../src/features/auth/users.ts'
import { cookiesFrom, csrfIn, TEST_PASSWORD } from '../helpers/admin.ts'
import { GOOD_MESSAGE, signedTimestamp } from '../helpers/contact.ts'
import { hostileString, percentEncode } from './arbitraries.ts'
import type { Pairs } from './bodies.ts'
import { formFor, type HarvestedForm, harvestForms } from './forms.ts'
import { type FuzzCase, runFuzz } from './harness.ts'
import { formRequests, urlFor } from './requests.ts'
import { fuzzSite, routesFor } from './site.ts'

/** A visitor's cookie jar and CSRF token, as the page at `url` sets them. */
async function visitorAt(app: import('fastify').FastifyInstance, url: string) {
  const res = await app.inject({ url, headers: { accept: 'text/html' } })
  const csrf = csrfIn(res.body)
  assert.ok(csrf, `${url} has a CSRF token`)
  return { cookies: cookiesFrom(res.headers['set-cookie']), csrf }
}

/** Every field right but one, which is hostile: the request gets past validation to the code behind it. */
function allButOne(good: Record<string, string>): fc.Arbitrary<Pairs> {
  const names = Object.keys(good)
  return fc
    .tuple(fc.constantFrom(...names), hostileString({ long: true }))
    .map(([name, value]) => names.map((n): [string, string] => [n, n === name ? value : (good[n] ?? '')]))
}

test('the first-run setup form, sent anything, never fails or leaks a stack or JSON error', async (t) => {
  const site = await fuzzSite(t, { account: false })
  const token = issueSetupToken(site.db)
  assert.ok(token)
  const visitor = await visitorAt(site.app, `/admin/setup?token=${token}`)
  const forms = await harvestForms(site.app, [`/admin/setup?token=${token}`], visitor.cookies)
  const form = formFor('/admin/setup', forms)
  assert.ok(form?.fields.some((f) => f.name === 'token'))
  const route = { method: 'POST', path: '/admin/setup', url: '/admin/setup' }
  await runFuzz(t, site, [
    {
      name: 'visitor POST /admin/setup',
      requests: formRequests(site.db, route, {
        form,
        png: site.png,
        csrf: visitor.csrf,
        cookies: visitor.cookies,
      }),
      runs: 80,
      mustNotWrite: false,
    },
  ])
})

/** Routes a stranger may make write: first-run setup, and the challenge a passkey sign-in starts with. */
const WRITE_BY_DESIGN = new Set(['/admin/setup', '/admin/login/passkey/options'])

test('no public form or signed-out admin request, sent anything, fails, leaks a stack or JSON error, or writes when refused', async (t) => {
  const site = await fuzzSite(t)
  const visitor = await visitorAt(site.app, '/contact')
  const forms = await harvestForms(site.app, ['/contact', '/admin/login'], visitor.cookies)
  // A form served ten seconds ago, so the contact form's "sent too fast" check lets it through.
  const ts = signedTimestamp(site.db)
  const withTs = (form: HarvestedForm | undefined): HarvestedForm | undefined =>
    form && { ...form, fields: form.fields.map((f) => (f.name === 'ts' ? { ...f, values: [ts] } : f)) }

  const good: Record<string, fc.Arbitrary<Pairs>> = {
    '/contact': allButOne({ ...GOOD_MESSAGE, ts }),
    // The right password with any next=: the redirect after signing in must hold up.
    '/admin/login': fc
      .tuple(hostileString(), fc.constantFrom('author@example.com', ' Author@Example.com '))
      .map(([next, email]) => [
        ['email', email],
        ['password', TEST_PASSWORD],
        ['next', next.startsWith('/') ? next : `/admin/${next}`],
      ]),
  }
  const runs: Record<string, number> = { '/contact': 150, '/admin/login': 70 }
  const posts = await routesFor(site.app, ['POST', 'PUT', 'PATCH', 'DELETE'])
  const cases: FuzzCase[] = posts.map((route) => {
    const open = route.path in runs
    return {
      name: `visitor ${route.method} ${route.path}`,
      requests: formRequests(site.db, route, {
        form: withTs(forms.find((f) => f.action === route.path)),
        png: site.png,
        csrf: visitor.csrf,
        cookies: visitor.cookies,
        ...(good[route.path] ? { good: good[route.path] } : {}),
      }),
      runs: runs[route.path] ?? 15,
      // Refused for want of a session: nothing may change. (Setup, sign-in and a passkey sign-in's
      // one-use challenge write by design.)
      mustNotWrite: !open && !WRITE_BY_DESIGN.has(route.path),
    }
  })

  // Methods no route takes, on every path there is: a 404 or 405 page, never a write.
  const paths = (await routesFor(site.app, ['GET', 'POST'])).map((r) => r.path)
  cases.push({
    name: 'visitor other methods',
    requests: fc
      .record({
        method: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'POST'),
        path: fc.constantFrom(...new Set(paths)),
        accept: fc.constantFrom('text/html', '*/*', 'application/json'),
        type: fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
        body: hostileString(),
      })
      .chain(({ method, path, accept, type, body }) =>
        urlFor(site.db, path).map((url) => ({
          route: `${path} (${method})`,
          method,
          url,
          headers: { accept, 'content-type': type },
          payload: type === 'application/json' ? JSON.stringify({ body }) : `body=${percentEncode(body)}`,
          cookies: visitor.cookies,
        })),
      )
      .filter(
        (request) =>
          !posts.some((p) => p.method === request.method && p.path === request.route.split(' ')[0]),
      ),
    runs: 120,
    mustNotWrite: true,
  })
  await runFuzz(t, site, cases, { budgetMs: 60_000 })
})
