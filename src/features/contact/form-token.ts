// Owns the contact form's signed timestamp: when the form was served, in a form a bot cannot forge.
import { createHmac, timingSafeEqual } from 'node:crypto'

const sign = (secret: string, time: number): string =>
  createHmac('sha256', secret).update(`contact:${time}`).digest('base64url')

/** A hidden-field value: the time the form was served, and its signature. */
export function issueFormTimestamp(secret: string, now = Date.now()): string {
  return `${now}.${sign(secret, now)}`
}

/** Milliseconds since the form was served, or null when the value is missing, malformed or forged. */
export function elapsedSince(secret: string, value: string | undefined, now = Date.now()): number | null {
  if (!value) return null
  const [timeText, signature] = value.split('.')
  const time = Number(timeText)
  if (!Number.isSafeInteger(time) || !signature || time > now + 60_000) return null
  const expected = Buffer.from(sign(secret, time))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
  return now - time
}
