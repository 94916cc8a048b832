// Checks that an imported blog's old URLs answer 301 to where their posts, pages, tags and feeds live now.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { savePost } from '../../../src/features/content/posts.ts'
import { oldPathKey } from '../../../src/features/importers/old-paths.ts'
import { looksLikeOldPermalink } from '../../../src/features/importers/redirect-routes.ts'
import {
  addRedirect,
  type RedirectTarget,
  resolveRedirect,
} from '../../../src/features/importers/redirects.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPage, createPost, DAY, fromNow } from '../../helpers/fixtures.ts'

/** Stores redirects the way the importer does: every old URL through oldPathKey. */
function redirect(db: Db, oldUrls: string[], target: RedirectTarget): void {
  for (const url of oldUrls) {
    const key = oldPathKey(url)
    assert.ok(key, url)
    addRedirect(db, key, target, new Date())
  }
}

test('a published post’s old permalink answers 301 to its post, with or without the trailing slash', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Hello world' })
  redirect(db, ['https://old.example/2019/03/hello-world/', 'https://old.example/?p=123'], {
    postId: post.id,
  })

  for (const url of [
    '/2019/03/hello-world/',
    '/2019/03/hello-world',
    '/?p=123',
    '/?p=123&utm_source=mastodon',
    '/?p=123&s=hello',
    '/index.php?p=123',
    '/index.php/2019/03/hello-world/',
  ]) {
    const response = await app.inject(url)
    assert.equal(response.statusCode, 301, url)
    assert.equal(response.headers.location, `/posts/${post.slug}`, url)
  }
})

test('an old link to a post renamed since still lands on its current URL', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'First name' })
  redirect(db, ['/2018/first-name/', '/?p=7'], { postId: post.id })
  const input = { title: 'Second name', slug: 'second-name', kind: 'article', bodyMd: 'Body.' } as const
  savePost(db, { ...input, status: 'published', publishedAt: fromNow(-DAY) }, { id: post.id })

  for (const url of ['/2018/first-name/', '/?p=7']) {
    const response = await app.inject(url)
    assert.equal(response.statusCode, 301)
    assert.equal(response.headers.location, '/posts/second-name')
  }
  assert.equal((await app.inject('/posts/second-name')).statusCode, 200)
})

test('an old link to a draft stays hidden: a 404, or the home page for a query permalink', async (t) => {
  const { app, db } = await createTestApp(t)
  const draft = createPost(db, { title: 'Secret plans', status: 'draft' })
  redirect(db, ['/2020/01/secret-plans/', '/?p=55'], { postId: draft.id })

  const old = await app.inject('/2020/01/secret-plans/')
  assert.equal(old.statusCode, 404)
  assert.equal(old.headers.location, undefined)
  assert.doesNotMatch(old.body, /Secret plans/)
  const query = await app.inject('/?p=55')
  assert.equal(query.statusCode, 200)
  assert.equal(query.headers.location, undefined)
  assert.doesNotMatch(query.body, /Secret plans/)
})

test('a scheduled post’s old link starts redirecting when it goes live', async (t) => {
  const { db } = await createTestApp(t)
  const post = createPost(db, { title: 'Coming soon', status: 'scheduled', publishedAt: fromNow(DAY) })
  redirect(db, ['/2030/coming-soon/'], { postId: post.id })

  assert.equal(resolveRedirect(db, '/2030/coming-soon/', new Date()), undefined)
  assert.equal(resolveRedirect(db, '/2030/coming-soon/', fromNow(2 * DAY)), `/posts/${post.slug}`)
})

