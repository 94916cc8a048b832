// Owns the author's stored passkeys: listing, adding, finding by credential, recording a use, removing; each change goes through recordSignInChange.
import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Passkey, passkeys } from '../../db/schema.ts'
import { recordSecurityEvent, recordSignInChange, type SignInChange } from './security-events.ts'

/** What a person may call a passkey; longer names do not fit the account page's list. */
export const MAX_PASSKEY_NAME_LENGTH = 60

export function listPasskeys(db: Db, userId: number): Passkey[] {
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(desc(passkeys.createdAt)).all()
}

export interface NewPasskey {
  readonly userId: number
  readonly credentialId: string
  readonly publicKey: string
  readonly counter: number
  readonly transports: readonly string[]
  readonly name: string
  readonly backedUp: boolean
}

/**
 * Stores a verified credential for `passkey.userId` and records the change (security-events.ts);
 * undefined (and nothing changed) when that credential is already registered.
 */
export function addPasskey(
  db: Db,
  passkey: NewPasskey,
  source: Omit<SignInChange, 'userId'>,
): Passkey | undefined {
  const now = source.now ?? new Date()
  // better-sqlite3 runs a transaction synchronously on its one connection, so `db` inside it is in it.
  return db.transaction(() => {
    const added = db
      .insert(passkeys)
      .values({ ...passkey, transports: JSON.stringify(passkey.transports), createdAt: now })
      .onConflictDoNothing({ target: passkeys.credentialId })
      .returning()
      .get()
    if (!added) return undefined
    recordSignInChange(db, { ...source, userId: passkey.userId, now }, 'passkey-added', added.name)
    return added
  })
}

export function findPasskeyByCredentialId(db: Db, credentialId: string): Passkey | undefined {
  return db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).get()
}

/** The transports the browser reported when the passkey was added, as the WebAuthn options want them. */
export function transportsOf(passkey: Passkey): string[] {
  try {
    const parsed: unknown = JSON.parse(passkey.transports)
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : []
  } catch {
    return []
  }
}

/** After a sign-in with `passkey`: its new signature counter, when it was used, and the log entry. */
export function recordPasskeyUse(
  db: Db,
  passkey: Passkey,
  use: { counter: number; backedUp: boolean; ip: string },
  now = new Date(),
): void {
  db.transaction(() => {
    db.update(passkeys)
      .set({ counter: use.counter, backedUp: use.backedUp, lastUsedAt: now })
      .where(eq(passkeys.id, passkey.id))
      .run()
    recordSecurityEvent(db, passkey.userId, 'passkey-sign-in', { detail: passkey.name, ip: use.ip, now })
  })
}

/**
 * Removes one of the author's passkeys and records the change; undefined (and nothing changed)
 * when it is not theirs or already gone.
 */
export function removePasskey(db: Db, change: SignInChange, id: number): Passkey | undefined {
  return db.transaction(() => {
    const removed = db
      .delete(passkeys)
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, change.userId)))
      .returning()
      .get()
    if (!removed) return undefined
    recordSignInChange(db, change, 'passkey-removed', removed.name)
    return removed
  })
}

/** Removes every passkey of the account without logging each: the caller (the operator's reset) logs the whole. */
export function deleteAllPasskeys(db: Db, userId: number): number {
  return db.delete(passkeys).where(eq(passkeys.userId, userId)).run().changes
}
