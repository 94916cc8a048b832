// Owns slowing down password guessing: a cap per client IP, and a growing delay per account (never a lock).
import { and, count, eq, gt, max, min } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { loginFailures, users } from '../../db/schema.ts'

export const WINDOW_MS = 60 * 60 * 1000
/** Failures allowed per IP in the window; the next attempt gets 429 (Ghost's figure). */
export const MAX_FAILURES_PER_IP = 5
/** Failures for one account before each further attempt must wait. */
const FREE_FAILURES_PER_ACCOUNT = 3
const MAX_ACCOUNT_DELAY_MS = 5 * 60 * 1000

export type ThrottleVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly reason: 'ip' | 'account' }

/** Decides before any hashing whether this attempt may go ahead. Reads only. */
export function checkLoginThrottle(db: Db, ip: string, email: string, now = new Date()): ThrottleVerdict {
  const since = new Date(now.getTime() - WINDOW_MS)
  const byIp = db
    .select({ n: count(), oldest: min(loginFailures.at) })
    .from(loginFailures)
    .where(and(eq(loginFailures.ip, ip), gt(loginFailures.at, since)))
    .get()
  if (byIp && byIp.n >= MAX_FAILURES_PER_IP && byIp.oldest) {
    const wait = byIp.oldest.getTime() + WINDOW_MS - now.getTime()
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)), reason: 'ip' }
  }
  // Failures before the account's last successful sign-in no longer count against it; they
  // still count against the IPs they came from.
  const lastSignIn = db.select({ at: users.lastSignInAt }).from(users).where(eq(users.email, email)).get()?.at
  const accountSince = lastSignIn && lastSignIn > since ? lastSignIn : since
  const byAccount = db
    .select({ n: count(), latest: max(loginFailures.at) })
    .from(loginFailures)
    .where(and(eq(loginFailures.email, email), gt(loginFailures.at, accountSince)))
    .get()
  if (byAccount && byAccount.n >= FREE_FAILURES_PER_ACCOUNT && byAccount.latest) {
    const delay = Math.min(MAX_ACCOUNT_DELAY_MS, 2 ** (byAccount.n - FREE_FAILURES_PER_ACCOUNT) * 5000)
    const wait = byAccount.latest.getTime() + delay - now.getTime()
    if (wait > 0) return { allowed: false, retryAfterSeconds: Math.ceil(wait / 1000), reason: 'account' }
  }
  return { allowed: true }
}

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
