// Checks that replies to replies show as a thread under the post: nested under what they answer, three levels at most, oldest first, with loops and unapproved parents handled and hostile input inert.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import type { Response } from '../../../src/db/schema.ts'
import { sanitizeRemoteHtml } from '../../../src/lib/remote-html.ts'
import { absoluteUrl, postObjectUrl } from '../../../src/lib/urls.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, createResponse } from '../../helpers/fixtures.ts'
import { mainOf, scriptTags } from '../../helpers/html.ts'

type App = Awaited<ReturnType<typeof createTestApp>>['app']

/** A reply from the fediverse as the inbox stores it, approved unless told otherwise. */
function reply(db: Db, postId: number, input: Partial<Response> = {}): Response {
  return createResponse(db, postId, { status: 'approved', source: 'activitypub', ...input })
}

/** A reply to `parent`: its inReplyTo names the parent's Note. */
const replyTo = (db: Db, postId: number, parent: Response, input: Partial<Response> = {}) =>
  reply(db, postId, { inReplyTo: parent.sourceUrl, ...input })

async function pageOf(app: App, slug: string): Promise<string> {
  const res = await app.inject(`/posts/${slug}`)
  assert.equal(res.statusCode, 200)
  return res.body
}

function sectionOf(html: string): string {
  const main = mainOf(html)
  const start = main.indexOf('<section class="responses"')
  assert.notEqual(start, -1, 'the post has a Responses section')
  return main.slice(start, main.indexOf('</section>', start) + '</section>'.length)
}

/** Each shown response with the list level it sits at (1 = under the post), in page order. */
function outline(section: string): [number, number][] {
  const found: [number, number][] = []
  let depth = 0
  for (const m of section.matchAll(/<ol\b|<\/ol>|<li class="response [^"]*" id="response-(\d+)"/g)) {
    if (m[0] === '<ol') depth += 1
    else if (m[0] === '</ol>') depth -= 1
    else found.push([Number(m[1]), depth])
  }
  assert.equal(depth, 0, 'every list is closed')
  return found
}

test('a reply to a reply nests under it, each level oldest first, and a reply to the post stays at the top', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const first = reply(db, post.id, {
    authorName: 'Ana',
    inReplyTo: absoluteUrl('https://blog.example.com', postObjectUrl(post.id)),
  })
  const second = reply(db, post.id, { authorName: 'Ben' })
  const answerToFirst = replyTo(db, post.id, first, { authorName: 'Cleo' })
  const laterAnswerToFirst = replyTo(db, post.id, first, { authorName: 'Dev' })
  const answerToCleo = replyTo(db, post.id, answerToFirst, { authorName: 'Eli' })

  const section = sectionOf(await pageOf(app, post.slug))
  assert.deepEqual(outline(section), [
    [first.id, 1],
    [answerToFirst.id, 2],
    [answerToCleo.id, 3],
    [laterAnswerToFirst.id, 2],
    [second.id, 1],
  ])
  // A nested list is named for whom it answers; the author is linked to their profile, with the date and the original.
  assert.match(section, /<ol class="responses__list responses__replies" aria-label="Replies to Ana">/)
  assert.match(
    section,
    new RegExp(
      `id="response-${answerToFirst.id}">\\s*<p class="response__meta"><span class="response__initials" aria-hidden="true">C</span> <a class="response__author" href="https://example\\.net/" rel="nofollow ugc noopener"><bdi>Cleo</bdi></a> replied on <time datetime="`,
    ),
  )
  assert.match(
    section,
    new RegExp(`href="${answerToFirst.sourceUrl}" rel="nofollow ugc noopener">on example\\.net</a>`),
  )
})

test('a thread deeper than three levels joins the third, each deeper reply saying whom it answers', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const one = reply(db, post.id, { authorName: 'One' })
  const two = replyTo(db, post.id, one, { authorName: 'Two' })
  const three = replyTo(db, post.id, two, { authorName: 'Three' })
  const four = replyTo(db, post.id, three, { authorName: 'Four' })
  const five = replyTo(db, post.id, four, { authorName: 'Five' })
  const alsoThree = replyTo(db, post.id, two, { authorName: 'Other' })

  const section = sectionOf(await pageOf(app, post.slug))
  assert.deepEqual(outline(section), [
    [one.id, 1],
    [two.id, 2],
    [three.id, 3],
    [four.id, 3],
    [five.id, 3],
    [alsoThree.id, 3],
  ])
  assert.match(
    section,
    new RegExp(
      `<bdi>Four</bdi></a> replied to <a href="#response-${three.id}"><bdi>Three</bdi></a> on <time`,
    ),
  )
  assert.match(
    section,
    new RegExp(`<bdi>Five</bdi></a> replied to <a href="#response-${four.id}"><bdi>Four</bdi></a> on <time`),
  )
  // On the third level itself the nesting says it: no "replied to".
  assert.match(section, /<bdi>Three<\/bdi><\/a> replied on <time/)
})

