// Owns the TOTP second factor (RFC 6238, through otplib): the secret and its otpauth:// address, enrolment, and accepting each code at most once.
import { and, eq, isNotNull, isNull, lt } from 'drizzle-orm'
import { generateSecret, generateURI, verifySync } from 'otplib'
import type { Db } from '../../db/client.ts'
import { type TotpFactor, totpFactors } from '../../db/schema.ts'
import { countUnusedRecoveryCodes } from './recovery-codes.ts'

/** What every authenticator app assumes: SHA-1, six digits, a new code every 30 seconds. */
const TOTP = { algorithm: 'sha1', digits: 6, period: 30 } as const
/** One step either side: a phone clock half a minute off, or a code typed just as it changed. */
const DRIFT_SECONDS = TOTP.period

export interface TwoFactorStatus {
  /** A confirmed factor guards password sign-ins. */
  readonly enabled: boolean
  /** Setup was started and not finished: the secret guards nothing yet. */
  readonly pending: boolean
  /** Unused recovery codes (0 when the factor is off). */
  readonly recoveryCodesLeft: number
}

export function findTotpFactor(db: Db, userId: number): TotpFactor | undefined {
  return db.select().from(totpFactors).where(eq(totpFactors.userId, userId)).get()
}

export function twoFactorStatus(db: Db, userId: number): TwoFactorStatus {
  const row = findTotpFactor(db, userId)
  const enabled = Boolean(row?.confirmedAt)
  return {
    enabled,
    pending: Boolean(row && !row.confirmedAt),
    recoveryCodesLeft: enabled ? countUnusedRecoveryCodes(db, userId) : 0,
  }
}

export const hasConfirmedTotp = (db: Db, userId: number): boolean =>
  Boolean(findTotpFactor(db, userId)?.confirmedAt)

/** The six digits of a code as typed ("123 456" too), or undefined when it cannot be one. */
export function normalizeTotpCode(input: string): string | undefined {
  const digits = input.replace(/\s/g, '')
  return /^\d{6}$/.test(digits) ? digits : undefined
}

/** The time step `code` (six digits) belongs to, within one step of `now`; undefined when it matches none. */
export function matchTotpStep(secret: string, code: string, now = new Date()): number | undefined {
  const epoch = Math.floor(now.getTime() / 1000)
  const result = verifySync({ ...TOTP, secret, token: code, epoch, epochTolerance: DRIFT_SECONDS })
  // The functional API's result type also covers HOTP, whose results have no timeStep.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined
}

/**
 * The otpauth:// address the QR code holds: labelled "<site title>:<email>" with the site title as
 * issuer, which is what the app shows. A colon would end the issuer early, so it is dropped.
 */
export function totpUri(siteTitle: string, email: string, secret: string): string {
  const issuer = siteTitle.replace(/:/g, ' ').replace(/\s+/g, ' ').trim() || 'Folio'
  return generateURI({ ...TOTP, issuer, label: email, secret })
}

/** The secret in groups of four, for typing by hand: "ABCD EFGH …". */
export const groupSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ')

/**
 * Starts (or restarts) setting up an app: a new secret that guards nothing until confirmed.
 * Returns undefined when a confirmed factor exists; that one is never replaced this way.
 */
export function startTotpSetup(db: Db, userId: number, now = new Date()): string | undefined {
  const secret = generateSecret({ length: 20 })
  const row = db
    .insert(totpFactors)
    .values({ userId, secret, createdAt: now, confirmedAt: null, lastStep: 0 })
    .onConflictDoUpdate({
      target: totpFactors.userId,
      set: { secret, createdAt: now, lastStep: 0 },
      setWhere: isNull(totpFactors.confirmedAt),
    })
    .returning({ secret: totpFactors.secret })
    .get()
  return row?.secret === secret ? secret : undefined
}

/** The secret of a setup in progress, or undefined. */
export function findPendingTotpSecret(db: Db, userId: number): string | undefined {
  const row = findTotpFactor(db, userId)
  return row && !row.confirmedAt ? row.secret : undefined
}

/** Turns a setup in progress on when `code` is right; the code's step is spent, so it cannot sign in later. */
export function confirmTotp(db: Db, userId: number, code: string, now = new Date()): boolean {
  const secret = findPendingTotpSecret(db, userId)
  const step = secret ? matchTotpStep(secret, code, now) : undefined
  if (step === undefined) return false
  const result = db
    .update(totpFactors)
    .set({ confirmedAt: now, lastStep: step })
    .where(and(eq(totpFactors.userId, userId), isNull(totpFactors.confirmedAt)))
    .run()
  return result.changes === 1
}

export type TotpCheck = 'accepted' | 'wrong' | 'reused'

/**
 * Accepts a code of the confirmed factor at most once: its step must be later than the last one
 * accepted, and the step is stored by the same UPDATE that checks it, so a replay always loses.
 */
export function useTotpCode(db: Db, userId: number, code: string, now = new Date()): TotpCheck {
  const factor = findTotpFactor(db, userId)
  if (!factor?.confirmedAt) return 'wrong'
  const step = matchTotpStep(factor.secret, code, now)
  if (step === undefined) return 'wrong'
  const result = db
    .update(totpFactors)
    .set({ lastStep: step })
    .where(
      and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt), lt(totpFactors.lastStep, step)),
    )
    .run()
  return result.changes === 1 ? 'accepted' : 'reused'
}

/** Abandons a setup in progress; a confirmed factor is left alone. */
export function cancelTotpSetup(db: Db, userId: number): void {
  db.delete(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNull(totpFactors.confirmedAt)))
    .run()
}

/** Removes the factor, confirmed or not; true when there was one. */
export function deleteTotpFactor(db: Db, userId: number): boolean {
  return db.delete(totpFactors).where(eq(totpFactors.userId, userId)).run().changes > 0
}
