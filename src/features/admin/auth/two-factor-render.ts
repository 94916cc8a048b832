// Owns what the second-factor screens show: the code prompt at sign-in, the app setup with its QR code, recovery codes, and the confirm-it's-you pages.
import type { FastifyReply } from 'fastify'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { plural } from '../../../lib/text.ts'
import { MAX_WRONG_CODES_PER_SIGN_IN } from '../../auth/pending-sign-ins.ts'
import type { CodeCheck } from '../../auth/throttle.ts'
import { groupSecret, totpUri } from '../../auth/totp.ts'
import { describeThrottle } from './render.ts'

export const WRONG_CODE =
  'That code is not right. Check that your phone shows the time correctly and try the newest code.'
export const REUSED_CODE = 'That code was used already. Wait for your app to show a new one.'
export const WRONG_RECOVERY_CODE = 'That is not one of your unused recovery codes.'
export const TOO_MANY_WRONG_CODES = `Too many wrong codes (${MAX_WRONG_CODES_PER_SIGN_IN}), so that sign-in was stopped. Type your email and password again, then the newest code from your app.`

/** What a throttled person reads on a code form: how long to wait, and why. */
export function describeCodeThrottle(check: CodeCheck & { outcome: 'throttled' }, atSignIn: boolean): string {
  if (check.reason === 'ip') return describeThrottle(check, 'failed sign-ins')
  if (check.reason === 'codes') {
    const minutes = plural(Math.ceil(check.retryAfterSeconds / 60), 'minute')
    const other = atSignIn ? 'Sign in with a passkey if you have one, or wait.' : 'Use your password instead.'
    return `Too many wrong codes for this account in the last hour, so no code (recovery codes included) is accepted for ${minutes}. ${other}`
  }
  const hint = atSignIn ? ' If your phone is gone, use a recovery code instead.' : ''
  return `Too many wrong codes or passwords for this account. Wait ${check.retryAfterSeconds} seconds and try again.${hint}`
}

export interface VerifyView {
  /** Asks for a recovery code rather than the app's six digits (the field takes either). */
  readonly recovery: boolean
  readonly values?: { code: string }
  readonly errors?: FieldErrors
}

export const renderVerify = (reply: FastifyReply, data: VerifyView, status = 200) =>
  reply.admin(
    'admin/login-verify',
    {
      title: 'Enter your code',
      values: { code: '' },
      errors: {},
      maxWrongCodes: MAX_WRONG_CODES_PER_SIGN_IN,
      ...data,
    },
    status,
  )

export interface SetupView {
  readonly siteTitle: string
  readonly email: string
  readonly secret: string
  readonly values?: { code: string }
  readonly errors?: FieldErrors
}

/** The setup page: the secret as a QR code drawn on the server (inline SVG, no script) and as text to type. */
export async function renderTotpSetup(reply: FastifyReply, data: SetupView, status = 200) {
  const uri = totpUri(data.siteTitle, data.email, data.secret)
  // Loaded when an author sets up the app, not at start-up.
  const { default: QRCode } = await import('qrcode')
  const svg = await QRCode.toString(uri, { type: 'svg', width: 200, margin: 4, errorCorrectionLevel: 'M' })
  return reply.admin(
    'admin/two-factor-setup',
    {
      title: 'Set up an authenticator app',
      section: 'account',
      // Markup Folio drew itself from path data; it carries no text of the author's.
      qrSvg: svg.replace('<svg ', '<svg role="img" aria-labelledby="qr-caption" '),
      uri,
      secretGroups: groupSecret(data.secret),
      values: data.values ?? { code: '' },
      errors: data.errors ?? {},
    },
    status,
  )
}

/** The ten recovery codes, shown this once. */
export const renderRecoveryCodes = (reply: FastifyReply, codes: readonly string[], justEnabled: boolean) =>
  reply.admin('admin/recovery-codes', {
    title: 'Your recovery codes',
    section: 'account',
    codes,
    justEnabled,
  })

const CONFIRM_PAGES = {
  setup: {
    title: 'Set up an authenticator app',
    intro:
      'After your password, signing in will ask for a code from an app on your phone (1Password, Google Authenticator, Aegis, …), so a stolen password alone cannot get in.',
    button: 'Continue',
    buttonClass: '',
    what: 'Setup did not start',
    passwordOnly: true,
  },
  'turn-off': {
    title: 'Turn off two-step sign-in',
    intro:
      'Your password alone will sign in again. Your recovery codes stop working, and every other browser is signed out.',
    button: 'Turn off',
    buttonClass: 'button-danger',
    what: 'Two-step sign-in is still on',
    passwordOnly: false,
  },
  'recovery-codes': {
    title: 'Make new recovery codes',
    intro:
      'You get ten new codes, shown once. The old ones stop working at once, and every other browser is signed out.',
    button: 'Make new codes',
    buttonClass: '',
    what: 'No new codes were made',
    passwordOnly: false,
  },
} as const

export type ConfirmAction = keyof typeof CONFIRM_PAGES

/** Asks for a code from the app or the password (only the password before there is an app) before a change to the second factor. */
export function renderConfirm(
  reply: FastifyReply,
  action: ConfirmAction,
  errors: FieldErrors = {},
  status = 200,
) {
  const page = CONFIRM_PAGES[action]
  return reply.admin(
    'admin/two-factor-confirm',
    { ...page, section: 'account', action: `/admin/account/two-factor/${action}`, errors },
    status,
  )
}

/** After a sign-in with a recovery code: how many are left, and the way on. */
export const renderRecoveryCodeUsed = (reply: FastifyReply, codesLeft: number, next: string) =>
  reply.admin('admin/recovery-code-used', {
    title: 'Signed in with a recovery code',
    codesLeft,
    codesLeftText: plural(codesLeft, 'recovery code'),
    next,
  })
