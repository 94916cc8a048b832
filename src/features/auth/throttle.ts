// Owns slowing down guessing of passwords and second-factor codes: a cap per sender (an IPv4 address or an IPv6 /64), a growing delay per account (never a lock for passwords), and an hourly cap on wrong codes.
import { and, count, eq, gt, gte, lt, max, min } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { loginFailures, users } from '../../db/schema.ts'
import { senderOf } from '../../lib/window-limit.ts'

export const WINDOW_MS = 60 * 60 * 1000
/** Failures allowed per sender in the window; the next attempt gets 429 (Ghost's figure). */
export const MAX_FAILURES_PER_IP = 5
/** Wrong codes (recovery codes too) one account may get in the window before every code is refused. */
export const MAX_WRONG_CODES_PER_ACCOUNT = 10
/** Failures for one account before each further wrong password must wait. */
const FREE_FAILURES_PER_ACCOUNT = 3
const MAX_ACCOUNT_DELAY_MS = 5 * 60 * 1000

/** Wrong codes are stored beside wrong passwords: the account's delay counts both, the code cap counts codes alone. */
type FailureKind = 'password' | 'code'

export interface Who {
  readonly ip: string
  /** The account's email (as stored: trimmed and lowercase). */
  readonly email: string
}

/** A check that holds a place in its sender's count until it is settled. */
export interface Attempt extends Who {
  readonly id: number
  readonly at: Date
}

type Throttled<Reason> = {
  readonly outcome: 'throttled'
  readonly retryAfterSeconds: number
  readonly reason: Reason
}

export type Reservation =
  | { readonly allowed: true; readonly attempt: Attempt }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly reason: 'ip' }

export type PasswordCheck =
  | { readonly outcome: 'correct' }
  | { readonly outcome: 'wrong' }
  | Throttled<'ip' | 'account'>

/** As for a password, and 'codes' when the account has had too many wrong codes this hour. */
export type CodeCheck = PasswordCheck | Throttled<'codes'>

const secondsUntil = (ms: number, now: Date): number => Math.max(1, Math.ceil((ms - now.getTime()) / 1000))

/**
 * Takes one of the sender's attempts before any checking, stored as a failure of `kind`. The attempt is
 * written as a failure at once and count and insert share one immediate transaction, so parallel
 * requests cannot all read a count from before any of them was written; a crash mid-check leaves
 * it counted, not free.
 */
function reserve(db: Db, who: Who, kind: FailureKind, now: Date): Reservation {
  const since = new Date(now.getTime() - WINDOW_MS)
  const sender = senderOf(who.ip)
  return db.transaction(
    (tx): Reservation => {
      const bySender = tx
        .select({ n: count(), oldest: min(loginFailures.at) })
        .from(loginFailures)
        .where(and(eq(loginFailures.ip, sender), gt(loginFailures.at, since)))
        .get()
      if (bySender && bySender.n >= MAX_FAILURES_PER_IP && bySender.oldest) {
        const retryAfterSeconds = secondsUntil(bySender.oldest.getTime() + WINDOW_MS, now)
        return { allowed: false, retryAfterSeconds, reason: 'ip' }
      }
      const row = tx
        .insert(loginFailures)
        .values({ ip: sender, email: who.email, kind, at: now })
        .returning({ id: loginFailures.id })
        .get()
      return { allowed: true, attempt: { ...who, id: row.id, at: now } }
    },
    { behavior: 'immediate' },
  )
}

/** Takes one of the sender's password attempts before any hashing. */
export const reserveAttempt = (db: Db, who: Who, now = new Date()): Reservation =>
  reserve(db, who, 'password', now)

/** The right answer (or no check at all): the attempt no longer counts against anyone. */
export function releaseAttempt(db: Db, attempt: Attempt): void {
  db.delete(loginFailures).where(eq(loginFailures.id, attempt.id)).run()
}

const accountDelayMs = (failures: number): number =>
  failures < FREE_FAILURES_PER_ACCOUNT
    ? 0
    : Math.min(MAX_ACCOUNT_DELAY_MS, 2 ** (failures - FREE_FAILURES_PER_ACCOUNT) * 5000)

/**
 * The account's failures recorded before attempt `beforeId`, since the window began and since
 * its last sign-in: passwords and codes, or codes alone.
 */
function failuresBefore(db: Db, email: string, beforeId: number, now: Date, codesOnly = false) {
  const since = new Date(now.getTime() - WINDOW_MS)
  const lastSignIn = db.select({ at: users.lastSignInAt }).from(users).where(eq(users.email, email)).get()?.at
  const accountSince = lastSignIn && lastSignIn > since ? lastSignIn : since
  const row = db
    .select({ n: count(), latest: max(loginFailures.at), oldest: min(loginFailures.at) })
    .from(loginFailures)
    .where(
      and(
        eq(loginFailures.email, email),
        codesOnly ? eq(loginFailures.kind, 'code') : undefined,
        gt(loginFailures.at, accountSince),
        lt(loginFailures.id, beforeId),
      ),
    )
    .get()
  return { n: row?.n ?? 0, latest: row?.latest ?? undefined, oldest: row?.oldest ?? undefined }
}

