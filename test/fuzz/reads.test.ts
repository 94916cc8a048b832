// Fuzzes every GET and HEAD route, signed out and signed in, with hostile URLs, queries and headers: no 5xx, no JSON error page, no stack, no write.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { snapshotDb } from '../helpers/admin.ts'
import { hostileHeaders, hostileQuery, hostileString, percentEncode, urlPiece } from './arbitraries.ts'
import { type FuzzCase, runFuzz } from './harness.ts'
import { originForm, readRequests } from './requests.ts'
import { fuzzSite, routesFor } from './site.ts'

/** Words the demo posts contain, prefixes, and FTS5's operators and punctuation. */
const FTS_TOKENS = [
  'sqlite',
  'node',
  'web',
  'a*',
  'b*',
  's*',
  '*',
  '"',
  '""',
  '"sqlite node"',
  'NEAR(sqlite node, 2)',
  'NEAR(',
  'AND',
  'OR',
  'NOT',
  '(',
  ')',
  '^',
  'title:',
  'body:sqlite',
  '{title body}:web',
  '-',
  '+',
  ':',
  '.',
  "'",
  '\\',
]

test('no GET or HEAD, however hostile, fails, leaks a stack or JSON error, or writes to the database', async (t) => {
  const site = await fuzzSite(t)
  const author = site.author
  assert.ok(author)
  const routes = await routesFor(site.app, ['GET', 'HEAD'])
  assert.ok(
    routes.some((r) => r.path === '/posts/:slug'),
    'the route list was read from the app',
  )

  const cases: FuzzCase[] = []
  for (const route of routes) {
    const admin = route.path.startsWith('/admin')
    const runs = route.method === 'HEAD' ? 12 : admin ? 60 : 90
    cases.push({
      name: `visitor ${route.method} ${route.path}`,
      requests: readRequests(site.db, route),
      runs: admin ? Math.ceil(runs / 3) : runs,
      mustNotWrite: true,
    })
    cases.push({
      name: `author ${route.method} ${route.path}`,
      requests: readRequests(site.db, route, author.cookies),
      runs: admin ? runs : Math.ceil(runs / 3),
      mustNotWrite: true,
    })
  }
  // Paths no route declares: the 404 page must hold up too.
  cases.push({
    name: 'visitor GET unmatched paths',
    requests: fc
      .record({
        segments: fc.array(urlPiece(hostileString()), { minLength: 1, maxLength: 4 }),
        query: fc.option(hostileQuery, { nil: undefined }),
        headers: hostileHeaders({ cookies: true }),
      })
      .map(({ segments, query, headers }) => ({
        route: '(no route)',
        method: 'GET',
        url: originForm(`/${segments.join('/')}${query === undefined ? '' : `?${query}`}`),
        headers,
      })),
    runs: 250,
    mustNotWrite: true,
  })
  // Search reads its query as FTS5 syntax: operators, prefixes, quotes and deep pages, mixed.
  if (routes.some((r) => r.path === '/search')) {
    cases.push({
      name: 'visitor GET /search with FTS syntax',
      requests: fc
        .record({
          terms: fc.array(fc.oneof(fc.constantFrom(...FTS_TOKENS), hostileString()), {
            minLength: 1,
            maxLength: 40,
          }),
          page: fc.oneof(fc.constantFrom('1', '2', '50', '999999', '-1', '1e9'), hostileString()),
          author: fc.boolean(),
        })
        .map(({ terms, page, author: signedIn }) => ({
          route: '/search',
          method: 'GET',
          url: `/search?q=${percentEncode(terms.join(' '))}&page=${percentEncode(page)}`,
          headers: { accept: 'text/html' },
          ...(signedIn ? { cookies: author.cookies } : {}),
        })),
      runs: 250,
      mustNotWrite: true,
    })
  }

  const before = snapshotDb(site.db)
  await runFuzz(t, site, cases, {
    budgetMs: 70_000,
    afterAll() {
      const after = snapshotDb(site.db)
      return [
        ...(after.changes === before.changes ? [] : ['total_changes() moved over the run: some GET wrote']),
        ...(after.rows === before.rows ? [] : ['a row changed over the run of GETs']),
      ]
    },
  })
})