test('an old page URL answers 301 to the page, even where Ghost’s /slug/ shape meets the page route', async (t) => {
  const { app, db } = await createTestApp(t)
  const id = createPage(db, { title: 'About me', slug: 'about-me' })
  redirect(db, ['https://old.example/about/', 'https://old.example/?page_id=7'], { pageId: id })
  const unpublished = createPage(db, { title: 'Old CV', slug: 'cv', status: 'draft', navOrder: null })
  redirect(db, ['/resume/'], { pageId: unpublished })

  for (const url of ['/about/', '/about', '/?page_id=7']) {
    const response = await app.inject(url)
    assert.equal(response.statusCode, 301, url)
    assert.equal(response.headers.location, '/about-me', url)
  }
  assert.equal((await app.inject('/resume/')).statusCode, 404)
})

test('old category, tag, author and feed URLs answer 301 to their fixed Folio paths', async (t) => {
  const { app, db } = await createTestApp(t)
  redirect(db, ['/category/web-dev/', '/?cat=3', '/tag/css/'], { toPath: '/tags/web-dev' })
  redirect(db, ['/feed/', '/?feed=rss2', '/rss/'], { toPath: '/rss.xml' })
  redirect(db, ['/author/jane/', '/?author=2'], { toPath: '/' })

  const expected: [string, string][] = [
    ['/category/web-dev/', '/tags/web-dev'],
    ['/?cat=3', '/tags/web-dev'],
    ['/tag/css', '/tags/web-dev'],
    ['/feed/', '/rss.xml'],
    ['/?feed=rss2', '/rss.xml'],
    ['/rss/', '/rss.xml'],
    ['/author/jane/', '/'],
    ['/?author=2', '/'],
  ]
  for (const [url, location] of expected) {
    const response = await app.inject(url)
    assert.equal(response.statusCode, 301, url)
    assert.equal(response.headers.location, location, url)
  }
})

test('an old permalink with a unicode slug matches in its percent-encoded form', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Café crème', slug: 'cafe-creme' })
  redirect(db, ['https://old.example/2019/03/café-crème/'], { postId: post.id })

  const response = await app.inject('/2019/03/caf%C3%A9-cr%C3%A8me/')
  assert.equal(response.statusCode, 301)
  assert.equal(response.headers.location, '/posts/cafe-creme')
})

test('HEAD gets the same 301 as GET, and a POST to an old URL is not redirected', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  redirect(db, ['/2019/03/head/', '/?p=9'], { postId: post.id })

  for (const url of ['/2019/03/head/', '/?p=9']) {
    const head = await app.inject({ method: 'HEAD', url })
    assert.equal(head.statusCode, 301, url)
    assert.equal(head.headers.location, `/posts/${post.slug}`, url)
    assert.equal(head.body, '')
  }
  const posted = await app.inject({ method: 'POST', url: '/2019/03/head/' })
  assert.equal(posted.statusCode, 404)
  assert.equal(posted.headers.location, undefined)
})

test('an unknown /?p= shows the home page as before, and the cached home page never hides a redirect', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Listed on the home page' })
  redirect(db, ['/?p=1'], { postId: post.id })

  const home = await app.inject('/')
  assert.equal(home.statusCode, 200)
  assert.equal((await app.inject('/')).body, home.body)
  const unknown = await app.inject('/?p=999')
  assert.equal(unknown.statusCode, 200)
  assert.equal(unknown.body, home.body)
  const known = await app.inject('/?p=1')
  assert.equal(known.statusCode, 301)
  assert.equal(known.headers.location, `/posts/${post.slug}`)
  assert.equal((await app.inject('/?utm_source=x')).body, home.body)
})

test('ordinary pages are unaffected: cached posts still answer 200 and unknown paths 404', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Plain post' })
  redirect(db, ['/2019/plain/'], { postId: post.id })

  const first = await app.inject(`/posts/${post.slug}`)
  const second = await app.inject(`/posts/${post.slug}`)
  assert.equal(first.statusCode, 200)
  assert.equal(second.statusCode, 200)
  assert.equal(second.body, first.body)
  assert.equal(second.headers.location, undefined)
  const missing = await app.inject('/2019/never-was/')
  assert.equal(missing.statusCode, 404)
  assert.match(missing.body, /not found/i)
})