/** When the account may be tried next after `before` (its failures so far); undefined when it is free now. */
function accountFreeAt(before: ReturnType<typeof failuresBefore>, now: Date): number | undefined {
  if (!before.latest) return undefined
  const freeAt = before.latest.getTime() + accountDelayMs(before.n)
  return freeAt > now.getTime() ? freeAt : undefined
}

/**
 * For a wrong password: 0 when the account was free to try, otherwise the seconds until its next
 * try. The wait reported counts this failure too, so it is honest about the next try.
 */
function accountWaitAfterFailure(db: Db, attempt: Attempt, now: Date): number {
  const before = failuresBefore(db, attempt.email, attempt.id, now)
  if (accountFreeAt(before, now) === undefined) return 0
  const latest = Math.max(before.latest?.getTime() ?? 0, attempt.at.getTime())
  return secondsUntil(latest + accountDelayMs(before.n + 1), now)
}

/** Why a code may not even be looked at now: too many wrong codes this hour, or the account's delay. */
function codeRefusal(db: Db, attempt: Attempt, now: Date): Throttled<'codes' | 'account'> | undefined {
  const codes = failuresBefore(db, attempt.email, attempt.id, now, true)
  if (codes.n >= MAX_WRONG_CODES_PER_ACCOUNT && codes.oldest) {
    const retryAfterSeconds = secondsUntil(codes.oldest.getTime() + WINDOW_MS, now)
    return { outcome: 'throttled', reason: 'codes', retryAfterSeconds }
  }
  const freeAt = accountFreeAt(failuresBefore(db, attempt.email, attempt.id, now), now)
  return freeAt === undefined
    ? undefined
    : { outcome: 'throttled', reason: 'account', retryAfterSeconds: secondsUntil(freeAt, now) }
}

/** Runs `verify` for a reserved attempt, releasing it when the answer is right or the check cannot run. */
async function settle(db: Db, attempt: Attempt, verify: () => boolean | Promise<boolean>): Promise<boolean> {
  let ok: boolean
  try {
    ok = await verify()
  } catch (err) {
    releaseAttempt(db, attempt)
    throw err
  }
  if (ok) releaseAttempt(db, attempt)
  return ok
}

/**
 * Checks a password in the one order every form follows: the sender's limit (reserved before
 * hashing), then `verify` (which runs under the hashing cap), then, for a wrong password only,
 * the account's delay. The right password always counts, whatever strangers did elsewhere; a
 * wrong one stays counted against the sender and the account. If `verify` throws (the server is
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
  if (await settle(db, attempt, verify)) return { outcome: 'correct' }
  const wait = accountWaitAfterFailure(db, attempt, clock())
  return wait > 0
    ? { outcome: 'throttled', retryAfterSeconds: wait, reason: 'account' }
    : { outcome: 'wrong' }
}

/**
 * Checks a second-factor code (or recovery code). Unlike a password, a code is never looked at
 * while the account is waiting or after MAX_WRONG_CODES_PER_ACCOUNT wrong ones this hour: whoever
 * types codes already has the password or a session, and six digits are few. Wrong codes count
 * against the sender and the account's delay as wrong passwords do.
 */
export async function checkCode(
  db: Db,
  who: Who,
  verify: () => boolean | Promise<boolean>,
  clock: () => Date = () => new Date(),
): Promise<CodeCheck> {
  const now = clock()
  const reservation = reserve(db, who, 'code', now)
  if (!reservation.allowed) return { outcome: 'throttled', ...reservation }
  const { attempt } = reservation
  const refusal = codeRefusal(db, attempt, now)
  if (refusal) {
    // Nothing was looked at, so nothing is counted: waiting as told costs the author no tries.
    releaseAttempt(db, attempt)
    return refusal
  }
  return (await settle(db, attempt, verify)) ? { outcome: 'correct' } : { outcome: 'wrong' }
}

/** Wrong codes for the account since `since` (a pending sign-in's start), wherever they came from. */
export function countWrongCodes(db: Db, email: string, since: Date): number {
  return (
    db
      .select({ n: count() })
      .from(loginFailures)
      .where(
        and(eq(loginFailures.email, email), eq(loginFailures.kind, 'code'), gte(loginFailures.at, since)),
      )
      .get()?.n ?? 0
  )
}

/** Records a failed password directly (tests and tools do); the forms record theirs through `checkPassword`. */
export function recordLoginFailure(db: Db, ip: string, email: string, now = new Date()): void {
  db.insert(loginFailures)
    .values({ ip: senderOf(ip), email, at: now })
    .run()
}

/** A successful sign-in lifts the account's delay and code cap; the senders' counts are left as they are. */
export function recordSignIn(db: Db, email: string, now = new Date()): void {
  db.update(users).set({ lastSignInAt: now }).where(eq(users.email, email)).run()
}

/** A new password: the account's wrong passwords and codes are forgotten, so its delay and code cap start again. */
export function forgetAccountFailures(db: Db, email: string): void {
  db.delete(loginFailures).where(eq(loginFailures.email, email)).run()
}

/** The operator's `unlock` command: forget every failed attempt. */
export function clearAllFailures(db: Db): number {
  return db.delete(loginFailures).run().changes
}
