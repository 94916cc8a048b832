// Owns the signed-in author's two-factor pages under /admin/account: setting up an app, recovery codes, turning it off.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../../db/client.ts'
import type { Session, User } from '../../../db/schema.ts'
import { type FieldErrors, formFields } from '../../../lib/form-errors.ts'
import { countUnusedRecoveryCodes } from '../../auth/recovery-codes.ts'
import { disableTotp, enableTotp, MAX_CODE_INPUT, remakeRecoveryCodes } from '../../auth/second-factor.ts'
import type { SignInChange } from '../../auth/security-events.ts'
import { checkCode } from '../../auth/throttle.ts'
import {
  cancelTotpSetup,
  findPendingTotpSecret,
  hasConfirmedTotp,
  normalizeTotpCode,
  startTotpSetup,
  type TotpCheck,
  useTotpCode,
} from '../../auth/totp.ts'
import { getSettings } from '../../settings/service.ts'
import { requireUser, safeNext } from '../context.ts'
import { type PasswordProof, proveCurrentPassword } from './current-password.ts'
import {
  type ConfirmAction,
  describeCodeThrottle,
  REUSED_CODE,
  renderConfirm,
  renderRecoveryCodes,
  renderRecoveryCodeUsed,
  renderTotpSetup,
  WRONG_CODE,
} from './two-factor-render.ts'

const ACCOUNT_PATH = '/admin/account'
const BASE = '/admin/account/two-factor'
const SETUP_PATH = `${BASE}/setup`
export const RECOVERY_CODE_USED_PATH = `${BASE}/recovery-code-used`

const ENTER_CODE = 'Enter the 6 digits your authenticator app shows.'

type Auth = { user: User; session: Session }
type Refused = { ok: false; errors: FieldErrors; status: number }
type Reauthentication = { ok: true } | Refused

