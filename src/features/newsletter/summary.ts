// Owns the subscriber figures the dashboard shows: how many confirmed, and how many joined lately.
import { and, count, eq, gte } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { subscribers } from '../../db/schema.ts'

const DAY_MS = 24 * 60 * 60 * 1000

export interface SubscriberSummary {
  /** Confirmed subscribers now: who the next post would reach. */
  readonly confirmed: number
  /** Confirmed subscribers who joined (confirmed) in the last 30 days. */
  readonly joinedLast30Days: number
}

export function subscriberSummary(db: Db, now = new Date()): SubscriberSummary {
  const since = new Date(now.getTime() - 30 * DAY_MS)
  const confirmed = db
    .select({ n: count() })
    .from(subscribers)
    .where(eq(subscribers.status, 'confirmed'))
    .get()
  const joined = db
    .select({ n: count() })
    .from(subscribers)
    .where(and(eq(subscribers.status, 'confirmed'), gte(subscribers.confirmedAt, since)))
    .get()
  return { confirmed: confirmed?.n ?? 0, joinedLast30Days: joined?.n ?? 0 }
}
