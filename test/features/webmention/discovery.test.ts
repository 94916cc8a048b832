// Checks that every public page advertises the Webmention endpoint (Link header and <link rel="webmention">), cached or not, and that no GET writes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { linkRel } from '../../helpers/html.ts'

const SITE = 'https://blog.example.com'
const ENDPOINT = `${SITE}/webmention`

test('every public HTML page, a 404 included, has the Webmention Link header and <link rel="webmention">', async (t) => {
  const { app, db } = await createTestApp(t, { SITE_URL: SITE })
  const post = createPost(db, { title: 'Discoverable', tags: ['Web'] })
  createPage(db, { title: 'About' })
  const paths = [
    '/',
    '/posts',
    `/posts/${post.slug}`,
    '/tags',
    '/tags/web',
    '/search?q=web',
    '/contact',
    '/contact/thanks',
    '/about',
    '/no-such-page',
  ]
  for (const path of paths) {
    // Twice: the second answer may come from the page cache, which must keep the header.
    for (const round of ['first', 'cached']) {
      const res = await app.inject({ method: 'GET', url: path })
      assert.ok(
        res.statusCode === 200 || (path === '/no-such-page' && res.statusCode === 404),
        `${path}: ${res.statusCode}`,
      )
      assert.equal(res.headers.link, `<${ENDPOINT}>; rel="webmention"`, `${path} (${round}) Link header`)
      assert.deepEqual(linkRel(res.body, 'webmention'), [ENDPOINT], `${path} (${round}) <link>`)
    }
  }
})

test('GET and HEAD /webmention write nothing', async (t) => {
  const { app, db } = await createTestApp(t, { SITE_URL: SITE })
  const before = snapshotDb(db)
  for (const method of ['GET', 'HEAD'] as const) {
    const res = await app.inject({
      method,
      url: '/webmention?source=https://a.example/&target=https://blog.example.com/',
    })
    assert.ok(res.statusCode < 500, `${method}: ${res.statusCode}`)
  }
  assert.deepEqual(snapshotDb(db), before)
})