// A reply whose parent is not shown (pending, rejected, spam, or never received) is shown at the
// top level when it is approved itself: the author approved those words, and they still make sense
// beside the post. A reply that is not approved never shows, whatever it answers.
test('a reply to a reply that is not shown stands at the top level, and unapproved replies never show', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const pending = reply(db, post.id, { status: 'pending', authorName: 'Waiting' })
  const rejected = reply(db, post.id, { status: 'rejected', authorName: 'Refused' })
  const toPending = replyTo(db, post.id, pending, { authorName: 'Orphan one' })
  const toRejected = replyTo(db, post.id, rejected, { authorName: 'Orphan two' })
  const toUnknown = reply(db, post.id, { inReplyTo: 'https://elsewhere.example/notes/1' })
  const underOrphan = replyTo(db, post.id, toPending, { authorName: 'Under orphan' })
  const spamUnderOrphan = replyTo(db, post.id, toPending, { status: 'spam', authorName: 'Spammer' })

  const section = sectionOf(await pageOf(app, post.slug))
  assert.deepEqual(outline(section), [
    [toPending.id, 1],
    [underOrphan.id, 2],
    [toRejected.id, 1],
    [toUnknown.id, 1],
  ])
  assert.doesNotMatch(section, /Waiting|Refused|Spammer/)
  assert.equal(section.includes(`response-${spamUnderOrphan.id}`), false)
})

test('replies that name each other, or themselves, are each shown once and the page still renders', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const a = reply(db, post.id, { sourceUrl: 'https://loop.example/a', inReplyTo: 'https://loop.example/b' })
  const b = reply(db, post.id, { sourceUrl: 'https://loop.example/b', inReplyTo: 'https://loop.example/a' })
  const self = reply(db, post.id, {
    sourceUrl: 'https://loop.example/c',
    inReplyTo: 'https://loop.example/c',
  })
  const child = reply(db, post.id, { inReplyTo: 'https://loop.example/a' })

  const section = sectionOf(await pageOf(app, post.slug))
  const shown = outline(section)
  assert.deepEqual(
    shown.map(([id]) => id).sort((x, y) => x - y),
    [a.id, b.id, self.id, child.id].sort((x, y) => x - y),
  )
  assert.deepEqual(shown, [
    [a.id, 1],
    [child.id, 2],
    [b.id, 1],
    [self.id, 1],
  ])
})

test('likes and boosts stay counts, even when they name a reply', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const parent = reply(db, post.id)
  replyTo(db, post.id, parent, { kind: 'like', contentHtml: '' })
  reply(db, post.id, { kind: 'repost', contentHtml: '' })
  reply(db, post.id, { kind: 'repost', contentHtml: '' })

  const section = sectionOf(await pageOf(app, post.slug))
  assert.match(section, /<p class="responses__counts">1 like · 2 reposts<\/p>/)
  assert.deepEqual(outline(section), [[parent.id, 1]])
})

test('hostile replies deep in a thread stay inert: names escaped, only http(s) links, no script or remote image', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db)
  const one = reply(db, post.id, { authorName: '<b>One</b>' })
  const two = replyTo(db, post.id, one)
  const three = replyTo(db, post.id, two, { authorName: '"><script>alert(1)</script>' })
  const hostile =
    '<p onclick="alert(2)">Hi <img src="https://tracker.example/p.gif" alt=""><script>alert(3)</script><a href="javascript:alert(4)">x</a></p>'
  replyTo(db, post.id, three, {
    authorName: 'Mallory',
    authorUrl: 'javascript:alert(5)',
    sourceUrl: 'https://evil.example/notes/1',
    contentHtml: sanitizeRemoteHtml(hostile, 'https://evil.example/notes/1'),
  })

  const html = await pageOf(app, post.slug)
  const section = sectionOf(html)
  assert.doesNotMatch(section, /<script|<img|onclick|javascript:/i)
  assert.match(section, /aria-label="Replies to &lt;b&gt;One&lt;\/b&gt;"/)
  // The flattened reply names whom it answers, escaped.
  assert.match(
    section,
    new RegExp(
      `<span class="response__author"><bdi>Mallory</bdi></span> replied to <a href="#response-${three.id}"><bdi>&quot;&gt;&lt;script&gt;alert\\(1\\)&lt;/script&gt;</bdi></a>`,
    ),
  )
  assert.deepEqual(scriptTags(html), [])
})
