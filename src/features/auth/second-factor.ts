// Owns what changes the second factor and what a sign-in's code does: each change is one transaction that goes through recordSignInChange.
import type { Db } from '../../db/client.ts'
import { finishPendingSignIn, isPendingSignInLive, type PendingSignIn } from './pending-sign-ins.ts'
import {
  countUnusedRecoveryCodes,
  deleteRecoveryCodes,
  normalizeRecoveryCode,
  replaceRecoveryCodes,
  useRecoveryCode,
} from './recovery-codes.ts'
import { recordSecurityEvent, recordSignInChange, type SignInChange } from './security-events.ts'
import { confirmTotp, deleteTotpFactor, hasConfirmedTotp, normalizeTotpCode, useTotpCode } from './totp.ts'

/** Turns the app on when `code` (six digits) is right; returns the new recovery codes, shown once. */
export function enableTotp(db: Db, change: SignInChange, code: string): string[] | undefined {
  const now = change.now ?? new Date()
  return db.transaction(() => {
    if (!confirmTotp(db, change.userId, code, now)) return undefined
    const codes = replaceRecoveryCodes(db, change.userId, now)
    recordSignInChange(db, { ...change, now }, 'totp-enabled')
    return codes
  })
}

/** New recovery codes for an account with the app on (the old ones stop working); undefined when it is off. */
export function remakeRecoveryCodes(db: Db, change: SignInChange): string[] | undefined {
  const now = change.now ?? new Date()
  return db.transaction(() => {
    if (!hasConfirmedTotp(db, change.userId)) return undefined
    const codes = replaceRecoveryCodes(db, change.userId, now)
    recordSignInChange(db, { ...change, now }, 'recovery-codes-made')
    return codes
  })
}

/** Turns the app off and drops the recovery codes; false when it was not on. */
export function disableTotp(db: Db, change: SignInChange): boolean {
  const now = change.now ?? new Date()
  return db.transaction(() => {
    if (!hasConfirmedTotp(db, change.userId)) return false
    deleteTotpFactor(db, change.userId)
    deleteRecoveryCodes(db, change.userId)
    recordSignInChange(db, { ...change, now }, 'totp-disabled')
    return true
  })
}

/** Long enough for any code typed with spaces; anything longer is not a code. */
export const MAX_CODE_INPUT = 64

export type SignInCode = { kind: 'totp'; code: string } | { kind: 'recovery'; letters: string }

/** Reads the verify form's `code`: six digits from the app, or a recovery code; otherwise says what to type. */
export function readSignInCode(input: string | undefined): SignInCode | { error: string } {
  const raw = (input ?? '').trim()
  if (!raw) return { error: 'Enter the 6-digit code from your authenticator app.' }
  if (raw.length > MAX_CODE_INPUT) {
    return { error: 'That is too long for a code. Enter the 6 digits from your app, or one recovery code.' }
  }
  const code = normalizeTotpCode(raw)
  if (code) return { kind: 'totp', code }
  const letters = normalizeRecoveryCode(raw)
  if (letters) return { kind: 'recovery', letters }
  return {
    error: 'Enter the 6 digits your authenticator app shows, or a recovery code like abcd-efgh-jk.',
  }
}

export type SignInCodeResult =
  | { readonly outcome: 'accepted'; readonly via: 'totp' }
  | { readonly outcome: 'accepted'; readonly via: 'recovery'; readonly codesLeft: number }
  | { readonly outcome: 'wrong' | 'reused' | 'expired' }

/**
 * Checks the code a pending sign-in owes and, when it is right, spends it and ends the pending
 * sign-in, all in one immediate transaction: two requests racing with one code get one session.
 * A recovery code is logged, since it means the phone may be gone.
 */
export function completeSignInCode(
  db: Db,
  pending: PendingSignIn,
  code: SignInCode,
  options: { ip: string; now?: Date },
): SignInCodeResult {
  const now = options.now ?? new Date()
  return db.transaction(
    (): SignInCodeResult => {
      if (!isPendingSignInLive(db, pending.id, now)) return { outcome: 'expired' }
      let result: SignInCodeResult
      if (code.kind === 'totp') {
        const check = useTotpCode(db, pending.userId, code.code, now)
        result = check === 'accepted' ? { outcome: 'accepted', via: 'totp' } : { outcome: check }
      } else if (
        hasConfirmedTotp(db, pending.userId) &&
        useRecoveryCode(db, pending.userId, code.letters, now)
      ) {
        recordSecurityEvent(db, pending.userId, 'recovery-code-used', { ip: options.ip, now })
        result = {
          outcome: 'accepted',
          via: 'recovery',
          codesLeft: countUnusedRecoveryCodes(db, pending.userId),
        }
      } else {
        result = { outcome: 'wrong' }
      }
      if (result.outcome === 'accepted') finishPendingSignIn(db, pending.id, now)
      return result
    },
    { behavior: 'immediate' },
  )
}
