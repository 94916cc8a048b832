// Checks that deliveries queued when the server is killed with SIGKILL are all delivered, once each, by the next start on the same database file.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { createSession, SESSION_COOKIE } from '../../../src/features/auth/sessions.ts'
import { createUser } from '../../../src/features/auth/users.ts'
import { csrfIn, encodeForm, postForm, TEST_PASSWORD } from '../../helpers/admin.ts'
import { createTestDb, rowCount } from '../../helpers/app.ts'
import { type Received, rawRequest, startMastodonPeer } from '../../helpers/mastodon-peer.ts'
import { type ServerProcess, startServer, untilListening } from '../../helpers/processes.ts'

/** Publishes through the running server's editor, as the author would: the form, its token and its cookie. */
async function publishOver(server: ServerProcess, session: string, title: string): Promise<number> {
  const editor = await rawRequest(`${server.url}/admin/posts/new`, {
    headers: { cookie: `${SESSION_COOKIE}=${session}`, accept: 'text/html' },
  })
  assert.equal(editor.status, 200, editor.body.slice(0, 500))
  const setCookie = [editor.headers['set-cookie'] ?? []].flat()
  const cookies = [`${SESSION_COOKIE}=${session}`, ...setCookie.map((line) => line.split(';')[0])]
  const res = await rawRequest(`${server.url}/admin/posts`, {
    method: 'POST',
    headers: {
      cookie: cookies.join('; '),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    body: encodeForm({
      ...postForm({ title, body: `${title}, in a few words.` }),
      _csrf: csrfIn(editor.body),
    }),
  })
  assert.equal(res.status, 303, res.body.slice(0, 500))
  return Number(/^\/admin\/posts\/(\d+)/.exec(String(res.headers.location))?.[1])
}

const deliveredOnce = (received: Received[], activityId: string) =>
  received.filter((r) => r.status < 300 && r.activity?.id === activityId).length

test('deliveries queued when the server is killed with SIGKILL all arrive, once each, after a restart', async (t) => {
  // The test's own connection to the same file, as a second process would have.
  const { db, dir, path } = createTestDb(t)
  const env = { DATABASE_PATH: path, MEDIA_DIR: join(dir, 'media'), FETCH_ALLOW_PRIVATE: 'true' }
  // Two servers, so the queue holds one row per post and inbox.
  const peers = [await startMastodonPeer(t, ['alice']), await startMastodonPeer(t, ['bob'])]

  const first = await startServer(t, env)
  await untilListening(first)
  const handle = `@blog@${new URL(`http://localhost:${first.port}`).host}`
  for (const peer of peers) {
    const { follow, response } = await peer.follow(handle)
    assert.equal(response.status, 202, response.body)
    await peer.waitFor((received) =>
      received.find(
        (r) =>
          r.status < 300 &&
          r.activity?.type === 'Accept' &&
          (r.activity.object?.id ?? r.activity.object) === follow.id,
      ),
    )
  }

  const user = await createUser(db, {
    name: 'Sam Rivera',
    email: 'author@example.com',
    password: TEST_PASSWORD,
  })
  const { token } = createSession(db, user.id, { userAgent: 'node-test', ip: '127.0.0.1' })

  for (const peer of peers) peer.answerAlways(500)
  const postIds = []
  for (const title of ['First of three', 'Second of three', 'Third of three'])
    postIds.push(await publishOver(first, token, title))
  const objectIds = postIds.map((id) => `http://localhost:${first.port}/ap/posts/${id}`)

  // Every Create has been tried once on each server and refused, so all six wait in the queue.
  for (const peer of peers) {
    await peer.waitFor(
      (received) => objectIds.every((id) => received.some((r) => r.activity?.object?.id === id)),
      30_000,
    )
  }
  assert.equal(rowCount(db, 'deliveries'), objectIds.length * peers.length)
  const activityIds = db.$client
    .prepare('select distinct activity_id from deliveries')
    .pluck()
    .all() as string[]
  assert.equal(activityIds.length, objectIds.length)

  first.child.kill('SIGKILL')
  assert.equal(await first.exited, 'SIGKILL')
  assert.equal(rowCount(db, 'deliveries'), objectIds.length * peers.length, 'nothing queued was lost')

  // The retry delay (a minute) passes while the server is down.
  db.$client.prepare('update deliveries set next_attempt_at = 0').run()
  for (const peer of peers) peer.answerAlways(202)

  // The same address, so the activities' ids and the peers' follows still name this blog.
  const second = await startServer(t, {
    ...env,
    PORT: String(first.port),
    SITE_URL: `http://localhost:${first.port}`,
  })
  await untilListening(second)
  for (const peer of peers) {
    await peer.waitFor((received) => activityIds.every((id) => deliveredOnce(received, id) >= 1), 30_000)
  }
  // Let the worker run once more: whatever it still had must not go out a second time.
  await peers[0]?.waitFor(() => rowCount(db, 'deliveries') === 0, 30_000)
  for (const peer of peers) {
    for (const id of activityIds)
      assert.equal(deliveredOnce(peer.received, id), 1, `${id} once at ${peer.host}`)
    const creates = peer.received.filter((r) => r.status < 300 && r.activity?.type === 'Create')
    assert.ok(
      creates.every((r) => r.verified && r.problems.length === 0),
      'signed after the restart too',
    )
  }
  second.child.kill('SIGTERM')
  await second.exited
})
