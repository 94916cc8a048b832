// Owns what the sign-in, setup and account screens show: their pages, the throttle and busy messages, and the sessions list.
import type { FastifyReply } from 'fastify'
import type { Passkey, SecurityEvent, SecurityEventKind, Session } from '../../../db/schema.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { plural } from '../../../lib/text.ts'
import { MAX_PASSKEY_NAME_LENGTH } from '../../auth/passkeys.ts'
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts'
import type { PasswordCheck } from '../../auth/throttle.ts'
import type { TwoFactorStatus } from '../../auth/totp.ts'

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
  readonly passkeys: readonly Passkey[]
  readonly twoFactor: TwoFactorStatus
  readonly events: readonly SecurityEvent[]
  /** The site's timezone (Settings), which every time on the page is shown in. */
  readonly timeZone: string
  readonly errors?: FieldErrors
}

const EVENT_LABELS: Record<SecurityEventKind, string> = {
  'passkey-added': 'Passkey added',
  'passkey-removed': 'Passkey removed',
  'passkey-sign-in': 'Signed in with a passkey',
  'totp-enabled': 'Authenticator app turned on',
  'totp-disabled': 'Authenticator app turned off',
  'recovery-codes-made': 'New recovery codes made',
  'recovery-code-used': 'Signed in with a recovery code',
  'second-factor-reset': 'Passkeys and second factor removed from the command line',
}

/** The account page: passkeys, two-step sign-in, where the author is signed in, the password form and the log. */
export function renderAccount(reply: FastifyReply, data: AccountView, status = 200) {
  // "4 December 2026, 10:31" where the site is, and the ISO form for <time datetime>.
  const shownTime = (date: Date) => ({ iso: date.toISOString(), text: formatDateTime(date, data.timeZone) })
  const sessions = data.sessions.map((s) => ({
    id: s.id,
    device: describeDevice(s.userAgent),
    ip: s.ip || 'unknown',
    lastSeenIso: shownTime(s.lastSeenAt).iso,
    lastSeen: shownTime(s.lastSeenAt).text,
    current: s.id === data.currentSessionId,
  }))
  const passkeys = data.passkeys.map((p) => ({
    id: p.id,
    name: p.name,
    created: shownTime(p.createdAt),
    lastUsed: p.lastUsedAt ? shownTime(p.lastUsedAt) : null,
  }))
  const events = data.events.map((e) => ({
    label: EVENT_LABELS[e.kind],
    detail: e.detail,
    ip: e.ip,
    at: shownTime(e.createdAt),
  }))
  return reply.admin(
    'admin/account',
    {
      title: 'Your account',
      section: 'account',
      sessions,
      passkeys,
      twoFactor: data.twoFactor,
      events,
      errors: data.errors ?? {},
      passwordMin: MIN_PASSWORD_LENGTH,
      passkeyNameMax: MAX_PASSKEY_NAME_LENGTH,
    },
    status,
  )
}