export default async function twoFactorAccountRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  app.addHook('preHandler', requireUser)

  const authOf = (request: FastifyRequest): Auth => {
    if (!request.auth) throw new Error('two-factor page without a session')
    return request.auth
  }
  const changeOf = (request: FastifyRequest): SignInChange => {
    const auth = authOf(request)
    return { userId: auth.user.id, keepSessionId: auth.session.id, ip: request.ip }
  }
  const toAccount = (reply: FastifyReply, done?: string) =>
    reply.redirect(done ? `${ACCOUNT_PATH}?done=${done}` : ACCOUNT_PATH, 303)

  const showSetup = (
    request: FastifyRequest,
    reply: FastifyReply,
    secret: string,
    form: { values?: { code: string }; errors?: FieldErrors; status?: number } = {},
  ) =>
    renderTotpSetup(
      reply,
      { siteTitle: getSettings(db).title, email: authOf(request).user.email, secret, ...form },
      form.status,
    )

  /** The current password's verdict as a form's errors (a wait goes in the Retry-After header). */
  const passwordFailure = (reply: FastifyReply, proof: PasswordProof & { ok: false }): Refused => {
    if (proof.retryAfterSeconds) reply.header('retry-after', String(proof.retryAfterSeconds))
    const field = proof.status === 422 ? 'current_password' : '_form'
    return { ok: false, errors: { [field]: proof.message }, status: proof.status }
  }

  /**
   * A change to the second factor needs proof beyond the session: a code from the app or the
   * password, checked under the sign-in throttle so a stolen session cannot guess its way through.
   */
  async function reauthenticate(request: FastifyRequest, reply: FastifyReply): Promise<Reauthentication> {
    const auth = authOf(request)
    const fields = formFields(request.body)
    const rawCode = (fields.code ?? '').trim()
    const password = fields.current_password ?? ''
    const fail = (errors: FieldErrors, status = 422): Reauthentication => ({ ok: false, errors, status })
    if (!rawCode && !password)
      return fail({ code: 'Enter a code from your authenticator app, or your password.' })
    if (!rawCode) {
      const proof = await proveCurrentPassword(db, request, auth.user, password)
      return proof.ok ? proof : passwordFailure(reply, proof)
    }
    const code = rawCode.length <= MAX_CODE_INPUT ? normalizeTotpCode(rawCode) : undefined
    if (!code) return fail({ code: ENTER_CODE })
    let totp = 'wrong' as TotpCheck
    const check = await checkCode(db, { ip: request.ip, email: auth.user.email }, () => {
      totp = useTotpCode(db, auth.user.id, code)
      return totp === 'accepted'
    })
    if (check.outcome === 'throttled') {
      reply.header('retry-after', String(check.retryAfterSeconds))
      return fail({ _form: describeCodeThrottle(check, false) }, 429)
    }
    if (check.outcome === 'correct') return { ok: true }
    request.log.info({ ip: request.ip }, 'wrong code for a two-factor change')
    return fail({ code: totp === 'reused' ? REUSED_CODE : WRONG_CODE })
  }

  // Setting up an app starts with the password: a session alone must not add a factor (or lock the
  // author out with one). The GET asks for it, or shows the QR code of a setup already started.
  app.get(SETUP_PATH, async (request, reply) => {
    const userId = authOf(request).user.id
    if (hasConfirmedTotp(db, userId)) return toAccount(reply)
    const secret = findPendingTotpSecret(db, userId)
    return secret ? showSetup(request, reply, secret) : renderConfirm(reply, 'setup')
  })

  app.post(SETUP_PATH, async (request, reply) => {
    const auth = authOf(request)
    if (hasConfirmedTotp(db, auth.user.id)) return toAccount(reply)
    const password = formFields(request.body).current_password ?? ''
    const proof = await proveCurrentPassword(db, request, auth.user, password)
    if (!proof.ok) {
      const failure = passwordFailure(reply, proof)
      return renderConfirm(reply, 'setup', failure.errors, failure.status)
    }
    return startTotpSetup(db, auth.user.id) ? reply.redirect(SETUP_PATH, 303) : toAccount(reply)
  })

  app.post(`${BASE}/confirm`, async (request, reply) => {
    const secret = findPendingTotpSecret(db, authOf(request).user.id)
    if (!secret) return toAccount(reply)
    const raw = (formFields(request.body).code ?? '').trim()
    const values = { code: raw.slice(0, MAX_CODE_INPUT) }
    const code = raw.length <= MAX_CODE_INPUT ? normalizeTotpCode(raw) : undefined
    if (!code) return showSetup(request, reply, secret, { values, errors: { code: ENTER_CODE }, status: 422 })
    const codes = enableTotp(db, changeOf(request), code)
    if (!codes)
      return showSetup(request, reply, secret, { values, errors: { code: WRONG_CODE }, status: 422 })
    request.log.info('authenticator app turned on')
    return renderRecoveryCodes(reply, codes, true)
  })

  app.post(`${BASE}/cancel`, async (request, reply) => {
    cancelTotpSetup(db, authOf(request).user.id)
    return toAccount(reply)
  })

  /** The two changes that need the code or the password: a page that asks, and the POST that does it. */
  const guarded = (
    action: ConfirmAction,
    change: (request: FastifyRequest, reply: FastifyReply) => unknown,
  ) => {
    app.get(`${BASE}/${action}`, async (request, reply) =>
      hasConfirmedTotp(db, authOf(request).user.id) ? renderConfirm(reply, action) : toAccount(reply),
    )
    app.post(`${BASE}/${action}`, async (request, reply) => {
      if (!hasConfirmedTotp(db, authOf(request).user.id)) return toAccount(reply)
      const proof = await reauthenticate(request, reply)
      if (!proof.ok) return renderConfirm(reply, action, proof.errors, proof.status)
      return change(request, reply)
    })
  }

  guarded('recovery-codes', (request, reply) => {
    const codes = remakeRecoveryCodes(db, changeOf(request))
    return codes ? renderRecoveryCodes(reply, codes, false) : toAccount(reply)
  })

  guarded('turn-off', (request, reply) => {
    disableTotp(db, changeOf(request))
    request.log.info('authenticator app turned off')
    return toAccount(reply, 'two-factor-off')
  })

  app.get(RECOVERY_CODE_USED_PATH, async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next)
    return renderRecoveryCodeUsed(reply, countUnusedRecoveryCodes(db, authOf(request).user.id), next)
  })
}
