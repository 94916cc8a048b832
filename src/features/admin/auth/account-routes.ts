// Owns the signed-in author's /admin/account page: changing the password and ending sessions.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../../db/client.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { fieldErrors, formFields } from '../../../lib/form-errors.ts'
import { BusyError } from '../../../lib/semaphore.ts'
import { passwordChangeSchema } from '../../auth/forms.ts'
import { verifyPassword } from '../../auth/passwords.ts'
import { deleteUserSession, listSessions, SESSION_COOKIE } from '../../auth/sessions.ts'
import { checkPassword, type PasswordCheck } from '../../auth/throttle.ts'
import { setPassword } from '../../auth/users.ts'
import { requireUser } from '../context.ts'
import { parseId } from '../params.ts'
import { BUSY, describeThrottle, renderAccount } from './render.ts'

export default async function accountRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  app.addHook('preHandler', requireUser)

  const showAccount = (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const auth = request.auth
    if (!auth) throw new Error('account page without a session')
    const sessions = listSessions(db, auth.user.id)
    return renderAccount(reply, { sessions, currentSessionId: auth.session.id, errors }, status)
  }

  app.get('/admin/account', async (request, reply) => showAccount(request, reply))

  app.post('/admin/account/password', async (request, reply) => {
    const auth = request.auth
    if (!auth) return reply
    const parsed = passwordChangeSchema.safeParse(formFields(request.body))
    if (!parsed.success) return showAccount(request, reply, fieldErrors(parsed.error), 422)
    let check: PasswordCheck
    try {
      check = await checkPassword(db, { ip: request.ip, email: auth.user.email }, () =>
        verifyPassword(auth.user.passwordHash, parsed.data.current_password),
      )
    } catch (err) {
      if (!(err instanceof BusyError)) throw err
      reply.header('retry-after', '5')
      return showAccount(request, reply, { current_password: BUSY }, 503)
    }
    if (check.outcome === 'throttled') {
      reply.header('retry-after', String(check.retryAfterSeconds))
      return showAccount(
        request,
        reply,
        { current_password: describeThrottle(check, 'wrong passwords') },
        429,
      )
    }
    if (check.outcome === 'wrong') {
      request.log.info({ ip: request.ip }, 'wrong current password on the account page')
      return showAccount(request, reply, { current_password: 'That is not your current password.' }, 422)
    }
    await setPassword(db, auth.user.id, parsed.data.new_password, { keepSessionId: auth.session.id })
    return reply.redirect('/admin/account?done=password-changed', 303)
  })

  app.post<{ Params: { id: string } }>('/admin/account/sessions/:id/delete', async (request, reply) => {
    const auth = request.auth
    if (!auth) return reply
    const id = parseId(request.params.id)
    if (id === undefined) return reply.callNotFound()
    deleteUserSession(db, auth.user.id, id)
    if (id === auth.session.id) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.redirect('/admin/login', 303)
    }
    return reply.redirect('/admin/account?done=session-ended', 303)
  })
}
