// Owns slowing down password guessing: a cap per client IP, and a growing delay per account (never a lock).
import { and, count, eq, gt, lt, max, min } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { loginFailures, users } from '../../db/schema.ts'

export const WINDOW_MS = 60 * 60 * 1000
/** Failures allowed per IP in the window; the next attempt gets 429 (Ghost's figure). */
export const MAX_FAILURES_PER_IP = 5
/** Failures for one account before each further wrong password must wait. */
const FREE_FAILURES_PER_ACCOUNT = 3
const MAX_ACCOUNT_DELAY_MS = 5 * 60 * 1000

export interface Who {
  readonly ip: string
  readonly email: string
}

/** A password check that holds a place in the IP's count until it is settled. */
export interface Attempt extends Who {
  readonly id: number
  readonly at: Date
}

export type Reservation =
  | { readonly allowed: true; readonly attempt: Attempt }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly reason: 'ip' }

export type PasswordCheck =
  | { readonly outcome: 'correct' }
  | { readonly outcome: 'wrong' }
  | { readonly outcome: 'throttled'; readonly retryAfterSeconds: number; readonly reason: 'ip' | 'account' }

/**
 * Takes one of the IP's attempts before any hashing. The attempt is written as a failure at once
 * and count and insert share one immediate transaction, so parallel requests cannot all read a
 * count from before any of them was written; a crash mid-check leaves it counted, not free.
 */
export function reserveAttempt(db: Db, who: Who, now = new Date()): Reservation {
  const since = new Date(now.getTime() - WINDOW_MS)
  return db.transaction(
    (tx): Reservation => {
      const byIp = tx
        .select({ n: count(), oldest: min(loginFailures.at) })
        .from(loginFailures)
        .where(and(eq(loginFailures.ip, who.ip), gt(loginFailures.at, since)))
        .get()
      if (byIp && byIp.n >= MAX_FAILURES_PER_IP && byIp.oldest) {
        const wait = byIp.oldest.getTime() + WINDOW_MS - now.getTime()
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)), reason: 'ip' }
      }
      const row = tx
        .insert(loginFailures)
        .values({ ip: who.ip, email: who.email, at: now })
        .returning({ id: loginFailures.id })
        .get()
      return { allowed: true, attempt: { ...who, id: row.id, at: now } }
    },
    { behavior: 'immediate' },
  )
}

/** The right password (or no check at all): the attempt no longer counts against anyone. */
export function releaseAttempt(db: Db, attempt: Attempt): void {
  db.delete(loginFailures).where(eq(loginFailures.id, attempt.id)).run()
}

const accountDelayMs = (failures: number): number =>
  failures < FREE_FAILURES_PER_ACCOUNT
    ? 0
    : Math.min(MAX_ACCOUNT_DELAY_MS, 2 ** (failures - FREE_FAILURES_PER_ACCOUNT) * 5000)

/**
 * For a wrong password: 0 when the account was free to try, otherwise the seconds until its next
 * try. Only failures recorded before this attempt, since the window began and since the account's
 * last sign-in, decide; the wait reported counts this failure too, so it is honest about the next try.
 */
export function accountWaitAfterFailure(db: Db, attempt: Attempt, now = new Date()): number {
  const since = new Date(now.getTime() - WINDOW_MS)
  const lastSignIn = db
    .select({ at: users.lastSignInAt })
    .from(users)
    .where(eq(users.email, attempt.email))
    .get()?.at
  const accountSince = lastSignIn && lastSignIn > since ? lastSignIn : since
  const before = db
    .select({ n: count(), latest: max(loginFailures.at) })
    .from(loginFailures)
    .where(
      and(
        eq(loginFailures.email, attempt.email),
        gt(loginFailures.at, accountSince),
        lt(loginFailures.id, attempt.id),
      ),
    )
    .get()
  if (!before?.latest || before.latest.getTime() + accountDelayMs(before.n) <= now.getTime()) return 0
  const latest = Math.max(before.latest.getTime(), attempt.at.getTime())
  const wait = latest + accountDelayMs(before.n + 1) - now.getTime()
  return Math.max(1, Math.ceil(wait / 1000))
}

/**
 * Checks a password in the one order every form follows: the IP's limit (reserved before
 * hashing), then `verify` (which runs under the hashing cap), then, for a wrong password only,
 * the account's delay. The right password always counts, whatever strangers did elsewhere; a
 * wrong one stays counted against the IP and the account. If `verify` throws (the server is
 * busy), the attempt is released and the error passes on.
 */
export async function checkPassword(
  db: Db,
  who: Who,
  verify: () => Promise<boolean>,
  clock: () => Date = () => new Date(),
): Promise<PasswordCheck> {
  const reservation = reserveAttempt(db, who, clock())
  if (!reservation.allowed) return { outcome: 'throttled', ...reservation }
  const { attempt } = reservation
  let ok: boolean
  try {
    ok = await verify()
  } catch (err) {
    releaseAttempt(db, attempt)
    throw err
  }
  if (ok) {
    releaseAttempt(db, attempt)
    return { outcome: 'correct' }
  }
  const wait = accountWaitAfterFailure(db, attempt, clock())
  return wait > 0
    ? { outcome: 'throttled', retryAfterSeconds: wait, reason: 'account' }
    : { outcome: 'wrong' }
}

/** Records a failure directly (tests and tools do); the forms record theirs through `checkPassword`. */
export function recordLoginFailure(db: Db, ip: string, email: string, now = new Date()): void {
  db.insert(loginFailures).values({ ip, email, at: now }).run()
}

/** A successful sign-in lifts the account's delay; the IPs' counts are left as they are. */
export function recordSignIn(db: Db, email: string, now = new Date()): void {
  db.update(users).set({ lastSignInAt: now }).where(eq(users.email, email)).run()
}

/** The operator's `unlock` command: forget every failed attempt. */
export function clearAllFailures(db: Db): number {
  return db.delete(loginFailures).run().changes
}
