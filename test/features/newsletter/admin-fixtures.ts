// Owns what the subscribers screen tests share: rows in given states, and reading the list page's addresses, tab counts and flash.
import { eq } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.ts'
import { type SubscriberSource, type SubscriberStatus, subscribers } from '../../../src/db/schema.ts'

/** Every subscriber row as it stands: a refused request leaves it as it was (sessions still record the author's activity). */
export const subscribersNow = (db: Db) => JSON.stringify(db.select().from(subscribers).all())

export const DAY = 24 * 60 * 60 * 1000
export const BASE = Date.parse('2026-03-01T12:00:00Z')

export function addRow(
  db: Db,
  email: string,
  status: SubscriberStatus = 'confirmed',
  options: { source?: SubscriberSource; at?: number } = {},
) {
  const at = new Date(options.at ?? BASE)
  return db
    .insert(subscribers)
    .values({
      email,
      status,
      source: options.source ?? 'form',
      createdAt: at,
      confirmedAt: status === 'confirmed' ? at : null,
      unsubscribedAt: status === 'unsubscribed' ? at : null,
    })
    .returning()
    .get()
}

export const rowOf = (db: Db, email: string) =>
  db.select().from(subscribers).where(eq(subscribers.email, email)).get()

/** Addresses in the list, top to bottom, as the table shows them (without the <wbr> break hints). */
export const addressesIn = (html: string): string[] =>
  [...html.matchAll(/<td class="inbox-address"><bdi>(.*?)<\/bdi><\/td>/g)].map((m) =>
    (m[1] ?? '').replaceAll('<wbr>', ''),
  )

export const tabCount = (html: string, label: string): number | undefined => {
  const m = new RegExp(`>${label} <span class="inbox-count">(\\d+)</span>`).exec(html)
  return m ? Number(m[1]) : undefined
}

export const flashIn = (html: string): string | undefined =>
  /<p class="flash" role="status">([^<]*)<\/p>/.exec(html)?.[1]
