// Owns the tables of stronger sign-in: passkeys, the TOTP second factor, recovery codes, one-use challenges, and the account's security log (exported again by schema.ts).
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './schema.ts'

/** WebAuthn credentials. A passkey sign-in is a full sign-in; only the public key is kept. */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The credential ID, base64url, as the authenticator gave it. */
    credentialId: text('credential_id').notNull().unique(),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    /** The signature counter last seen (0 for authenticators that do not count). */
    counter: integer('counter').notNull().default(0),
    /** JSON array of transports ("internal", "hybrid", "usb", …) the browser reported. */
    transports: text('transports').notNull().default('[]'),
    /** What the author called it, e.g. "MacBook Touch ID". */
    name: text('name').notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('passkeys_user_idx').on(t.userId)],
)

/**
 * The TOTP second factor (RFC 6238). A row with `confirmedAt` null is an enrolment in progress:
 * it guards nothing until the author proves the app works by typing a code.
 */
export const totpFactors = sqliteTable('totp_factors', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Base32 secret. */
  secret: text('secret').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }),
  /** The last time step a code was accepted for: a code is never accepted twice. */
  lastStep: integer('last_step').notNull().default(0),
})

/** Ten single-use codes for when the phone is gone; only their SHA-256 is kept. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull().unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
)

export const AUTH_CHALLENGE_PURPOSES = ['passkey-register', 'passkey-sign-in', 'second-factor'] as const
export type AuthChallengePurpose = (typeof AUTH_CHALLENGE_PURPOSES)[number]

/**
 * Short-lived, single-use state between two steps of signing in: a WebAuthn challenge, or "this
 * browser gave the right password and now owes a code". Only a hash of what the browser holds is
 * kept; a row is deleted when used and swept when expired.
 */
export const authChallenges = sqliteTable(
  'auth_challenges',
  {
    /** SHA-256 of the challenge or of the pending sign-in's cookie token. */
    id: text('id').primaryKey(),
    purpose: text('purpose', { enum: AUTH_CHALLENGE_PURPOSES }).notNull(),
    /** Who it is for: set for registration and the second factor; null for a passkey sign-in (discoverable). */
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** Where to go once signed in (already checked by safeNext). */
    next: text('next').notNull().default(''),
    /** For WebAuthn: the challenge itself (base64url), which the library compares with the browser's. */
    challenge: text('challenge').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('auth_challenges_expires_idx').on(t.expiresAt),
    check(
      'auth_challenges_purpose_check',
      sql`${t.purpose} in ('passkey-register', 'passkey-sign-in', 'second-factor')`,
    ),
  ],
)

export const SECURITY_EVENT_KINDS = [
  'passkey-added',
  'passkey-removed',
  'passkey-sign-in',
  'totp-enabled',
  'totp-disabled',
  'recovery-codes-made',
  'recovery-code-used',
  'second-factor-reset',
] as const
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number]

/** What changed about how the account signs in, shown on /admin/account. */
export const securityEvents = sqliteTable(
  'security_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: SECURITY_EVENT_KINDS }).notNull(),
    /** E.g. the passkey's name; never a secret. */
    detail: text('detail').notNull().default(''),
    ip: text('ip').notNull().default(''),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('security_events_user_idx').on(t.userId, t.createdAt)],
)

export type Passkey = typeof passkeys.$inferSelect
export type TotpFactor = typeof totpFactors.$inferSelect
export type SecurityEvent = typeof securityEvents.$inferSelect
