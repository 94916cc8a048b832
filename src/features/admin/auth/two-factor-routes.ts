// Owns the second step of a password sign-in (/admin/login/verify: a code from the app or a recovery code); the account's two-factor pages are their own plugin.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { CHALLENGE_TTL_MS } from '../../auth/challenges.ts'
import {
  abandonPendingSignIn,
  createPendingSignIn,
  findPendingSignIn,
  MAX_WRONG_CODES_PER_SIGN_IN,
  type PendingSignIn,
} from '../../auth/pending-sign-ins.ts'
import {
  completeSignInCode,
  MAX_CODE_INPUT,
  readSignInCode,
  type SignInCodeResult,
} from '../../auth/second-factor.ts'
import { checkCode, countWrongCodes, recordSignIn } from '../../auth/throttle.ts'
import { renderLogin } from './render.ts'
import { startSession } from './sign-in.ts'
import twoFactorAccountRoutes, { RECOVERY_CODE_USED_PATH } from './two-factor-account-routes.ts'
import {
  describeCodeThrottle,
  REUSED_CODE,
  renderVerify,
  TOO_MANY_WRONG_CODES,
  WRONG_CODE,
  WRONG_RECOVERY_CODE,
} from './two-factor-render.ts'

export const VERIFY_PATH = '/admin/login/verify'
/** Holds the pending sign-in's token; sent only to the sign-in pages. */
const PENDING_COOKIE = 'folio_pending_sign_in'
const PENDING_COOKIE_PATH = '/admin/login'
const EXPIRED_LOCATION = '/admin/login?done=sign-in-expired'

/**
 * After the right password on an account with the app on: no session yet, only a pending sign-in
 * that owes a code, held by a short cookie, and the way to the code prompt.
 */
export function sendToSecondFactor(
  db: Db,
  config: Config,
  reply: FastifyReply,
  userId: number,
  next: string,
) {
  const token = createPendingSignIn(db, userId, next)
  reply.setCookie(PENDING_COOKIE, token, {
    path: PENDING_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    maxAge: CHALLENGE_TTL_MS / 1000,
  })
  return reply.redirect(VERIFY_PATH, 303)
}

export default async function twoFactorRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options

  const pendingOf = (request: FastifyRequest): PendingSignIn | undefined =>
    findPendingSignIn(db, request.cookies[PENDING_COOKIE])

  const clearPending = (reply: FastifyReply) =>
    reply.clearCookie(PENDING_COOKIE, { path: PENDING_COOKIE_PATH })

  const startAgain = (reply: FastifyReply) => {
    clearPending(reply)
    return reply.header('cache-control', 'no-store').redirect(EXPIRED_LOCATION, 303)
  }

  app.get(VERIFY_PATH, async (request, reply) => {
    if (!pendingOf(request)) return startAgain(reply)
    const recovery = (request.query as Record<string, unknown>).recovery === '1'
    return renderVerify(reply, { recovery })
  })

  app.post(VERIFY_PATH, async (request, reply) => {
    const pending = pendingOf(request)
    if (!pending) return startAgain(reply)
    const fields = formFields(request.body)
    const recovery = fields.recovery === '1'
    const values = { code: (fields.code ?? '').slice(0, MAX_CODE_INPUT) }
    const code = readSignInCode(fields.code)
    if ('error' in code) return renderVerify(reply, { recovery, values, errors: { code: code.error } }, 422)

    // Wrong codes count where wrong passwords do (the same cap per address and delay per account),
    // and no code is looked at while the account waits or after too many wrong ones this hour.
    let result = { outcome: 'wrong' } as SignInCodeResult
    const check = await checkCode(db, { ip: request.ip, email: pending.email }, () => {
      result = completeSignInCode(db, pending, code, { ip: request.ip })
      return result.outcome === 'accepted' || result.outcome === 'expired'
    })
    if (check.outcome === 'throttled') {
      request.log.info({ ip: request.ip, reason: check.reason }, 'throttled second factor')
      reply.header('retry-after', String(check.retryAfterSeconds))
      return renderVerify(reply, { recovery, errors: { _form: describeCodeThrottle(check, true) } }, 429)
    }
    if (result.outcome === 'expired') return startAgain(reply)
    if (result.outcome !== 'accepted') {
      request.log.info({ ip: request.ip }, 'wrong second-factor code')
      if (countWrongCodes(db, pending.email, pending.createdAt) >= MAX_WRONG_CODES_PER_SIGN_IN) {
        // Whoever is guessing has the password; make them type it again, under its own throttle.
        abandonPendingSignIn(db, pending.id)
        clearPending(reply)
        const values = { email: pending.email }
        return renderLogin(
          reply,
          { next: pending.next, values, errors: { _form: TOO_MANY_WRONG_CODES } },
          401,
        )
      }
      const message =
        result.outcome === 'reused'
          ? REUSED_CODE
          : code.kind === 'recovery'
            ? WRONG_RECOVERY_CODE
            : WRONG_CODE
      return renderVerify(reply, { recovery, errors: { code: message } }, 401)
    }
    // Only now is this a sign-in: lifting the account's delay any earlier would reset it per password.
    recordSignIn(db, pending.email)
    clearPending(reply)
    const location =
      result.via === 'recovery'
        ? `${RECOVERY_CODE_USED_PATH}?next=${encodeURIComponent(pending.next)}`
        : pending.next
    return startSession(db, config, request, reply, pending.userId, location)
  })

  await app.register(twoFactorAccountRoutes, { db })
}
