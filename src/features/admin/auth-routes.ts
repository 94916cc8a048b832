// Owns getting in and out of the admin: first-run setup, sign-in, sign-out, and the account page.
import { validateHeaderValue } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { fieldErrors, formFields } from '../../lib/form-errors.ts'
import { BusyError } from '../../lib/semaphore.ts'
import { plural } from '../../lib/text.ts'
import { loginSchema, passwordChangeSchema, setupSchema } from '../auth/forms.ts'
import { verifyPassword } from '../auth/passwords.ts'
import {
  ABSOLUTE_TIMEOUT_MS,
  createSession,
  deleteSession,
  deleteUserSession,
  listSessions,
  SESSION_COOKIE,
} from '../auth/sessions.ts'
import { checkPassword, type PasswordCheck, recordSignIn } from '../auth/throttle.ts'
import {
  completeSetup,
  countUsers,
  findUserByEmail,
  isValidSetupToken,
  normalizeEmail,
  setPassword,
} from '../auth/users.ts'
import { requireUser, safeNext } from './context.ts'

const SIGN_IN_FAILED = 'That email and password do not match an account.'
const BUSY = 'The server is busy. Try again in a few seconds.'

/** What a throttled person reads: how long to wait, and whether their network or the account is the cause. */
function describeThrottle(check: PasswordCheck & { outcome: 'throttled' }, what: string): string {
  if (check.reason === 'ip') {
    const minutes = Math.ceil(check.retryAfterSeconds / 60)
    return `Too many ${what} from your network. Try again in ${plural(minutes, 'minute')}.`
  }
  return `Too many ${what} for this account. Wait ${check.retryAfterSeconds} seconds and try again. If you forgot your password, reset it with \`npm run cli -- set-password\`.`
}

/** "Firefox on macOS"-style label for the sessions list. */
export function describeDevice(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /curl\//.test(userAgent)
            ? 'curl'
            : 'Unknown browser'
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : ''
  return os ? `${browser} on ${os}` : browser
}

export default async function authRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options

  /** Starts a session and sends the author to `location`, which is checked first so no session is left without its cookie. */
  function signIn(request: FastifyRequest, reply: FastifyReply, userId: number, location: string) {
    validateHeaderValue('location', location)
    // A new token at every sign-in: a token planted before sign-in is worth nothing after it.
    const { token } = createSession(db, userId, {
      userAgent: request.headers['user-agent'] ?? '',
      ip: request.ip,
    })
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      maxAge: Math.floor(ABSOLUTE_TIMEOUT_MS / 1000),
    })
    return reply.redirect(location, 303)
  }

  const renderLogin = (reply: FastifyReply, data: Record<string, unknown>, status = 200) =>
    reply.admin(
      'admin/login',
      { title: 'Sign in', values: { email: '' }, errors: {}, next: '/admin', ...data },
      status,
    )

  app.get('/admin/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next)
    if (request.auth) return reply.redirect(next, 303)
    return renderLogin(reply, { next, needsSetup: countUsers(db) === 0 })
  })

  app.post('/admin/login', async (request, reply) => {
    const fields = formFields(request.body)
    const next = safeNext(fields.next)
    const parsed = loginSchema.safeParse(fields)
    if (!parsed.success) {
      return renderLogin(
        reply,
        { next, values: { email: fields.email ?? '' }, errors: fieldErrors(parsed.error) },
        422,
      )
    }
    const email = normalizeEmail(parsed.data.email)
    const values = { email: fields.email ?? '' }
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
    return reply.admin('admin/setup', {
      title: 'Set up Folio',
      token,
      values: { name: '', email: '' },
      errors: {},
    })
  })

  app.post('/admin/setup', async (request, reply) => {
    const fields = formFields(request.body)
    if (!isValidSetupToken(db, fields.token ?? '')) return reply.callNotFound()
    const parsed = setupSchema.safeParse(fields)
    const values = { name: fields.name ?? '', email: fields.email ?? '' }
    if (!parsed.success) {
      return reply.admin(
        'admin/setup',
        { title: 'Set up Folio', token: fields.token, values, errors: fieldErrors(parsed.error) },
        422,
      )
    }
    const user = await completeSetup(db, parsed.data.token, parsed.data)
    if (!user) return reply.callNotFound()
    request.log.info('first account created')
    return signIn(request, reply, user.id, '/admin?done=set-up')
  })

  await app.register(async function account(scope) {
    scope.addHook('preHandler', requireUser)

    const renderAccount = (
      request: FastifyRequest,
      reply: FastifyReply,
      data: Record<string, unknown> = {},
      status = 200,
    ) => {
      const auth = request.auth
      if (!auth) throw new Error('account page without a session')
      const sessions = listSessions(db, auth.user.id).map((s) => ({
        id: s.id,
        device: describeDevice(s.userAgent),
        ip: s.ip || 'unknown',
        lastSeenIso: s.lastSeenAt.toISOString(),
        lastSeen: s.lastSeenAt.toISOString().replace('T', ' ').slice(0, 16),
        current: s.id === auth.session.id,
      }))
      return reply.admin(
        'admin/account',
        { title: 'Your account', section: 'account', sessions, errors: {}, ...data },
        status,
      )
    }

    scope.get('/admin/account', async (request, reply) => renderAccount(request, reply))

    scope.post('/admin/account/password', async (request, reply) => {
      const auth = request.auth
      if (!auth) return reply
      const parsed = passwordChangeSchema.safeParse(formFields(request.body))
      if (!parsed.success) return renderAccount(request, reply, { errors: fieldErrors(parsed.error) }, 422)
      let check: PasswordCheck
      try {
        check = await checkPassword(db, { ip: request.ip, email: auth.user.email }, () =>
          verifyPassword(auth.user.passwordHash, parsed.data.current_password),
        )
      } catch (err) {
        if (!(err instanceof BusyError)) throw err
        reply.header('retry-after', '5')
        return renderAccount(request, reply, { errors: { current_password: BUSY } }, 503)
      }
      if (check.outcome === 'throttled') {
        reply.header('retry-after', String(check.retryAfterSeconds))
        const errors = { current_password: describeThrottle(check, 'wrong passwords') }
        return renderAccount(request, reply, { errors }, 429)
      }
      if (check.outcome === 'wrong') {
        request.log.info({ ip: request.ip }, 'wrong current password on the account page')
        return renderAccount(
          request,
          reply,
          { errors: { current_password: 'That is not your current password.' } },
          422,
        )
      }
      await setPassword(db, auth.user.id, parsed.data.new_password, { keepSessionId: auth.session.id })
      return reply.redirect('/admin/account?done=password-changed', 303)
    })

    scope.post<{ Params: { id: string } }>('/admin/account/sessions/:id/delete', async (request, reply) => {
      const auth = request.auth
      if (!auth) return reply
      const id = Number(request.params.id)
      if (!Number.isInteger(id)) return reply.callNotFound()
      deleteUserSession(db, auth.user.id, id)
      if (id === auth.session.id) {
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
        return reply.redirect('/admin/login', 303)
      }
      return reply.redirect('/admin/account?done=session-ended', 303)
    })
  })
}
