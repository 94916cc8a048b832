// Owns the fediverse side of a test's data: followers as the inbox stores them, and reading what was queued for them.
import type { Db } from '../../src/db/client.ts'
import { type Follower, followers } from '../../src/db/schema.ts'

let followerCounter = 0

/** An accepted follower on `server` (an origin), with its own inbox and, unless told otherwise, the server's shared inbox. */
export function addFollower(
  db: Db,
  server: string,
  input: Partial<typeof followers.$inferInsert> = {},
): Follower {
  followerCounter += 1
  const name = `reader${followerCounter}`
  const now = new Date()
  return db
    .insert(followers)
    .values({
      actorId: `${server}/users/${name}`,
      inboxUrl: `${server}/users/${name}/inbox`,
      sharedInboxUrl: `${server}/inbox`,
      handle: `@${name}@${new URL(server).host}`,
      name: `Reader ${followerCounter}`,
      profileUrl: `${server}/@${name}`,
      followActivityId: `${server}/follows/${followerCounter}`,
      status: 'accepted',
      createdAt: now,
      updatedAt: now,
      ...input,
    })
    .returning()
    .get()
}

export interface QueuedActivity {
  readonly inboxUrl: string
  readonly type: string
  /** The object's id (a post's object id; a Tombstone's for Delete). */
  readonly objectId: string
  readonly activity: Record<string, unknown>
}

/** Every delivery waiting in the queue, oldest first, with its activity read back from JSON. */
export function queuedActivities(db: Db): QueuedActivity[] {
  const rows = db.$client.prepare('select inbox_url, body from deliveries order by id').all() as {
    inbox_url: string
    body: string
  }[]
  return rows.map((row) => {
    const activity = JSON.parse(row.body) as Record<string, unknown>
    const object = activity.object as { id?: string } | string | undefined
    return {
      inboxUrl: row.inbox_url,
      type: String(activity.type),
      objectId: typeof object === 'string' ? object : (object?.id ?? ''),
      activity,
    }
  })
}
