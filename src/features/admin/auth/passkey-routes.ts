// Owns the passkey routes: signing in with one, and adding and removing them on the account page.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { createWindowLimit, senderOf } from '../../../lib/window-limit.ts'
import { CHALLENGE_TTL_MS, dropChallenge } from '../../auth/challenges.ts'
import { removePasskey } from '../../auth/passkeys.ts'
import { hashToken, newToken } from '../../auth/tokens.ts'
import {
  type Outcome,
  passkeysUnavailable,
  registrationOptions,
  signInOptions,
  verifyRegistration,
  verifySignIn,
} from '../../auth/webauthn.ts'
import {
  firstProblem,
  registrationOptionsSchema,
  registrationSchema,
  signInSchema,
  UNREADABLE,
} from '../../auth/webauthn-forms.ts'
import { requireUser, safeNext } from '../context.ts'
import { parseId } from '../params.ts'
import { proveCurrentPassword } from './current-password.ts'
import { describeDevice } from './render.ts'
import { startSession } from './sign-in.ts'

/** The WebAuthn library's browser half, served by the static assets under this name (views load it with `it.asset`). */
export const WEBAUTHN_BROWSER_ASSET = 'vendor/simplewebauthn-browser.js'

/** The package's own UMD bundle on disk: not copied into static/, so an upgrade updates it. */
export function webauthnBrowserBundle(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser')
  return join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js')
}

/** Binds a sign-in challenge to the browser that asked for it: one visitor cannot answer another's. */
export const PASSKEY_COOKIE = 'folio_passkey'
const PASSKEY_COOKIE_PATH = '/admin/login/passkey'
/** Sign-in challenges one address may ask for per five minutes (the sign-in page asks once per visit). */
const SIGN_INS_PER_SENDER = 30
/** A WebAuthn answer is a few kilobytes; nothing a passkey script sends is larger. */
const BODY_LIMIT = 64 * 1024
const ADDED_LOCATION = '/admin/account?done=passkey-added#passkeys'
const REMOVED_LOCATION = '/admin/account?done=passkey-removed#passkeys'

type Refusal = Pick<Outcome<unknown> & { ok: false }, 'message' | 'detail' | 'retryAfterSeconds'> & {
  readonly status: number
}

/** Folio's JSON shape for scripts (as the error pages answer them): a heading and words to show a person. */
function refuse(reply: FastifyReply, outcome: Refusal) {
  reply.request.log.info({ status: outcome.status, detail: outcome.detail }, 'passkey refused')
  if (outcome.retryAfterSeconds) reply.header('retry-after', String(outcome.retryAfterSeconds))
  return reply
    .code(outcome.status)
    .header('cache-control', 'no-store')
    .send({ error: 'Passkey not accepted', message: outcome.message })
}

const bodyOf = (request: FastifyRequest): unknown => request.body ?? {}

export default async function passkeyRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const perSender = createWindowLimit(SIGN_INS_PER_SENDER, CHALLENGE_TTL_MS)
  const unavailable = passkeysUnavailable(config)
  const json = { bodyLimit: BODY_LIMIT }

  // The app parses no JSON elsewhere (src/app.ts); these routes take what passkeys.js sends, through
  // Fastify's own parser, which refuses __proto__ and constructor keys, with words a person can read.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (request, body, done) => {
      parseJson(request, String(body), (err, value) =>
        err ? done(Object.assign(new Error(UNREADABLE), { statusCode: 400 }), undefined) : done(null, value),
      )
    },
  )

  app.post('/admin/login/passkey/options', json, async (request, reply) => {
    if (unavailable) return refuse(reply, { status: 400, message: unavailable })
    const sender = senderOf(request.ip)
    const limit = perSender.check(sender)
    if (!limit.allowed) {
      const message =
        'Too many passkey sign-ins from your network. Wait a few minutes, or sign in with your password.'
      return refuse(reply, { status: 429, message, retryAfterSeconds: limit.retryAfterSeconds })
    }
    const token = newToken()
    const next = safeNext((bodyOf(request) as { next?: unknown }).next)
    const previousToken = request.cookies[PASSKEY_COOKIE]
    const outcome = await signInOptions(db, config, { token, previousToken, next })
    if (!outcome.ok) {
      if (outcome.status === 429) request.log.warn('passkey sign-in challenges at their cap')
      return refuse(reply, outcome)
    }
    perSender.count(sender)
    reply.setCookie(PASSKEY_COOKIE, token, {
      path: PASSKEY_COOKIE_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: config.secureCookies,
      maxAge: CHALLENGE_TTL_MS / 1000,
    })
    return reply.header('cache-control', 'no-store').send(outcome.value)
  })

  app.post('/admin/login/passkey', json, async (request, reply) => {
    const token = request.cookies[PASSKEY_COOKIE]
    reply.clearCookie(PASSKEY_COOKIE, { path: PASSKEY_COOKIE_PATH })
    const parsed = signInSchema.safeParse(bodyOf(request))
    if (!parsed.success) {
      // Used up all the same: a challenge is good for one answer, readable or not.
      if (token) dropChallenge(db, hashToken(token))
      return refuse(reply, { status: 400, message: firstProblem(parsed.error) })
    }
    const outcome = await verifySignIn(db, config, { token, response: parsed.data.response, ip: request.ip })
    if (!outcome.ok) return refuse(reply, outcome)
    request.log.info({ userId: outcome.value.userId }, 'signed in with a passkey')
    return startSession(db, config, request, reply, outcome.value.userId, outcome.value.next)
  })

  await app.register(async function account(scope) {
    scope.addHook('preHandler', requireUser)

    // A session alone must not add a way in: the current password starts a registration.
    scope.post('/admin/account/passkeys/options', json, async (request, reply) => {
      const auth = request.auth
      if (!auth) return reply
      if (unavailable) return refuse(reply, { status: 400, message: unavailable })
      const parsed = registrationOptionsSchema.safeParse(bodyOf(request))
      if (!parsed.success) return refuse(reply, { status: 422, message: firstProblem(parsed.error) })
      const proof = await proveCurrentPassword(db, request, auth.user, parsed.data.current_password)
      if (!proof.ok) return refuse(reply, proof)
      const value = await registrationOptions(db, config, auth.user)
      return reply.header('cache-control', 'no-store').send(value)
    })

    scope.post('/admin/account/passkeys', json, async (request, reply) => {
      const auth = request.auth
      if (!auth) return reply
      const parsed = registrationSchema.safeParse(bodyOf(request))
      if (!parsed.success) return refuse(reply, { status: 400, message: firstProblem(parsed.error) })
      const name = parsed.data.name || describeDevice(request.headers['user-agent'] ?? '')
      const outcome = await verifyRegistration(db, config, {
        user: auth.user,
        name,
        response: parsed.data.response,
        source: { keepSessionId: auth.session.id, ip: request.ip },
      })
      if (!outcome.ok) return refuse(reply, outcome)
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ message: `Passkey “${outcome.value.name}” added.`, redirect: ADDED_LOCATION })
    })

    scope.post<{ Params: { id: string } }>('/admin/account/passkeys/:id/delete', async (request, reply) => {
      const auth = request.auth
      if (!auth) return reply
      const id = parseId(request.params.id)
      const change = { userId: auth.user.id, keepSessionId: auth.session.id, ip: request.ip }
      const removed = id === undefined ? undefined : removePasskey(db, change, id)
      if (!removed) return reply.callNotFound()
      return reply.redirect(REMOVED_LOCATION, 303)
    })
  })
}
