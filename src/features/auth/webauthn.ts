// Owns the WebAuthn ceremonies through @simplewebauthn/server: the relying party from SITE_URL, options made with a one-use challenge, answers checked.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import type { Passkey, User } from '../../db/schema.ts'
import { getSettings } from '../settings/service.ts'
import { createChallenge, dropChallenge, liveChallenges, takeChallenge } from './challenges.ts'
import {
  addPasskey,
  findPasskeyByCredentialId,
  listPasskeys,
  recordPasskeyUse,
  transportsOf,
} from './passkeys.ts'
import type { SignInChange } from './security-events.ts'
import { hashToken } from './tokens.ts'

/**
 * The library and its ASN.1 dependencies take about 200 ms to load: they arrive with the first
 * passkey ceremony, not at start-up, where every visitor after an idle spell would wait for them.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined
const webauthn = () => {
  library ??= import('@simplewebauthn/server')
  return library
}

const toBase64Url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

/** Live anonymous sign-in challenges at most: visitors cannot fill the table, and the password form always works. */
export const MAX_LIVE_SIGN_IN_CHALLENGES = 200
/** How long the browser waits for the authenticator; shorter than the challenge lives. */
const CEREMONY_TIMEOUT_MS = 2 * 60 * 1000
/**
 * Passkey algorithms (COSE ids: EdDSA, ES256, RS256), named so every Node offers the same: on Node 24
 * the library's default adds ML-DSA-44, checked through an experimental Node API that warns in the
 * log, and such a passkey would stop working on a Node without that API.
 */
const PASSKEY_ALGORITHMS = [-8, -7, -257]

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false
      readonly status: 400 | 401 | 409 | 429
      /** For the person, in the page. */
      readonly message: string
      /** For the log: what the library said. */
      readonly detail?: string
      /** For a 429: when asking again may work. */
      readonly retryAfterSeconds?: number
    }

const refuse = (status: 400 | 401 | 409 | 429, message: string, detail?: string) =>
  ({ ok: false, status, message, detail }) as const

const EXPIRED = 'This passkey request expired or was already used, so nothing was changed. Try again.'
const UNKNOWN_PASSKEY =
  'That passkey is not registered on this site (it may have been removed). Sign in with your password instead.'
const TOO_MANY_SIGN_INS =
  'Too many passkey sign-ins are in progress right now. Wait a few minutes, or sign in with your password.'

/** The relying party: its ID is SITE_URL's host name, and answers must come from SITE_URL's origin. */
export function relyingParty(config: Config): { id: string; origin: string } {
  const url = new URL(config.siteUrl)
  return { id: url.hostname, origin: url.origin }
}

/** Why passkeys cannot work with this SITE_URL (browsers allow WebAuthn on HTTPS and on localhost only), or undefined. */
export function passkeysUnavailable(config: Config): string | undefined {
  const url = new URL(config.siteUrl)
  if (url.protocol === 'https:') return undefined
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) return undefined
  return `Passkeys need HTTPS. SITE_URL is ${url.origin}; use an https:// address (or http://localhost while developing).`
}

/** The account's WebAuthn user handle: the same for each of its passkeys, and no personal data. */
const userHandle = (userId: number): Uint8Array<ArrayBuffer> =>
  new TextEncoder().encode(`folio-user-${userId}`)

/** Why the library refused an answer: words for the person, and the library's own text for the log. */
function refusal(status: 400 | 401, err: unknown, config: Config) {
  const text = err instanceof Error ? err.message.slice(0, 300) : 'not verified'
  return refuse(status, describeRefusal(text, config), text)
}

function describeRefusal(text: string, config: Config): string {
  if (/origin|RP ID/i.test(text))
    return `The browser answered for another address than this site's. Open the admin at ${new URL(config.siteUrl).origin} and try again.`
  if (/counter/i.test(text))
    return 'This passkey answered with an old counter, which can mean it was copied, so it was not accepted. Sign in with your password and check your passkeys.'
  if (/user verification|could not be verified/i.test(text))
    return 'Your device did not confirm it was you (fingerprint, face or PIN), so the passkey was not accepted.'
  return 'The passkey’s answer could not be checked, so nothing was changed. Try again.'
}

/** The challenge the browser signed, read from its answer; undefined when the answer is not readable. */
function signedChallenge(clientDataJSON: string): string | undefined {
  try {
    const challenge = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')).challenge
    return typeof challenge === 'string' && challenge.length <= 200 ? challenge : undefined
  } catch {
    return undefined
  }
}

