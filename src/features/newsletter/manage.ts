// Owns what the author does to the subscriber list by hand: counting, listing and searching it a page at a time, adding or deleting one address, and the CSV export (unsubscribing is subscribers.ts's, the same for reader and author).

import { and, asc, count, desc, eq, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Subscriber, type SubscriberStatus, subscribers } from '../../db/schema.ts'
import { neutraliseFormula } from '../../lib/csv-cells.ts'
import { pageWindow } from '../../lib/paging.ts'
import { containsPattern } from '../inbox/queries.ts'
import { eraseSubscriberMail } from '../mail/outbox.ts'
import { normalizeSubscriberEmail, SUBSCRIBER_EMAIL_MAX } from './email-address.ts'
import { hasUnsubscribed } from './subscribers.ts'

export const SUBSCRIBERS_PAGE_SIZE = 50
/** A search is part of an address: never longer than the longest address. */
export const MAX_SEARCH_LENGTH = SUBSCRIBER_EMAIL_MAX

export type SubscriberCounts = Record<SubscriberStatus, number>

/** The address contains `q` (SQLite's LIKE ignores ASCII case; addresses are stored lower-cased). */
const matching = (q: string): SQL | undefined =>
  q ? sql`${subscribers.email} like ${containsPattern(q.toLowerCase())} escape '\\'` : undefined

/** How many addresses each status holds (those matching `q` when given), in one query. */
export function subscriberCounts(db: Db, q = ''): SubscriberCounts {
  const counts: SubscriberCounts = { confirmed: 0, pending: 0, unsubscribed: 0 }
  const rows = db
    .select({ status: subscribers.status, n: count() })
    .from(subscribers)
    .where(matching(q))
    .groupBy(subscribers.status)
    .all()
  for (const row of rows) counts[row.status] = row.n
  return counts
}

export interface SubscriberPage {
  readonly subscribers: Subscriber[]
  readonly total: number
  /** The page shown: the one asked for, or the last one when it asked beyond the end. */
  readonly page: number
  readonly totalPages: number
}

/** One status's addresses, newest first, optionally only those containing `q`, a page at a time. */
export function listSubscribers(
  db: Db,
  options: { status: SubscriberStatus; q?: string; page?: number },
): SubscriberPage {
  const where = and(eq(subscribers.status, options.status), matching(options.q ?? ''))
  const total = db.select({ n: count() }).from(subscribers).where(where).get()?.n ?? 0
  const { page, totalPages, offset } = pageWindow(total, options.page, SUBSCRIBERS_PAGE_SIZE)
  const rows = db
    .select()
    .from(subscribers)
    .where(where)
    .orderBy(desc(subscribers.createdAt), desc(subscribers.id))
    .limit(SUBSCRIBERS_PAGE_SIZE)
    .offset(offset)
    .all()
  return { subscribers: rows, total, page, totalPages }
}

export const findSubscriberByEmail = (db: Pick<Db, 'select'>, email: string): Subscriber | undefined =>
  db.select().from(subscribers).where(eq(subscribers.email, email)).get()

/**
 * What adding an address by hand did. The author vouches for the person's consent, so a new
 * address is confirmed at once, and one still waiting to confirm is confirmed. One that is
 * subscribed already, or that unsubscribed (only they may undo that, with their own confirmation
 * link, even once the form has made them pending again), is left as it is.
 */
export type AddOutcome =
  | { readonly outcome: 'added' | 'confirmed'; readonly subscriber: Subscriber }
  | { readonly outcome: 'invalid' }
  | { readonly outcome: 'already' | 'unsubscribed'; readonly subscriber: Subscriber }

export function addSubscriber(db: Db, input: unknown, now = new Date()): AddOutcome {
  const email = normalizeSubscriberEmail(input)
  if (!email) return { outcome: 'invalid' }
  return db.transaction((tx) => {
    const existing = findSubscriberByEmail(tx, email)
    if (existing?.status === 'confirmed') return { outcome: 'already', subscriber: existing }
    if (existing && hasUnsubscribed(existing)) return { outcome: 'unsubscribed', subscriber: existing }
    if (existing) {
      const confirmed = tx
        .update(subscribers)
        .set({ status: 'confirmed', confirmedAt: now })
        .where(eq(subscribers.id, existing.id))
        .returning()
        .get()
      return { outcome: 'confirmed', subscriber: confirmed }
    }
    const added = tx
      .insert(subscribers)
      .values({ email, status: 'confirmed', source: 'admin', createdAt: now, confirmedAt: now })
      .returning()
      .get()
    return { outcome: 'added', subscriber: added }
  })
}

/**
 * Erases an address (someone asked to be forgotten), in one transaction: the row, and the address
 * in the mail sent to it: copies and confirmations already sent are deleted, and those still
 * queued lose their address and are dropped at send time rather than sent.
 */
export function deleteSubscriber(db: Db, id: number): boolean {
  return db.transaction((tx) => {
    eraseSubscriberMail(tx as unknown as Db, [id])
    return tx.delete(subscribers).where(eq(subscribers.id, id)).run().changes > 0
  })
}

export const EXPORT_COLUMNS = ['email', 'status', 'source', 'created', 'confirmed', 'unsubscribed'] as const

const iso = (date: Date | null): string => (date ? date.toISOString() : '')

/**
 * Every address as CSV, oldest first: what `importSubscribers` reads back (it skips the rows whose
 * status says unsubscribed or pending). Cells a spreadsheet would run as a formula get a leading
 * apostrophe; a UTF-8 byte order mark lets Excel read it as UTF-8, as with the inbox's export.
 */
export async function subscribersCsv(db: Db): Promise<string> {
  // Loaded by the first export, not when the server starts.
  const { stringify } = await import('csv-stringify/sync')
  const rows = db
    .select()
    .from(subscribers)
    .orderBy(asc(subscribers.createdAt), asc(subscribers.id))
    .all()
    .map((s) => [s.email, s.status, s.source, iso(s.createdAt), iso(s.confirmedAt), iso(s.unsubscribedAt)])
  const csv = stringify([[...EXPORT_COLUMNS], ...rows], {
    cast: { string: (value) => neutraliseFormula(value) },
    record_delimiter: 'windows',
  })
  return `\uFEFF${csv}`
}
