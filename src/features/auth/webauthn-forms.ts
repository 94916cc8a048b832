// Owns the shapes the passkey script may send: the current password that starts a registration, a bounded, checked copy of the browser's WebAuthn answer, and the passkey's name.
import type {
  AuthenticationExtensionsClientOutputs,
  AuthenticationResponseJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import * as z from 'zod'
import { hasControlCharacters } from '../../lib/text.ts'
import { MAX_PASSKEY_NAME_LENGTH } from './passkeys.ts'
import { MAX_PASSWORD_LENGTH } from './passwords.ts'

/** Base64url of at most `bytes` bytes: a credential ID is at most 1023 bytes, the rest far less. */
const base64url = (bytes: number) =>
  z
    .string()
    .max(Math.ceil((bytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]*$/)

/** What every WebAuthn answer carries, made afresh for each schema that is built. */
const credential = () => ({
  id: base64url(1023).min(1),
  rawId: base64url(1023).min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional().catch(undefined),
  // Extension results are not used; only their being an object is checked.
  clientExtensionResults: z
    .record(z.string(), z.unknown())
    .transform((value) => value as AuthenticationExtensionsClientOutputs),
})

// Each schema is built on first use (z.lazy), not at start-up: serving a reader never needs one (ADR 0014).

/** Adding a passkey starts with the current password: a session alone must not add a way in. */
export const registrationOptionsSchema = z.lazy(() =>
  z.object({
    current_password: z
      .string({ error: 'Enter your current password to add a passkey.' })
      .min(1, 'Enter your current password to add a passkey.')
      .max(MAX_PASSWORD_LENGTH, 'That is not your current password.'),
  }),
)

export const registrationSchema = z.lazy(() =>
  z.object({
    name: z
      .string()
      .trim()
      .max(MAX_PASSKEY_NAME_LENGTH, `Use at most ${MAX_PASSKEY_NAME_LENGTH} characters for the name.`)
      .refine((name) => !hasControlCharacters(name), 'Use letters, numbers and spaces in the name.')
      .default(''),
    response: z.object({
      ...credential(),
      response: z.object({
        clientDataJSON: base64url(4096),
        attestationObject: base64url(16384),
        authenticatorData: base64url(16384).optional(),
        transports: z.array(z.string().max(32)).max(10).optional(),
        publicKeyAlgorithm: z.number().int().optional(),
        publicKey: base64url(4096).optional(),
      }),
    }) satisfies z.ZodType<RegistrationResponseJSON>,
  }),
)

export const signInSchema = z.lazy(() =>
  z.object({
    response: z.object({
      ...credential(),
      response: z.object({
        clientDataJSON: base64url(4096),
        authenticatorData: base64url(4096),
        signature: base64url(1024),
        userHandle: base64url(64).optional(),
      }),
    }) satisfies z.ZodType<AuthenticationResponseJSON>,
  }),
)

export const UNREADABLE =
  'The browser sent an answer this site could not read, so nothing was changed. Reload the page and try again.'

/** Fields whose problems are the person's to fix; anything else means the script or browser sent nonsense. */
const FIELDS = new Set<PropertyKey>(['name', 'current_password'])

/** The first problem found, in words for the person (the script shows it). */
export const firstProblem = (error: z.ZodError): string => {
  const issue = error.issues[0]
  return issue && FIELDS.has(issue.path[0] ?? '') ? issue.message : UNREADABLE
}
