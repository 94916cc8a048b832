// Owns what the sign-in, setup and account screens show: their pages, the throttle and busy messages, and the sessions list.
import type { FastifyReply } from 'fastify'
import type { Session } from '../../../db/schema.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { plural } from '../../../lib/text.ts'
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts'
import type { PasswordCheck } from '../../auth/throttle.ts'

export const SIGN_IN_FAILED = 'That email and password do not match an account.'
export const BUSY = 'The server is busy. Try again in a few seconds.'

/** What a throttled person reads: how long to wait, and whether their network or the account is the cause. */
export function describeThrottle(check: PasswordCheck & { outcome: 'throttled' }, what: string): string {
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

export interface LoginView {
  readonly next: string
  readonly values?: { email: string }
  readonly errors?: FieldErrors
  readonly needsSetup?: boolean
}

export const renderLogin = (reply: FastifyReply, data: LoginView, status = 200) =>
  reply.admin('admin/login', { title: 'Sign in', values: { email: '' }, errors: {}, ...data }, status)

export interface SetupView {
  readonly token: string
  readonly values: { name: string; email: string }
  readonly errors?: FieldErrors
}

export const renderSetup = (reply: FastifyReply, data: SetupView, status = 200) =>
  reply.admin(
    'admin/setup',
    { title: 'Set up Folio', errors: {}, passwordMin: MIN_PASSWORD_LENGTH, ...data },
    status,
  )

export interface AccountView {
  readonly sessions: readonly Session[]
  readonly currentSessionId: number
  readonly errors?: FieldErrors
}

/** The account page: where the author is signed in, and the password form. */
export function renderAccount(reply: FastifyReply, data: AccountView, status = 200) {
  const sessions = data.sessions.map((s) => ({
    id: s.id,
    device: describeDevice(s.userAgent),
    ip: s.ip || 'unknown',
    lastSeenIso: s.lastSeenAt.toISOString(),
    lastSeen: s.lastSeenAt.toISOString().replace('T', ' ').slice(0, 16),
    current: s.id === data.currentSessionId,
  }))
  return reply.admin(
    'admin/account',
    {
      title: 'Your account',
      section: 'account',
      sessions,
      errors: data.errors ?? {},
      passwordMin: MIN_PASSWORD_LENGTH,
    },
    status,
  )
}
