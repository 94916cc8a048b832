// Owns asking a signed-in author for their current password before a change a stolen session must not make alone (a new password, a passkey, an authenticator app): checked under the sign-in throttle, with words for each outcome.
import type { FastifyRequest } from 'fastify'
import type { Db } from '../../../db/client.ts'
import type { User } from '../../../db/schema.ts'
import { BusyError } from '../../../lib/semaphore.ts'
import { MAX_PASSWORD_LENGTH, verifyPassword } from '../../auth/passwords.ts'
import { checkPassword } from '../../auth/throttle.ts'
import { BUSY, describeThrottle } from './render.ts'

const ENTER_PASSWORD = 'Enter your current password.'
const WRONG_PASSWORD = 'That is not your current password.'

export type PasswordProof =
  | { readonly ok: true }
  | {
      readonly ok: false
      readonly status: 422 | 429 | 503
      readonly message: string
      /** For a 429 or 503: when trying again may work (the Retry-After header). */
      readonly retryAfterSeconds?: number
    }

/**
 * Checks `password` against the signed-in `user`'s, through the same throttle as the sign-in form:
 * a wrong one counts against the address and the account, and the answer says how long to wait.
 */
export async function proveCurrentPassword(
  db: Db,
  request: FastifyRequest,
  user: User,
  password: string,
): Promise<PasswordProof> {
  if (!password) return { ok: false, status: 422, message: ENTER_PASSWORD }
  // Longer than any password could be: refused before it is hashed, and not worth counting.
  if (password.length > MAX_PASSWORD_LENGTH) return { ok: false, status: 422, message: WRONG_PASSWORD }
  try {
    const check = await checkPassword(db, { ip: request.ip, email: user.email }, () =>
      verifyPassword(user.passwordHash, password),
    )
    if (check.outcome === 'correct') return { ok: true }
    if (check.outcome === 'throttled') {
      request.log.info({ ip: request.ip, reason: check.reason }, 'throttled current password')
      const message = describeThrottle(check, 'wrong passwords')
      return { ok: false, status: 429, message, retryAfterSeconds: check.retryAfterSeconds }
    }
    request.log.info({ ip: request.ip }, 'wrong current password')
    return { ok: false, status: 422, message: WRONG_PASSWORD }
  } catch (err) {
    if (!(err instanceof BusyError)) throw err
    return { ok: false, status: 503, message: BUSY, retryAfterSeconds: 5 }
  }
}
