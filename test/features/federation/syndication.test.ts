import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { deletePost, type PostInput, savePost } from '../../../src/features/content/posts.ts'
import { ensureActorKey } from '../../../src/features/federation/keys.ts'
import {
  reconcileActor,
  reconcileSyndication,
  rememberProfile,
} from '../../../src/features/federation/syndication.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestDb } from '../../helpers/app.ts'
import { createPost, DAY } from '../../helpers/fixtures.ts'
import { addFollower, queuedActivities } from '../../helpers/followers.ts'

const SITE = 'https://blog.example.com'
const HOUR = 60 * 60 * 1000

/** A blog that joined the fediverse a week ago, with followers on two servers (three accounts, one pending). */
async function joinedBlog(t: test.TestContext): Promise<{ db: Db; joined: Date }> {
  const { db } = createTestDb(t)
  const joined = new Date(Date.now() - 7 * DAY)
  await ensureActorKey(db, joined)
  addFollower(db, 'https://social.example')
  addFollower(db, 'https://social.example')
  addFollower(db, 'https://solo.example', {
    inboxUrl: 'https://solo.example/users/solo/inbox',
    sharedInboxUrl: '',
  })
  addFollower(db, 'https://later.example', { status: 'pending' })
  return { db, joined }
}

const INBOXES = ['https://social.example/inbox', 'https://solo.example/users/solo/inbox']

/** What each queued delivery says, as `Type objectId → inbox`, sorted, and clears the queue. */
function takeQueued(db: Db): string[] {
  const queued = queuedActivities(db).map((q) => `${q.type} ${q.objectId} → ${q.inboxUrl}`)
  db.$client.exec('delete from deliveries')
  return queued.sort()
}

/** The Webmentions queued so far as `source → target`, sorted, and clears them (as if sent). */
function takeMentions(db: Db): string[] {
  const rows = db.$client.prepare('select source_url, target_url from outgoing_webmentions').all() as {
    source_url: string
    target_url: string
  }[]
  db.$client.exec('delete from outgoing_webmentions')
  return rows.map((row) => `${row.source_url} → ${row.target_url}`).sort()
}

const objectId = (id: number) => `${SITE}/ap/posts/${id}`
const sentTo = (type: string, id: number) =>
  INBOXES.map((inbox) => `${type} ${objectId(id)} → ${inbox}`).sort()

function article(overrides: Partial<PostInput> = {}): PostInput {
  return {
    title: 'Caching on a small VPS',
    kind: 'article',
    bodyMd: 'What I learned about caching.',
    status: 'published',
    publishedAt: new Date(Date.now() - HOUR),
    tags: ['Performance'],
    ...overrides,
  }
}

test('publishing a post queues one Create per follower inbox (a shared inbox once, pending followers none)', async (t) => {
  const { db } = await joinedBlog(t)
  const { id } = createPost(db, article())
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 1, updated: 0, deleted: 0 })
  const queued = queuedActivities(db)
  assert.deepEqual(takeQueued(db), sentTo('Create', id))
  const create = queued[0]?.activity as { actor: string; object: { type: string; url: string } }
  assert.equal(create.actor, `${SITE}/ap/actor`)
  assert.equal(create.object.type, 'Article')
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 0, deleted: 0 })
  assert.deepEqual(takeQueued(db), [], 'a second pass sends nothing again')
})

test('editing a published post sends Update; saving it unchanged sends nothing', async (t) => {
  const { db } = await joinedBlog(t)
  const input = article()
  const { id } = createPost(db, input)
  await reconcileSyndication(db, SITE, new Date())
  takeQueued(db)

  savePost(db, input, { id, now: new Date(Date.now() + 1000) })
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 0, deleted: 0 })
  assert.deepEqual(takeQueued(db), [])

  savePost(db, { ...input, bodyMd: 'What I learned about caching, corrected.' }, { id })
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 1, deleted: 0 })
  const queued = queuedActivities(db)
  assert.deepEqual(takeQueued(db), sentTo('Update', id))
  const update = queued[0]?.activity as { object: { content: string } }
  assert.match(update.object.content, /corrected/)
})

