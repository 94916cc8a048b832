// Owns pending sign-ins: "this browser gave the right password and now owes a code", kept as 'second-factor' challenges (challenges.ts) for as long as any challenge lives.
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { users } from '../../db/schema.ts'
import {
  createChallenge,
  dropChallenge,
  dropUserChallenges,
  findChallenge,
  takeChallenge,
} from './challenges.ts'
import { hashToken, newToken } from './tokens.ts'

const PURPOSE = 'second-factor'
/** Only a correct password makes one, but a script that has it must still not fill the table. */
const MAX_PENDING_PER_USER = 5
/** Wrong codes one pending sign-in may take; then the password must be typed again. */
export const MAX_WRONG_CODES_PER_SIGN_IN = 5

export interface PendingSignIn {
  /** The row's id (the token's hash). */
  readonly id: string
  readonly userId: number
  readonly email: string
  /** Where to go once the code is right (checked by safeNext when it was made). */
  readonly next: string
  readonly createdAt: Date
}

/** Records a pending sign-in and returns the token for the browser's cookie; only its hash is stored. */
export function createPendingSignIn(db: Db, userId: number, next: string, now = new Date()): string {
  const token = newToken()
  createChallenge(db, { id: hashToken(token), purpose: PURPOSE, userId, next }, now, {
    maxPerUser: MAX_PENDING_PER_USER,
  })
  return token
}

/** The live pending sign-in for a cookie value; undefined when unknown or expired. Reads only. */
export function findPendingSignIn(
  db: Db,
  token: string | undefined,
  now = new Date(),
): PendingSignIn | undefined {
  if (!token || token.length > 100) return undefined
  const row = findChallenge(db, hashToken(token), PURPOSE, now)
  if (!row?.userId) return undefined
  const user = db.select({ email: users.email }).from(users).where(eq(users.id, row.userId)).get()
  return user
    ? { id: row.id, userId: row.userId, email: user.email, next: row.next, createdAt: row.createdAt }
    : undefined
}

/** Whether the pending sign-in `id` is still live: read inside the transaction that spends a code. */
export const isPendingSignInLive = (db: Db, id: string, now = new Date()): boolean =>
  findChallenge(db, id, PURPOSE, now) !== undefined

/** Ends a pending sign-in that was completed; true only for the one request that ended a live one. */
export const finishPendingSignIn = (db: Db, id: string, now = new Date()): boolean =>
  takeChallenge(db, id, PURPOSE, now) !== undefined

/** Ends a pending sign-in that was not completed (too many wrong codes): the password must be typed again. */
export const abandonPendingSignIn = (db: Db, id: string): void => dropChallenge(db, id)

/** Drops the account's pending sign-ins: after a sign-in change, a half-finished one must start again. */
export const deletePendingSignIns = (db: Db, userId: number): number =>
  dropUserChallenges(db, userId, PURPOSE)
