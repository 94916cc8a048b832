// Checks the "Responses" section under a post: only approved ones, likes and reposts counted, replies and mentions listed oldest first, nothing hostile or remote let through.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { sanitizeRemoteHtml } from '../../../src/lib/remote-html.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, createResponse } from '../../helpers/fixtures.ts'
import { mainOf, scriptTags } from '../../helpers/html.ts'

/** A response as a receiver stores it, approved unless told otherwise. */
const addResponse = (db: Db, postId: number, input: Parameters<typeof createResponse>[2] = {}): number =>
  createResponse(db, postId, { status: 'approved', ...input }).id

/** The Responses section of a post page, or undefined when the page has none. */
function sectionOf(html: string): string | undefined {
  const main = mainOf(html)
  const start = main.indexOf('<section class="responses"')
  if (start === -1) return undefined
  return main.slice(start, main.indexOf('</section>', start) + '</section>'.length)
}

async function sectionFor(app: Awaited<ReturnType<typeof createTestApp>>['app'], slug: string) {
  const res = await app.inject(`/posts/${slug}`)
  assert.equal(res.statusCode, 200)
  return sectionOf(res.body)
}

test('an approved reply shows under its post with the author linked, the date and the words', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  addResponse(db, post.id, {
    authorName: 'Jane Doe',
    authorUrl: 'https://jane.example/',
    sourceUrl: 'https://www.jane.example/notes/42',
    contentHtml: '<p>This saved me an <em>afternoon</em>.</p>',
    publishedAt: new Date('2026-02-03T08:00:00Z'),
  })

  const res = await app.inject(`/posts/${post.slug}`)
  const section = sectionOf(res.body)
  assert.ok(section, 'the post has a Responses section')
  assert.match(
    section,
    /<section class="responses" aria-labelledby="responses-title">\s*<h2 id="responses-title">Responses<\/h2>/,
  )
  assert.match(section, /<ol class="responses__list">\s*<li class="response response--reply"/)
  assert.match(section, /<span class="response__initials" aria-hidden="true">JD<\/span>/)
  assert.match(
    section,
    /<a class="response__author" href="https:\/\/jane\.example\/" rel="nofollow ugc noopener"><bdi>Jane Doe<\/bdi><\/a> replied on <time datetime="2026-02-03T08:00:00.000Z">3 February 2026<\/time>/,
  )
  assert.match(
    section,
    /<div class="prose response__content"><p>This saved me an <em>afternoon<\/em>\.<\/p><\/div>/,
  )
  assert.match(
    section,
    /<a href="https:\/\/www\.jane\.example\/notes\/42" rel="nofollow ugc noopener">on jane\.example<\/a>/,
  )
  // Between the article and the links to other posts.
  const main = mainOf(res.body)
  assert.ok(main.indexOf('class="author-box"') < main.indexOf('class="responses"'))
  assert.ok(
    main.indexOf('class="responses"') < main.indexOf('class="adjacent"') ||
      !main.includes('class="adjacent"'),
  )
  assert.deepEqual(scriptTags(res.body), [])
})

test('pending, rejected and spam responses never show, and a post without approved ones has no section', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  for (const status of ['pending', 'rejected', 'spam'] as const) {
    addResponse(db, post.id, {
      status,
      authorName: `Hidden ${status}`,
      contentHtml: `<p>Secret ${status}</p>`,
    })
    addResponse(db, post.id, { status, kind: 'like', authorName: `Liker ${status}` })
  }
  const res = await app.inject(`/posts/${post.slug}`)
  assert.equal(sectionOf(res.body), undefined)
  assert.doesNotMatch(res.body, /Hidden |Secret |Liker |Responses/)
})

test('only the post shown gets its responses', async (t) => {
  const { app, db } = await createTestApp(t)
  const mine = createPost(db)
  const other = createPost(db)
  addResponse(db, other.id, { authorName: 'Elsewhere', contentHtml: '<p>About the other post</p>' })
  addResponse(db, mine.id, { authorName: 'Right here' })
  const section = await sectionFor(app, mine.slug)
  assert.match(String(section), /Right here/)
  assert.doesNotMatch(String(section), /Elsewhere|About the other post/)
})

