// Owns the blog actor's key pair: made once on the primary, read by everything that signs or shows it.
import { eq } from 'drizzle-orm'
import { memoizeUntilChange } from '../../db/change-watch.ts'
import type { Db } from '../../db/client.ts'
import { federationKeys } from '../../db/schema.ts'
import { generateKeyPair } from './signatures.ts'

export interface ActorKeyPair {
  readonly publicKeyPem: string
  /** Signs outgoing requests; never logged, rendered or sent anywhere. */
  readonly privateKeyPem: string
  /** When the blog joined the social web: posts published before it are never sent. */
  readonly createdAt: Date
}

const readKey = (db: Db): ActorKeyPair | undefined =>
  db
    .select({
      publicKeyPem: federationKeys.publicKeyPem,
      privateKeyPem: federationKeys.privateKeyPem,
      createdAt: federationKeys.createdAt,
    })
    .from(federationKeys)
    .where(eq(federationKeys.id, 1))
    .get()

/**
 * Makes the key pair the first time the blog starts (RSA 2048, what Mastodon expects). Two
 * processes starting together may both generate one: the row's fixed id lets only the first in,
 * and the other's pair is thrown away unused. A read-only database is left alone: a replica gets
 * the primary's key through replication.
 */
export async function ensureActorKey(db: Db, now = new Date()): Promise<void> {
  if (readKey(db) || db.$client.readonly) return
  const pair = await generateKeyPair()
  db.insert(federationKeys)
    .values({ id: 1, ...pair, createdAt: now })
    .onConflictDoNothing()
    .run()
}

const readers = new WeakMap<Db, () => ActorKeyPair | undefined>()

/** The actor's key pair, or undefined before ensureActorKey made it; re-read only after a write. */
export function actorKeyPair(db: Db): ActorKeyPair | undefined {
  let read = readers.get(db)
  if (!read) {
    read = memoizeUntilChange(db, () => readKey(db))
    readers.set(db, read)
  }
  return read()
}