/** Options for adding a passkey to `user`'s account; replaces any registration they had going. */
export async function registrationOptions(
  db: Db,
  config: Config,
  user: User,
  now = new Date(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: getSettings(db).title,
    rpID: relyingParty(config).id,
    userID: userHandle(user.id),
    userName: user.email,
    userDisplayName: user.name,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    excludeCredentials: listPasskeys(db, user.id).map((p) => ({
      id: p.credentialId,
      transports: transportsOf(p),
    })),
    // A passkey signs in on its own, so the device must check the person, as at sign-in.
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  })
  // Registration needs no cookie: the row is found by the challenge the browser signed, and must be
  // this author's. One registration at a time: a new one replaces the last.
  createChallenge(
    db,
    {
      id: hashToken(options.challenge),
      purpose: 'passkey-register',
      userId: user.id,
      challenge: options.challenge,
    },
    now,
    { maxPerUser: 1 },
  )
  return options
}

/** Checks the browser's answer to registrationOptions and stores the passkey as `name`. */
export async function verifyRegistration(
  db: Db,
  config: Config,
  input: {
    user: User
    name: string
    response: RegistrationResponseJSON
    source: Omit<SignInChange, 'userId' | 'now'>
  },
  now = new Date(),
): Promise<Outcome<Passkey>> {
  const challenge = signedChallenge(input.response.response.clientDataJSON)
  const row = challenge ? takeChallenge(db, hashToken(challenge), 'passkey-register', now) : undefined
  if (!row || row.userId !== input.user.id) return refuse(400, EXPIRED)
  const rp = relyingParty(config)
  let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo']
  try {
    const result = await (await webauthn()).verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: row.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    })
    info = result.registrationInfo
  } catch (err) {
    return refusal(400, err, config)
  }
  if (!info) return refusal(400, undefined, config)
  const added = addPasskey(
    db,
    {
      userId: input.user.id,
      credentialId: info.credential.id,
      publicKey: toBase64Url(info.credential.publicKey),
      counter: info.credential.counter,
      transports: input.response.response.transports ?? [],
      name: input.name,
      backedUp: info.credentialBackedUp,
    },
    { ...input.source, now },
  )
  return added ? { ok: true, value: added } : refuse(409, 'That passkey is already registered on this site.')
}

/**
 * Options for signing in with any passkey of this site (discoverable credentials: the browser
 * offers them, nobody types a name). `token` is the browser's new cookie value, `previousToken`
 * its last one, whose challenge this replaces.
 */
export async function signInOptions(
  db: Db,
  config: Config,
  input: { token: string; previousToken?: string; next: string },
  now = new Date(),
): Promise<Outcome<PublicKeyCredentialRequestOptionsJSON>> {
  if (input.previousToken) dropChallenge(db, hashToken(input.previousToken))
  const live = liveChallenges(db, 'passkey-sign-in', now)
  if (live.count >= MAX_LIVE_SIGN_IN_CHALLENGES) {
    const freeAt = live.firstExpiry?.getTime() ?? now.getTime()
    const retryAfterSeconds = Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000))
    return { ...refuse(429, TOO_MANY_SIGN_INS, 'live sign-in challenges at their cap'), retryAfterSeconds }
  }
  const options = await (await webauthn()).generateAuthenticationOptions({
    rpID: relyingParty(config).id,
    allowCredentials: [],
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  })
  createChallenge(
    db,
    {
      id: hashToken(input.token),
      purpose: 'passkey-sign-in',
      next: input.next,
      challenge: options.challenge,
    },
    now,
  )
  return { ok: true, value: options }
}

/**
 * Checks a sign-in answer against the challenge bound to this browser's cookie (`token`). The
 * challenge is used up whatever the outcome. A passkey sign-in is a full sign-in, so the device
 * must have verified the person (fingerprint, face or PIN).
 */
export async function verifySignIn(
  db: Db,
  config: Config,
  input: { token: string | undefined; response: AuthenticationResponseJSON; ip: string },
  now = new Date(),
): Promise<Outcome<{ userId: number; next: string }>> {
  const row = input.token ? takeChallenge(db, hashToken(input.token), 'passkey-sign-in', now) : undefined
  if (!row) return refuse(400, EXPIRED)
  const passkey = findPasskeyByCredentialId(db, input.response.id)
  if (!passkey) return refuse(401, UNKNOWN_PASSKEY)
  const handle = input.response.response.userHandle
  if (handle && handle !== toBase64Url(userHandle(passkey.userId))) return refuse(401, UNKNOWN_PASSKEY)
  const rp = relyingParty(config)
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>
  try {
    verified = await (await webauthn()).verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: row.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.counter,
        transports: transportsOf(passkey),
      },
      requireUserVerification: true,
    })
  } catch (err) {
    return refusal(401, err, config)
  }
  if (!verified.verified) return refusal(401, undefined, config)
  const { newCounter, credentialBackedUp } = verified.authenticationInfo
  recordPasskeyUse(db, passkey, { counter: newCounter, backedUp: credentialBackedUp, ip: input.ip }, now)
  return { ok: true, value: { userId: passkey.userId, next: row.next } }
}
