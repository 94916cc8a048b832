// Owns author accounts: creating them, finding them, changing passwords, and the first-run setup token.
import { and, count, desc, eq, gt } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { setupTokens, type User, users } from '../../db/schema.ts'
import { hashPassword } from './passwords.ts'
import { deletePendingSignIns } from './pending-sign-ins.ts'
import { endOtherSessions } from './security-events.ts'
import { forgetAccountFailures } from './throttle.ts'
import { hashToken, newToken } from './tokens.ts'

export const normalizeEmail = (email: string): string => email.trim().toLowerCase()

export function countUsers(db: Db): number {
  return db.select({ n: count() }).from(users).get()?.n ?? 0
}

export function findUserByEmail(db: Db, email: string): User | undefined {
  return db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .get()
}

export class EmailTakenError extends Error {
  override name = 'EmailTakenError'
}

/** The one way an account row is written, inside a transaction or not. */
function insertUser(
  db: Pick<Db, 'insert'>,
  input: { name: string; email: string },
  passwordHash: string,
  now: Date,
): User {
  return db
    .insert(users)
    .values({
      name: input.name.trim(),
      email: normalizeEmail(input.email),
      passwordHash,
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get()
}

export async function createUser(
  db: Db,
  input: { name: string; email: string; password: string },
  now = new Date(),
): Promise<User> {
  const passwordHash = await hashPassword(input.password)
  const email = normalizeEmail(input.email)
  if (findUserByEmail(db, email)) throw new EmailTakenError(`An account for ${email} already exists.`)
  return insertUser(db, input, passwordHash, now)
}

/**
 * Sets a new password, ends every session but `keepSessionId` and every half-finished sign-in
 * (one that got past the old password must not finish), and forgets the account's failed
 * attempts: this is also the recovery path when the author has been throttled.
 */
export async function setPassword(
  db: Db,
  userId: number,
  password: string,
  options: { keepSessionId?: number; now?: Date } = {},
): Promise<void> {
  const now = options.now ?? new Date()
  const passwordHash = await hashPassword(password)
  db.transaction(() => {
    const user = db
      .update(users)
      .set({ passwordHash, passwordChangedAt: now, updatedAt: now })
      .where(eq(users.id, userId))
      .returning()
      .get()
    if (!user) return
    endOtherSessions(db, userId, options.keepSessionId)
    deletePendingSignIns(db, userId)
    forgetAccountFailures(db, user.email)
  })
}

/** How long a setup link works. Until then it survives restarts; `cli setup-link` replaces it. */
export const SETUP_LINK_DAYS = 7

const SETUP_LINK_MS = SETUP_LINK_DAYS * 24 * 60 * 60 * 1000
const setupLinkCutoff = (now: Date): Date => new Date(now.getTime() - SETUP_LINK_MS)

/** The stored row of `token` if it still works: not expired (accounts are checked by the callers). */
function liveSetupToken(db: Pick<Db, 'select'>, token: string, now: Date) {
  return db
    .select()
    .from(setupTokens)
    .where(and(eq(setupTokens.tokenHash, hashToken(token)), gt(setupTokens.createdAt, setupLinkCutoff(now))))
    .get()
}

/**
 * While no account exists, makes a fresh one-time setup token (replacing any earlier one, whose
 * plain value is unknown to us) and returns it; returns null once an account exists.
 */
export function issueSetupToken(db: Db, now = new Date()): string | null {
  if (countUsers(db) > 0) return null
  const token = newToken()
  db.transaction((tx) => {
    tx.delete(setupTokens).run()
    tx.insert(setupTokens)
      .values({ tokenHash: hashToken(token), createdAt: now })
      .run()
  })
  return token
}

/** What a start of the server did about the setup link. */
export type SetupLinkOnStart =
  | { readonly state: 'issued'; readonly token: string }
  | { readonly state: 'kept'; readonly expiresAt: Date }
  | { readonly state: 'account-exists' }

/**
 * On start, while no account exists, keeps the link printed earlier working: a restart must not
 * break it. Only its hash is stored, so it cannot be printed again; a new token is made (and
 * returned, to print) only when there is none that still works.
 */
export function keepSetupToken(db: Db, now = new Date()): SetupLinkOnStart {
  if (countUsers(db) > 0) return { state: 'account-exists' }
  const newest = db
    .select({ createdAt: setupTokens.createdAt })
    .from(setupTokens)
    .where(gt(setupTokens.createdAt, setupLinkCutoff(now)))
    .orderBy(desc(setupTokens.createdAt))
    .get()
  if (newest) return { state: 'kept', expiresAt: new Date(newest.createdAt.getTime() + SETUP_LINK_MS) }
  const token = issueSetupToken(db, now)
  return token ? { state: 'issued', token } : { state: 'account-exists' }
}

export function isValidSetupToken(db: Db, token: string, now = new Date()): boolean {
  if (!token || countUsers(db) > 0) return false
  return liveSetupToken(db, token, now) !== undefined
}

/** Creates the first account with a valid setup token, and burns the token; null if the token is not valid. */
export async function completeSetup(
  db: Db,
  token: string,
  input: { name: string; email: string; password: string },
): Promise<User | null> {
  if (!isValidSetupToken(db, token)) return null
  const passwordHash = await hashPassword(input.password)
  const now = new Date()
  return db.transaction((tx) => {
    // Checked again inside the transaction: two tabs submitting at once create one account.
    const valid = liveSetupToken(tx, token, now)
    if (!valid || (tx.select({ n: count() }).from(users).get()?.n ?? 0) > 0) return null
    tx.delete(setupTokens).run()
    return insertUser(tx, input, passwordHash, now)
  })
}
