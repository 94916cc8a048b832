// Owns the last step of every way in (password, password and code, passkey, first-run setup): a new session, its cookie, and the way on.
import { validateHeaderValue } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { ABSOLUTE_TIMEOUT_MS, createSession, SESSION_COOKIE } from '../../auth/sessions.ts'

/** Starts a session and sends the author to `location`, which is checked first so no session is left without its cookie. */
export function startSession(
  db: Db,
  config: Config,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
  location: string,
) {
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