test('only home-page query URLs and /index.php reach the early check', () => {
  for (const url of ['/?p=1', '/?', '/index.php', '/index.php?p=2', '/index.php/2019/x']) {
    assert.equal(looksLikeOldPermalink(url), true, url)
  }
  for (const url of ['/', '/posts/x', '/posts?page=2', '/indexes', '/i', '', '/about?p=1']) {
    assert.equal(looksLikeOldPermalink(url), false, url)
  }
})

test('a second import keeps the first target, and a redirect off the site is refused', async (t) => {
  const { db } = await createTestApp(t)
  const first = createPost(db)
  const second = createPost(db)
  assert.equal(addRedirect(db, '/2019/x', { postId: first.id }, new Date()), true)
  assert.equal(addRedirect(db, '/2019/x', { postId: second.id }, new Date()), false)
  assert.equal(resolveRedirect(db, '/2019/x/', new Date()), `/posts/${first.slug}`)

  assert.throws(
    () => addRedirect(db, '/evil', { toPath: '//evil.example/' }, new Date()),
    /path on this site/,
  )
  assert.throws(() => addRedirect(db, '/evil', { toPath: 'https://evil.example/' }, new Date()))
  assert.equal(resolveRedirect(db, '/evil', new Date()), undefined)
  assert.equal(resolveRedirect(db, '/', new Date()), undefined)
  assert.equal(resolveRedirect(db, `/${'x'.repeat(5000)}`, new Date()), undefined)
})

test('an old search, /?s=words or /search/words/, answers 301 to Folio’s search for the same words', async (t) => {
  const { app } = await createTestApp(t)
  const expected: [string, string][] = [
    ['/?s=css+grid', '/search?q=css%20grid'],
    ['/index.php?s=caf%C3%A9', '/search?q=caf%C3%A9'],
    ['/search/css+grid/', '/search?q=css%20grid'],
    ['/search/css%20grid/page/2/', '/search?q=css%20grid'],
  ]
  for (const [url, location] of expected) {
    const response = await app.inject(url)
    assert.equal(response.statusCode, 301, url)
    assert.equal(response.headers.location, location, url)
  }
  // Nothing to search for: the home page, as before; Folio's own search is untouched.
  assert.equal((await app.inject('/?s=')).statusCode, 200)
  assert.equal((await app.inject('/search?q=css')).statusCode, 200)
  const script = await app.inject('/?s=%3Cscript%3E')
  assert.equal(script.headers.location, '/search?q=%3Cscript%3E')
})

test('an old post’s own feed and AMP copy lead to the post; a resized copy of an old image to the original’s new home', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'With a feed' })
  redirect(db, ['/2019/03/with-a-feed/', '/a-ghost-post/'], { postId: post.id })
  redirect(db, ['/wp-content/uploads/2019/03/pic.jpg', '/content/images/2019/03/shot.png'], {
    toPath: '/media/pic-abc.webp',
  })
  const expected: [string, string][] = [
    ['/2019/03/with-a-feed/feed/', `/posts/${post.slug}`],
    ['/2019/03/with-a-feed/feed/atom/', `/posts/${post.slug}`],
    ['/a-ghost-post/amp/', `/posts/${post.slug}`],
    ['/wp-content/uploads/2019/03/pic.jpg', '/media/pic-abc.webp'],
    ['/wp-content/uploads/2019/03/pic-300x200.jpg', '/media/pic-abc.webp'],
    ['/content/images/size/w600/2019/03/shot.png', '/media/pic-abc.webp'],
  ]
  for (const [url, location] of expected) {
    const response = await app.inject(url)
    assert.equal(response.statusCode, 301, url)
    assert.equal(response.headers.location, location, url)
  }
  for (const url of ['/never-was/feed/', '/wp-content/uploads/2019/03/other-300x200.jpg', '/feed/amp/']) {
    assert.equal((await app.inject(url)).statusCode, 404, url)
  }
})
