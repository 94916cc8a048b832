// Owns what a subscriber's email address may be, and its one stored form (trimmed, lower-cased).
import * as z from 'zod'

export const SUBSCRIBER_EMAIL_MAX = 254

const address = z.email()

/** The address as stored, or null when it is not an email address anyone could receive mail at. */
export function normalizeSubscriberEmail(input: unknown): string | null {
  if (typeof input !== 'string') return null
  const email = input.trim().toLowerCase()
  if (email.length === 0 || email.length > SUBSCRIBER_EMAIL_MAX) return null
  return address.safeParse(email).success ? email : null
}
