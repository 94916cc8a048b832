// Owns the operator's way back in for an author who lost their phone or passkeys (`cli reset-2fa`): every passkey and second factor gone, every session ended.
import type { Db } from '../../db/client.ts'
import { dropUserChallenges } from './challenges.ts'
import { deleteAllPasskeys } from './passkeys.ts'
import { deleteRecoveryCodes } from './recovery-codes.ts'
import { recordSignInChange } from './security-events.ts'
import { deleteTotpFactor, hasConfirmedTotp } from './totp.ts'

export interface SecondFactorReset {
  readonly passkeys: number
  /** True when an authenticator app was on (a half-finished setup is removed too, but not counted). */
  readonly totp: boolean
  readonly recoveryCodes: number
  readonly sessions: number
}

/**
 * Removes the account's passkeys, its TOTP factor (set up or half set up), its recovery codes and
 * its half-finished sign-ins and passkey registrations, and ends every session, in one
 * transaction; the password alone signs in afterwards. Logged as 'second-factor-reset' (with no
 * IP: it came from a shell).
 */
export function resetSecondFactor(db: Db, userId: number, now = new Date()): SecondFactorReset {
  return db.transaction(() => {
    const wasOn = hasConfirmedTotp(db, userId)
    const passkeys = deleteAllPasskeys(db, userId)
    const totp = deleteTotpFactor(db, userId) && wasOn
    const recoveryCodes = deleteRecoveryCodes(db, userId)
    dropUserChallenges(db, userId)
    const change = { userId, keepSessionId: undefined, ip: '', now }
    const sessions = recordSignInChange(db, change, 'second-factor-reset')
    return { passkeys, totp, recoveryCodes, sessions }
  })
}
