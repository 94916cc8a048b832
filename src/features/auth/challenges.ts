// Owns the one-use, short-lived rows of auth_challenges (WebAuthn challenges and pending sign-ins): made on a POST, read or taken once, swept when expired. No other module touches the table.
import { and, asc, count, eq, gt, lte, min } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type AuthChallengePurpose, authChallenges } from '../../db/schema.ts'

/** Long enough to find the fingerprint reader or the phone, short enough that a stolen value soon means nothing. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000

export type AuthChallenge = typeof authChallenges.$inferSelect

export interface NewChallenge {
  /** The stored key: a hash of what the browser holds (hashToken), never the value itself. */
  readonly id: string
  readonly purpose: AuthChallengePurpose
  readonly userId?: number | null
  readonly next?: string
  readonly challenge?: string
}

/** A row is live until its expiry; at that moment and after, it is only waiting to be swept. */
const live = (now: Date) => gt(authChallenges.expiresAt, now)

/**
 * Stores a challenge that expires after CHALLENGE_TTL_MS. Expired rows of the same purpose are
 * swept here, on a write, so they never pile up (GET never writes). With `maxPerUser`, the user's
 * oldest rows of this purpose make room, so a user never holds more than that many.
 */
export function createChallenge(
  db: Db,
  row: NewChallenge,
  now = new Date(),
  options: { maxPerUser?: number } = {},
): AuthChallenge {
  return db.transaction(() => {
    db.delete(authChallenges)
      .where(and(eq(authChallenges.purpose, row.purpose), lte(authChallenges.expiresAt, now)))
      .run()
    if (options.maxPerUser !== undefined && row.userId != null) {
      const held = db
        .select({ id: authChallenges.id })
        .from(authChallenges)
        .where(and(eq(authChallenges.purpose, row.purpose), eq(authChallenges.userId, row.userId)))
        .orderBy(asc(authChallenges.createdAt))
        .all()
      for (const old of held.slice(0, Math.max(0, held.length - options.maxPerUser + 1))) {
        db.delete(authChallenges).where(eq(authChallenges.id, old.id)).run()
      }
    }
    return db
      .insert(authChallenges)
      .values({
        id: row.id,
        purpose: row.purpose,
        userId: row.userId ?? null,
        next: row.next ?? '',
        challenge: row.challenge ?? '',
        createdAt: now,
        expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
      })
      .returning()
      .get()
  })
}

/** The live row for `id` and `purpose`, left in place (the GET of a page that will use it); undefined otherwise. */
export function findChallenge(
  db: Db,
  id: string,
  purpose: AuthChallengePurpose,
  now = new Date(),
): AuthChallenge | undefined {
  return db
    .select()
    .from(authChallenges)
    .where(and(eq(authChallenges.id, id), eq(authChallenges.purpose, purpose), live(now)))
    .get()
}

/**
 * Deletes the row and returns it when it was live and for `purpose`: whatever happens next, it
 * cannot be used again. An expired or unknown id gives undefined.
 */
export function takeChallenge(
  db: Db,
  id: string,
  purpose: AuthChallengePurpose,
  now = new Date(),
): AuthChallenge | undefined {
  const row = db
    .delete(authChallenges)
    .where(and(eq(authChallenges.id, id), eq(authChallenges.purpose, purpose)))
    .returning()
    .get()
  return row && row.expiresAt > now ? row : undefined
}

/** Forgets a challenge without using it (a browser asking again replaces its last one). */
export function dropChallenge(db: Db, id: string): void {
  db.delete(authChallenges).where(eq(authChallenges.id, id)).run()
}

/** Forgets the user's challenges of `purpose`, or all of them: after a change, what was half done starts again. */
export function dropUserChallenges(db: Db, userId: number, purpose?: AuthChallengePurpose): number {
  const ofUser = eq(authChallenges.userId, userId)
  return db
    .delete(authChallenges)
    .where(purpose ? and(ofUser, eq(authChallenges.purpose, purpose)) : ofUser)
    .run().changes
}

/** How many live challenges of `purpose` exist and when the first of them expires: what a cap counts and when it eases. */
export function liveChallenges(
  db: Db,
  purpose: AuthChallengePurpose,
  now = new Date(),
): { count: number; firstExpiry: Date | undefined } {
  const row = db
    .select({ n: count(), first: min(authChallenges.expiresAt) })
    .from(authChallenges)
    .where(and(eq(authChallenges.purpose, purpose), live(now)))
    .get()
  return { count: row?.n ?? 0, firstExpiry: row?.first ?? undefined }
}
