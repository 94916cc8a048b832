// Owns the newsletter's link tokens: signed, so a confirm or unsubscribe link needs no stored secret per subscriber.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Db } from '../../db/client.ts'
import { plural } from '../../lib/text.ts'
import { loadOrCreateSecret } from '../auth/secrets.ts'

/** A confirmation link works for a week: as long as an unconfirmed address is kept. */
export const CONFIRM_TTL_MS = 7 * 24 * 60 * 60 * 1000
/** The same lifetime in words ("7 days"), for every email and page that mentions it. */
export const CONFIRM_TTL_LABEL = plural(Math.round(CONFIRM_TTL_MS / (24 * 60 * 60 * 1000)), 'day')

/** The key that signs every newsletter link; made once per database (a replica has the primary's). */
export const newsletterSecret = (db: Db): string => loadOrCreateSecret(db, 'newsletter-links')

const sign = (secret: string, text: string): string =>
  createHmac('sha256', secret).update(text).digest('base64url').slice(0, 32)

function verified(secret: string, text: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, text))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** `<subscriber id>.<signature>`: never expires, so an old email's unsubscribe link always works. */
export function unsubscribeToken(secret: string, subscriberId: number): string {
  return `${subscriberId}.${sign(secret, `unsubscribe:${subscriberId}`)}`
}

/** The subscriber id an unsubscribe token names, or null when it is malformed or forged. */
export function readUnsubscribeToken(secret: string, token: unknown): number | null {
  if (typeof token !== 'string' || token.length > 100) return null
  const [idText, signature, extra] = token.split('.')
  const id = Number(idText)
  if (extra !== undefined || !signature || !Number.isSafeInteger(id) || id < 1) return null
  return verified(secret, `unsubscribe:${id}`, signature) ? id : null
}

/** `<subscriber id>.<issued ms>.<signature>`: valid for CONFIRM_TTL_MS after it was issued. */
export function confirmToken(secret: string, subscriberId: number, issuedAt: number): string {
  return `${subscriberId}.${issuedAt}.${sign(secret, `confirm:${subscriberId}:${issuedAt}`)}`
}

export type ConfirmTokenReading =
  | { readonly ok: true; readonly subscriberId: number }
  | { readonly ok: false; readonly reason: 'invalid' | 'expired' }

/** What a confirmation token says: whose it is, or whether it was forged or is too old. */
export function readConfirmToken(secret: string, token: unknown, now = Date.now()): ConfirmTokenReading {
  if (typeof token !== 'string' || token.length > 100) return { ok: false, reason: 'invalid' }
  const [idText, issuedText, signature, extra] = token.split('.')
  const id = Number(idText)
  const issuedAt = Number(issuedText)
  if (
    extra !== undefined ||
    !signature ||
    !Number.isSafeInteger(id) ||
    id < 1 ||
    !Number.isSafeInteger(issuedAt)
  )
    return { ok: false, reason: 'invalid' }
  if (!verified(secret, `confirm:${id}:${issuedAt}`, signature)) return { ok: false, reason: 'invalid' }
  if (issuedAt > now + 60_000 || now - issuedAt > CONFIRM_TTL_MS) return { ok: false, reason: 'expired' }
  return { ok: true, subscriberId: id }
}
