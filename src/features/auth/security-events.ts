// Owns the account's security log and the one rule for every change to how it signs in: log it, end the other sessions, and drop half-finished sign-ins.
import { and, desc, eq, ne } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type SecurityEvent, type SecurityEventKind, securityEvents, sessions } from '../../db/schema.ts'
import { deletePendingSignIns } from './pending-sign-ins.ts'

/** How many entries the account page shows, newest first. */
export const SECURITY_EVENTS_SHOWN = 20

/** Records one change. `detail` is shown to the author (a passkey's name); never pass a secret. */
export function recordSecurityEvent(
  db: Db,
  userId: number,
  kind: SecurityEventKind,
  options: { detail?: string; ip?: string; now?: Date } = {},
): void {
  db.insert(securityEvents)
    .values({
      userId,
      kind,
      detail: (options.detail ?? '').slice(0, 200),
      ip: (options.ip ?? '').slice(0, 64),
      createdAt: options.now ?? new Date(),
    })
    .run()
}

export function listSecurityEvents(db: Db, userId: number, limit = SECURITY_EVENTS_SHOWN): SecurityEvent[] {
  return db
    .select()
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(limit)
    .all()
}

/**
 * Ends every session of the account but `keepSessionId` (none kept when it is undefined): a change
 * to how the account signs in must not leave a stolen session behind. Returns how many ended.
 */
export function endOtherSessions(db: Db, userId: number, keepSessionId?: number): number {
  const where =
    keepSessionId === undefined
      ? eq(sessions.userId, userId)
      : and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId))
  return db.delete(sessions).where(where).run().changes
}

/** A change to how an account signs in: whose, from which session and address, and when. */
export interface SignInChange {
  readonly userId: number
  /** The session that made it, which stays signed in; undefined from the command line (none stays). */
  readonly keepSessionId: number | undefined
  /** Where it came from ('' from the command line). */
  readonly ip: string
  readonly now?: Date
}

/**
 * What every passkey and second-factor change does after itself, inside its transaction: log it
 * (with `detail`, e.g. a passkey's name), end every other session, and drop half-finished sign-ins
 * so nobody finishes one under the old rules. Returns how many sessions ended.
 */
export function recordSignInChange(
  db: Db,
  change: SignInChange,
  kind: SecurityEventKind,
  detail?: string,
): number {
  recordSecurityEvent(db, change.userId, kind, { detail, ip: change.ip, now: change.now })
  deletePendingSignIns(db, change.userId)
  return endOtherSessions(db, change.userId, change.keepSessionId)
}
