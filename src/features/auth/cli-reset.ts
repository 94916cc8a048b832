// Owns what `reset-2fa --email E` tells the operator: which passkeys and second factors went, and how the author signs in now.
import { plural } from '../../lib/text.ts'
import type { SecondFactorReset } from './reset.ts'

/** "a, b and c", as the sentence reads. */
const listOf = (items: readonly string[]): string =>
  new Intl.ListFormat('en-GB', { style: 'long', type: 'conjunction' }).format(items)

/** "Removed 2 passkeys, the authenticator app and 10 recovery codes; 3 sessions ended." and what comes next. */
export function describeSecondFactorReset(email: string, removed: SecondFactorReset): string {
  const parts = [
    ...(removed.passkeys > 0 ? [plural(removed.passkeys, 'passkey')] : []),
    ...(removed.totp ? ['the authenticator app'] : []),
    ...(removed.recoveryCodes > 0 ? [plural(removed.recoveryCodes, 'recovery code')] : []),
  ]
  const what =
    parts.length > 0
      ? `Removed ${listOf(parts)}`
      : `${email} had no passkey, authenticator app or recovery codes to remove`
  const sessions = `${plural(removed.sessions, 'session')} ended`
  return [
    `${what}; ${sessions}.`,
    `${email} now signs in with the password alone; passkeys and the authenticator app can be set up again on /admin/account.`,
  ].join('\n')
}
