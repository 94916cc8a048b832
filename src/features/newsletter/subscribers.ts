// Owns a subscriber's life from the public side: subscribing (double opt-in), confirming, leaving, and pending addresses expiring.
import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Subscriber, type SubscriberStatus, subscribers } from '../../db/schema.ts'
import { eraseSubscriberMail } from '../mail/outbox.ts'
import { type ConfirmationSite, enqueueConfirmation } from './confirmation.ts'
import { CONFIRM_TTL_MS } from './tokens.ts'

/** Another confirmation to the same address waits this long: a form cannot be used to flood an inbox. */
export const CONFIRMATION_RESEND_MS = 10 * 60 * 1000

export type SubscribeOutcome =
  /** A confirmation email is queued (a new address, a pending one, or one that had left). */
  | 'queued'
  /** Pending, and a confirmation went out minutes ago: nothing more is sent yet. */
  | 'throttled'
  /** Already confirmed: nothing is sent. */
  | 'already-confirmed'

/**
 * Signs `email` (already normalised) up, pending until confirmed, and queues the confirmation in
 * the same transaction: once the visitor sees "check your inbox", the email will go. Whatever
 * the outcome, the visitor is told the same thing, so the form never says who is subscribed.
 *
 * Someone who had unsubscribed becomes pending again but keeps `unsubscribedAt`: anyone can type
 * an address into the form, so until the person's own link confirms it, an import, the author's
 * "Add" and expiry all treat the row as unsubscribed.
 */
export function subscribe(db: Db, email: string, site: ConfirmationSite, now = new Date()): SubscribeOutcome {
  return db.transaction((tx) => {
    const existing = tx.select().from(subscribers).where(eq(subscribers.email, email)).get()
    if (existing?.status === 'confirmed') return 'already-confirmed'
    const lastSent = existing?.confirmationSentAt?.getTime()
    if (lastSent !== undefined && now.getTime() - lastSent < CONFIRMATION_RESEND_MS) {
      // Someone who had left and asks again within minutes still becomes pending: the link they
      // were sent minutes ago confirms them.
      if (existing?.status === 'unsubscribed')
        tx.update(subscribers).set({ status: 'pending' }).where(eq(subscribers.id, existing.id)).run()
      return 'throttled'
    }
    const row = existing
      ? tx
          .update(subscribers)
          .set({ status: 'pending', confirmationSentAt: now })
          .where(eq(subscribers.id, existing.id))
          .returning()
          .get()
      : tx
          .insert(subscribers)
          .values({ email, status: 'pending', source: 'form', createdAt: now, confirmationSentAt: now })
          .returning()
          .get()
    enqueueConfirmation(tx as unknown as Db, row, site, now)
    return 'queued'
  })
}

/**
 * Unsubscribed, or pending again after unsubscribing (anyone can type an address into the form):
 * only the person's own confirmation link signs them up again, never an import or the author.
 */
export const hasUnsubscribed = (s: Pick<Subscriber, 'status' | 'unsubscribedAt'>): boolean =>
  s.status === 'unsubscribed' || (s.status === 'pending' && s.unsubscribedAt !== null)

export const findSubscriber = (db: Db, id: number): Subscriber | undefined =>
  db.select().from(subscribers).where(eq(subscribers.id, id)).get()

/** A subscriber's status, read inside the transaction that changes it; undefined when the row is gone. */
const statusOf = (tx: Pick<Db, 'select'>, id: number): SubscriberStatus | undefined =>
  tx.select({ status: subscribers.status }).from(subscribers).where(eq(subscribers.id, id)).get()?.status

export type ConfirmOutcome = 'confirmed' | 'already-confirmed' | 'unsubscribed' | 'missing'

/**
 * The "Confirm subscription" button: pending becomes confirmed. Someone who unsubscribed after
 * the link was sent stays unsubscribed (an old link must not sign them up again); a row that
 * expired or was removed is 'missing'.
 */
export function confirmSubscriber(db: Db, id: number, now = new Date()): ConfirmOutcome {
  return db.transaction((tx) => {
    const status = statusOf(tx, id)
    if (!status) return 'missing'
    if (status === 'confirmed') return 'already-confirmed'
    if (status === 'unsubscribed') return 'unsubscribed'
    // Their own confirmation: whatever they left before is behind them now.
    tx.update(subscribers)
      .set({ status: 'confirmed', confirmedAt: now, unsubscribedAt: null })
      .where(eq(subscribers.id, id))
      .run()
    return 'confirmed'
  })
}

export type UnsubscribeOutcome = 'unsubscribed' | 'already-unsubscribed' | 'missing'

/**
 * Leaving takes effect at once: no newsletter copy is sent to an address that is not confirmed
 * at send time. The row is kept (unsubscribed), so an import never signs them up again.
 */
export function unsubscribeSubscriber(db: Db, id: number, now = new Date()): UnsubscribeOutcome {
  return db.transaction((tx) => {
    const status = statusOf(tx, id)
    if (!status) return 'missing'
    if (status === 'unsubscribed') return 'already-unsubscribed'
    tx.update(subscribers)
      .set({ status: 'unsubscribed', unsubscribedAt: now })
      .where(eq(subscribers.id, id))
      .run()
    return 'unsubscribed'
  })
}

/**
 * Pending addresses whose last confirmation link has expired, so no live link ever points at a
 * changed row: one that had unsubscribed before goes back to unsubscribed (the form cannot undo
 * that), any other is deleted with every trace of it in the outbox (see eraseSubscriberMail).
 * Returns how many were expired. Called by the newsletter worker's pass.
 */
export function expirePendingSubscribers(db: Db, now = new Date()): number {
  const expired = and(
    eq(subscribers.status, 'pending'),
    lt(
      sql`coalesce(${subscribers.confirmationSentAt}, ${subscribers.createdAt})`,
      now.getTime() - CONFIRM_TTL_MS,
    ),
  )
  return db.transaction((tx) => {
    const restored = tx
      .update(subscribers)
      .set({ status: 'unsubscribed' })
      .where(and(expired, isNotNull(subscribers.unsubscribedAt)))
      .run().changes
    const never = and(expired, isNull(subscribers.unsubscribedAt))
    eraseSubscriberMail(tx as unknown as Db, tx.select({ id: subscribers.id }).from(subscribers).where(never))
    return restored + tx.delete(subscribers).where(never).run().changes
  })
}
