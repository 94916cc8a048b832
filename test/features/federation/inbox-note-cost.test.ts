// Checks that a reply's HTML costs the blog little whatever a remote server sends: too long is refused, too complex is refused, and readers are answered while one is read.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { readNoteOffThread } from '../../../src/features/federation/read-note.ts'
import { rowCount } from '../../helpers/app.ts'
import { startSite } from '../../helpers/browser.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { startMastodonPeer } from '../../helpers/mastodon-peer.ts'

/** A real Folio and a Mastodon-like peer on loopback ports, and a post of the blog to reply to. */
async function blogAndPeer(t: TestContext) {
  const site = await startSite(t, { FETCH_ALLOW_PRIVATE: 'true' })
  const peer = await startMastodonPeer(t)
  const target = await peer.discover(`@blog@${new URL(site.baseUrl).host}`)
  const post = createPost(site.db, { title: 'Replies welcome' })
  const postObject = `${site.baseUrl}/ap/posts/${post.id}`
  const contentRows = () =>
    site.db.$client.prepare('select content_html from responses order by id').pluck().all() as string[]
  return { ...site, peer, target, postObject, contentRows }
}

/** Tags that never close: each one nests the rest a level deeper, which is what costs a parser. */
const nestedBold = (bytes: number) => '<b>'.repeat(Math.floor(bytes / 3))

test('a reply over 64 KB is refused with 400 and nothing is stored, though its activity fits the body limit', async (t) => {
  const { peer, target, postObject, db } = await blogAndPeer(t)
  const { response } = await peer.reply(target, postObject, `<p>${nestedBold(200 * 1024)}</p>`)
  assert.equal(response.status, 400, response.body)
  assert.match(response.body, /too long: its content may be 64 KB at most/)
  assert.equal(rowCount(db, 'responses'), 0)
})

test('a 60 KB hostile reply is read while /healthz keeps answering: stored sanitised, or refused as too complex', async (t) => {
  const { peer, target, postObject, baseUrl, db, contentRows } = await blogAndPeer(t)
  const hostile = `<p>Deep thoughts<script>alert(1)</script><img src="x" onerror="alert(2)">${nestedBold(60 * 1024)}</p>`
  let done = false
  const replied = peer.reply(target, postObject, hostile).finally(() => {
    done = true
  })
  const health: number[] = []
  // Paced like a monitor that checks often, so the readers' side does not starve the reader of CPU.
  while (!done) {
    health.push((await fetch(`${baseUrl}/healthz`)).status)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const { response } = await replied

  assert.ok(health.length > 0, 'at least one /healthz request was sent during the reply')
  assert.deepEqual(
    health.filter((status) => status !== 200),
    [],
    'every /healthz request sent during it was answered 200',
  )
  if (response.status === 400) {
    assert.match(response.body, /The reply's HTML is too complex to read\./)
    assert.equal(rowCount(db, 'responses'), 0)
  } else {
    assert.equal(response.status, 202, response.body)
    const [html] = contentRows()
    assert.match(String(html), /Deep thoughts/)
    assert.doesNotMatch(String(html), /<script|alert\(|<img|onerror/i)
  }
})

test('a normal reply is stored sanitised, as before its HTML was read on a worker thread', async (t) => {
  const { peer, target, postObject, contentRows } = await blogAndPeer(t)
  const hostile =
    '<p>Lovely post! <script>alert(1)</script><img src="x" onerror="alert(2)">' +
    '<a href="javascript:alert(3)" onclick="alert(4)">click</a> <a href="/@carol">@carol</a></p>'
  const { response } = await peer.reply(target, postObject, hostile)
  assert.equal(response.status, 202, response.body)
  const [html] = contentRows()
  assert.match(String(html), /Lovely post!/)
  assert.doesNotMatch(String(html), /<script|alert\(|<img|onerror|onclick|javascript:/i)
  assert.ok(
    String(html).includes(`href="${peer.origin}/@carol"`),
    'relative links point at the sender’s server',
  )
})

test('while too many replies wait to be read, one more gets 503 and nothing is stored, and is taken when sent again', async (t) => {
  const { peer, target, postObject, db } = await blogAndPeer(t)
  // A first reply remembers the sender's key, so the next one reaches the reader without a fetch.
  assert.equal((await peer.reply(target, postObject, '<p>First.</p>')).response.status, 202)
  // Two read at once and eight wait: a busy moment, made of replies that each take a while to read.
  const busy = Array.from({ length: 10 }, (_, i) =>
    readNoteOffThread({ html: nestedBold(30 * 1024), noteId: `${peer.origin}/statuses/busy-${i}` }),
  )
  const { response } = await peer.reply(target, postObject, '<p>One too many.</p>')
  await Promise.allSettled(busy)
  assert.equal(response.status, 503, response.body)
  assert.match(response.body, /try again later/)
  assert.equal(rowCount(db, 'responses'), 1)

  const again = await peer.reply(target, postObject, '<p>One too many.</p>')
  assert.equal(again.response.status, 202, again.response.body)
  assert.equal(rowCount(db, 'responses'), 2)
})

test('a reply read past its time limit is stopped and reported, not waited for', async () => {
  await assert.rejects(
    readNoteOffThread({ html: nestedBold(60 * 1024), noteId: 'https://alice.example/statuses/1' }, 1),
    { name: 'WorkerLimitError', message: /reading the reply took longer than/ },
  )
})