test('unpublishing a post sends Delete, and publishing it again sends a new Create', async (t) => {
  const { db } = await joinedBlog(t)
  const input = article()
  const { id } = createPost(db, input)
  await reconcileSyndication(db, SITE, new Date())
  takeQueued(db)

  savePost(db, { ...input, status: 'draft' }, { id })
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 0, deleted: 1 })
  const queued = queuedActivities(db)
  assert.deepEqual(takeQueued(db), sentTo('Delete', id))
  assert.equal((queued[0]?.activity.object as { type?: string } | undefined)?.type, 'Tombstone')
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeQueued(db), [], 'a Delete is sent once')

  // Servers keep a tombstone for the deleted id and would ignore a Create of it: a new id it is.
  savePost(db, input, { id })
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 1, updated: 0, deleted: 0 })
  assert.deepEqual(takeQueued(db), INBOXES.map((inbox) => `Create ${objectId(id)}/1 → ${inbox}`).sort())
  savePost(db, { ...input, bodyMd: 'Corrected.' }, { id })
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(
    takeQueued(db),
    INBOXES.map((inbox) => `Update ${objectId(id)}/1 → ${inbox}`).sort(),
    'later edits keep the new id',
  )
  savePost(db, { ...input, status: 'draft' }, { id })
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeQueued(db), INBOXES.map((inbox) => `Delete ${objectId(id)}/1 → ${inbox}`).sort())
})

test('deleting a post sends Delete', async (t) => {
  const { db } = await joinedBlog(t)
  const { id } = createPost(db, article())
  await reconcileSyndication(db, SITE, new Date())
  takeQueued(db)
  deletePost(db, id)
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 0, deleted: 1 })
  assert.deepEqual(takeQueued(db), sentTo('Delete', id))
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeQueued(db), [])
})

test('posts published before the blog joined are never sent, not even when edited', async (t) => {
  const { db, joined } = await joinedBlog(t)
  const input = article({ publishedAt: new Date(joined.getTime() - DAY) })
  const { id } = createPost(db, input)
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 0, deleted: 0 })
  savePost(db, { ...input, bodyMd: 'An old post, edited.' }, { id })
  await reconcileSyndication(db, SITE, new Date())
  deletePost(db, id)
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeQueued(db), [])
})

test('a scheduled post is sent when its time comes, not before', async (t) => {
  const { db } = await joinedBlog(t)
  const goesLive = new Date(Date.now() + 2 * HOUR)
  const { id } = createPost(db, article({ publishedAt: goesLive }))
  await reconcileSyndication(db, SITE, new Date())
  await reconcileSyndication(db, SITE, new Date(goesLive.getTime() - 1))
  assert.deepEqual(takeQueued(db), [])
  assert.deepEqual(await reconcileSyndication(db, SITE, goesLive), { created: 1, updated: 0, deleted: 0 })
  assert.deepEqual(takeQueued(db), sentTo('Create', id))
})

test('drafts are never sent', async (t) => {
  const { db } = await joinedBlog(t)
  createPost(db, article({ status: 'draft', publishedAt: undefined }))
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 0, deleted: 0 })
  assert.deepEqual(takeQueued(db), [])
})

test('a blog that has not joined the fediverse sends nothing', async (t) => {
  const { db } = createTestDb(t)
  addFollower(db, 'https://social.example')
  createPost(db, article())
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date()), { created: 0, updated: 0, deleted: 0 })
  assert.deepEqual(takeQueued(db), [])
})

