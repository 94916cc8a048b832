// Owns getting in and out of the admin: first-run setup, sign-in and sign-out; the account page is its own plugin.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { fieldErrors, formFields } from '../../../lib/form-errors.ts'
import { BusyError } from '../../../lib/semaphore.ts'
import { loginSchema, setupSchema } from '../../auth/forms.ts'
import { verifyPassword } from '../../auth/passwords.ts'
import { deleteSession, SESSION_COOKIE } from '../../auth/sessions.ts'
import { checkPassword, type PasswordCheck, recordSignIn } from '../../auth/throttle.ts'
import { hasConfirmedTotp } from '../../auth/totp.ts'
import {
  completeSetup,
  countUsers,
  findUserByEmail,
  isValidSetupToken,
  normalizeEmail,
} from '../../auth/users.ts'
import { safeNext } from '../context.ts'
import accountRoutes from './account-routes.ts'
import passkeyRoutes from './passkey-routes.ts'
import { BUSY, describeThrottle, renderLogin, renderSetup, SIGN_IN_FAILED } from './render.ts'
import { startSession } from './sign-in.ts'
import twoFactorRoutes, { sendToSecondFactor } from './two-factor-routes.ts'

export default async function authRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options

  const signIn = (request: FastifyRequest, reply: FastifyReply, userId: number, location: string) =>
    startSession(db, config, request, reply, userId, location)

  app.get('/admin/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next)
    if (request.auth) return reply.redirect(next, 303)
    return renderLogin(reply, { next, needsSetup: countUsers(db) === 0 })
  })

  app.post('/admin/login', async (request, reply) => {
    const fields = formFields(request.body)
    const next = safeNext(fields.next)
    const values = { email: fields.email ?? '' }
    const parsed = loginSchema.safeParse(fields)
    if (!parsed.success) return renderLogin(reply, { next, values, errors: fieldErrors(parsed.error) }, 422)
    const email = normalizeEmail(parsed.data.email)
    const user = findUserByEmail(db, email)
    let check: PasswordCheck
    try {
      check = await checkPassword(db, { ip: request.ip, email }, () =>
        verifyPassword(user?.passwordHash, parsed.data.password),
      )
    } catch (err) {
      if (!(err instanceof BusyError)) throw err
      reply.header('retry-after', '5')
      return renderLogin(reply, { next, values, errors: { _form: BUSY } }, 503)
    }
    if (check.outcome === 'throttled') {
      request.log.info({ ip: request.ip, reason: check.reason }, 'throttled sign-in')
      reply.header('retry-after', String(check.retryAfterSeconds))
      const errors = { _form: describeThrottle(check, 'failed sign-ins') }
      return renderLogin(reply, { next, values, errors }, 429)
    }
    if (!user || check.outcome === 'wrong') {
      request.log.info({ ip: request.ip }, 'failed sign-in')
      return renderLogin(reply, { next, values, errors: { _form: SIGN_IN_FAILED } }, 401)
    }
    // With the app on, the password earns only a pending sign-in; the sign-in is recorded once the code is right.
    if (hasConfirmedTotp(db, user.id)) return sendToSecondFactor(db, config, reply, user.id, next)
    recordSignIn(db, email)
    return signIn(request, reply, user.id, next)
  })

  app.post('/admin/logout', async (request, reply) => {
    if (request.auth) deleteSession(db, request.auth.session.id)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.redirect('/admin/login?done=signed-out', 303)
  })

  app.get('/admin/setup', async (request, reply) => {
    const token = String((request.query as Record<string, unknown>).token ?? '')
    if (!isValidSetupToken(db, token)) return reply.callNotFound()
    return renderSetup(reply, { token, values: { name: '', email: '' } })
  })

  app.post('/admin/setup', async (request, reply) => {
    const fields = formFields(request.body)
    const token = fields.token ?? ''
    if (!isValidSetupToken(db, token)) return reply.callNotFound()
    const parsed = setupSchema.safeParse(fields)
    const values = { name: fields.name ?? '', email: fields.email ?? '' }
    if (!parsed.success) return renderSetup(reply, { token, values, errors: fieldErrors(parsed.error) }, 422)
    const user = await completeSetup(db, parsed.data.token, parsed.data)
    if (!user) return reply.callNotFound()
    request.log.info('first account created')
    return signIn(request, reply, user.id, '/admin?done=set-up')
  })

  await app.register(accountRoutes, { db })
  await app.register(passkeyRoutes, { db, config })
  await app.register(twoFactorRoutes, { db, config })
}
