// Owns the signed-in author's /admin/account page: changing the password and ending sessions; passkeys and the second factor have their own route plugins.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../../db/client.ts'
import { type FieldErrors, fieldErrors, formFields } from '../../../lib/form-errors.ts'
import { passwordChangeSchema } from '../../auth/forms.ts'
import { listPasskeys } from '../../auth/passkeys.ts'
import { listSecurityEvents } from '../../auth/security-events.ts'
import { deleteUserSession, listSessions, SESSION_COOKIE } from '../../auth/sessions.ts'
import { twoFactorStatus } from '../../auth/totp.ts'
import { setPassword } from '../../auth/users.ts'
import { getSettings } from '../../settings/service.ts'
import { requireUser } from '../context.ts'
import { parseId } from '../params.ts'
import { proveCurrentPassword } from './current-password.ts'
import { renderAccount } from './render.ts'

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
    const userId = auth.user.id
    return renderAccount(
      reply,
      {
        sessions: listSessions(db, userId),
        currentSessionId: auth.session.id,
        passkeys: listPasskeys(db, userId),
        twoFactor: twoFactorStatus(db, userId),
        events: listSecurityEvents(db, userId),
        timeZone: getSettings(db).timezone,
        errors,
      },
      status,
    )
  }

  app.get('/admin/account', async (request, reply) => showAccount(request, reply))

  app.post('/admin/account/password', async (request, reply) => {
    const auth = request.auth
    if (!auth) return reply
    const parsed = passwordChangeSchema.safeParse(formFields(request.body))
    if (!parsed.success) return showAccount(request, reply, fieldErrors(parsed.error), 422)
    const proof = await proveCurrentPassword(db, request, auth.user, parsed.data.current_password)
    if (!proof.ok) {
      if (proof.retryAfterSeconds) reply.header('retry-after', String(proof.retryAfterSeconds))
      return showAccount(request, reply, { current_password: proof.message }, proof.status)
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