test('likes and reposts are counted in one line, and replies and mentions are listed oldest first', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const at = (minute: number) => new Date(Date.UTC(2026, 1, 1, 9, minute))
  addResponse(db, post.id, { kind: 'mention', authorName: 'Second', receivedAt: at(20) })
  for (const minute of [1, 2, 3])
    addResponse(db, post.id, { kind: 'like', receivedAt: at(minute), contentHtml: '' })
  addResponse(db, post.id, { kind: 'repost', receivedAt: at(4), contentHtml: '' })
  addResponse(db, post.id, { kind: 'reply', authorName: 'First', receivedAt: at(10) })
  addResponse(db, post.id, { kind: 'reply', authorName: 'Third', receivedAt: at(30) })

  const section = String(await sectionFor(app, post.slug))
  assert.match(section, /<p class="responses__counts">3 likes · 1 repost<\/p>/)
  const names = [...section.matchAll(/<bdi>([^<]+)<\/bdi>/g)].map((m) => m[1])
  assert.deepEqual(names, ['First', 'Second', 'Third'])
  assert.match(section, /<bdi>Second<\/bdi><\/a> mentioned this on/)
  assert.equal([...section.matchAll(/<li /g)].length, 3, 'likes and reposts are counted, not listed')
})

test('a post with only likes shows the count and no list', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  addResponse(db, post.id, { kind: 'like', contentHtml: '' })
  const section = String(await sectionFor(app, post.slug))
  assert.match(section, /<p class="responses__counts">1 like<\/p>/)
  assert.doesNotMatch(section, /<ol|repost/)
})

test('hostile responses stay inert: names are escaped, only http(s) authors are links, and no image or script gets through', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const hostileHtml = [
    '<p onclick="alert(1)">Nice <script>alert(2)</script><img src="https://tracker.example/pixel.gif" alt="">',
    '<a href="javascript:alert(3)">click</a> <a href="/admin">home</a></p>',
    '<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>',
  ].join('')
  addResponse(db, post.id, {
    authorName: '<script>alert("name")</script>',
    authorUrl: 'javascript:alert(1)',
    sourceUrl: 'https://evil.example/post',
    // Stored the way receivers store it: through the remote allowlist.
    contentHtml: sanitizeRemoteHtml(hostileHtml, 'https://evil.example/post'),
  })
  addResponse(db, post.id, {
    authorName: 'Data',
    authorUrl: 'data:text/html,hi',
    sourceUrl: 'ftp://x.example/file',
  })

  const res = await app.inject(`/posts/${post.slug}`)
  const section = String(sectionOf(res.body))
  assert.match(
    section,
    /<span class="response__author"><bdi>&lt;script&gt;alert\(&quot;name&quot;\)&lt;\/script&gt;<\/bdi><\/span>/,
  )
  assert.doesNotMatch(section, /<script|<img|<iframe|<style|onclick|javascript:|data:text|ftp:/i)
  assert.match(section, /<span class="response__author"><bdi>Data<\/bdi><\/span>/)
  // A relative link in someone else's words points at their site, never at this one.
  assert.match(section, /href="https:\/\/evil\.example\/admin" rel="nofollow ugc noopener">home<\/a>/)
  assert.deepEqual(scriptTags(res.body), [])
})

test('the section never shows an image: initials stand in for avatars', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { bodyMd: 'Plain text, no images.' })
  addResponse(db, post.id, { authorName: 'Ana', authorUrl: 'https://ana.example/' })
  addResponse(db, post.id, { authorName: '', authorUrl: 'https://www.noname.example/me' })
  addResponse(db, post.id, { kind: 'like' })
  const section = String(await sectionFor(app, post.slug))
  assert.doesNotMatch(section, /<img|<picture|<svg|url\(/i)
  assert.match(section, /aria-hidden="true">A<\/span>/)
  // No name: the author's site stands in, and its initial.
  assert.match(
    section,
    /aria-hidden="true">NE<\/span> <a class="response__author" href="https:\/\/www\.noname\.example\/me" rel="nofollow ugc noopener"><bdi>noname\.example<\/bdi>/,
  )
})

test('approving a response shows it on the post page at once, though the page was cached', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db)
  const id = addResponse(db, post.id, { status: 'pending', authorName: 'Fresh reply' })
  assert.equal(await sectionFor(app, post.slug), undefined)
  assert.equal(await sectionFor(app, post.slug), undefined) // the second read comes from the page cache

  const approve = await author.post(`/admin/responses/${id}/approve`, {}, '/admin/responses')
  assert.equal(approve.statusCode, 303)
  assert.match(String(await sectionFor(app, post.slug)), /Fresh reply/)

  const reject = await author.post(`/admin/responses/${id}/reject`, {}, '/admin/responses')
  assert.equal(reject.statusCode, 303)
  assert.equal(await sectionFor(app, post.slug), undefined)
})