test('Webmentions are queued for the pages a post links to: on publish, on update (removed links too), on unpublish', async (t) => {
  const { db } = await joinedBlog(t)
  const input = article({
    title: 'Links worth reading',
    bodyMd: [
      'See [one](https://one.example/post#comments) and [two](https://two.example/a?b=1).',
      'Also [my older post](/posts/older) and [the same one](https://blog.example.com/posts/older).',
      '![a picture elsewhere](https://images.example/p.png) and [mail](mailto:me@example.com).',
    ].join('\n\n'),
  })
  const { id, slug } = createPost(db, input)
  const source = `${SITE}/posts/${slug}`
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeMentions(db), [
    `${source} → https://one.example/post`,
    `${source} → https://two.example/a?b=1`,
  ])

  savePost(
    db,
    { ...input, bodyMd: 'Now only [three](https://three.example/) and [one](https://one.example/post).' },
    { id },
  )
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(
    takeMentions(db),
    [
      `${source} → https://one.example/post`,
      `${source} → https://three.example/`,
      `${source} → https://two.example/a?b=1`,
    ],
    'the removed link is told too, so its site can drop the mention',
  )

  savePost(
    db,
    {
      ...input,
      bodyMd: 'Now only [three](https://three.example/) and [one](https://one.example/post).',
      status: 'draft',
    },
    { id },
  )
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeMentions(db), [
    `${source} → https://one.example/post`,
    `${source} → https://three.example/`,
  ])
})

test('a link post mentions the page it links to', async (t) => {
  const { db } = await joinedBlog(t)
  const { slug } = createPost(
    db,
    article({
      kind: 'link',
      title: 'A good read',
      linkUrl: 'https://elsewhere.example/read',
      bodyMd: 'Worth it.',
    }),
  )
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeMentions(db), [`${SITE}/posts/${slug} → https://elsewhere.example/read`])
})

test('deleting a post tells the pages it linked to, at the address it had', async (t) => {
  const { db } = await joinedBlog(t)
  const { id, slug } = createPost(
    db,
    article({ title: 'Short-lived', bodyMd: 'About [one](https://one.example/post).' }),
  )
  await reconcileSyndication(db, SITE, new Date())
  takeMentions(db)
  deletePost(db, id)
  await reconcileSyndication(db, SITE, new Date())
  assert.deepEqual(takeMentions(db), [`${SITE}/posts/${slug} → https://one.example/post`])
})

test('a change that leaves the post row alone (a renamed tag) is sent by the next full pass', async (t) => {
  const { db } = await joinedBlog(t)
  createPost(db, article({ tags: ['Performance'] }))
  await reconcileSyndication(db, SITE, new Date())
  takeQueued(db)
  db.$client.prepare("update tags set name = 'Speed' where name = 'Performance'").run()
  assert.deepEqual(
    await reconcileSyndication(db, SITE, new Date()),
    { created: 0, updated: 0, deleted: 0 },
    'a quick pass looks only at posts saved since they were sent',
  )
  assert.deepEqual(await reconcileSyndication(db, SITE, new Date(), { full: true }), {
    created: 0,
    updated: 1,
    deleted: 0,
  })
  const update = queuedActivities(db)[0]?.activity as { object: { tag: { name: string }[] } }
  assert.deepEqual(
    update.object.tag.map((tag) => tag.name),
    ['#Speed'],
  )
})

test('a new title or handle reaches followers as an Update of the actor, once', async (t) => {
  const { db } = await joinedBlog(t)
  // The followers in joinedBlog were stored directly; one accepted by the inbox records what it saw.
  saveSettings(db, { tagline: 'Before anyone followed' })
  assert.equal(reconcileActor(db, SITE, new Date()), false, 'no profile recorded as seen: nothing to correct')
  rememberProfile(db, SITE)
  assert.equal(reconcileActor(db, SITE, new Date()), false)
  assert.deepEqual(takeQueued(db), [])
  saveSettings(db, { title: 'Notes from the harbour', fediverseHandle: 'harbour' })
  assert.equal(reconcileActor(db, SITE, new Date()), true)
  const update = queuedActivities(db)[0]?.activity as {
    type: string
    object: { type: string; name: string; preferredUsername: string }
  }
  assert.deepEqual(takeQueued(db), INBOXES.map((inbox) => `Update ${SITE}/ap/actor → ${inbox}`).sort())
  assert.equal(update.object.type, 'Person')
  assert.equal(update.object.name, 'Notes from the harbour')
  assert.equal(update.object.preferredUsername, 'harbour')
  assert.equal(reconcileActor(db, SITE, new Date()), false)
  assert.deepEqual(takeQueued(db), [], 'an unchanged profile sends nothing')
})
