// Owns writing responses as they arrive from other sites: a new one waits for the author, a re-sent one is refreshed, a withdrawn one removed.
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type ResponseKind, type ResponseSource, type ResponseStatus, responses } from '../../db/schema.ts'
import type { SpamVerdict } from '../contact/spam.ts'

/** A response as a receiver read it, its HTML already sanitised. */
export interface ReceivedResponse {
  readonly postId: number
  readonly source: ResponseSource
  readonly sourceUrl: string
  readonly kind: ResponseKind
  readonly authorName: string
  readonly authorUrl: string
  /** The ActivityPub actor that sent it, the only one who may change it; '' for Webmention. */
  readonly actorId?: string
  /** What a reply answers when it is not the post itself: another response's sourceUrl. */
  readonly inReplyTo?: string
  readonly contentHtml: string
  readonly publishedAt: Date | null
  readonly spam: SpamVerdict
}

export interface StoredResponse {
  readonly id: number
  readonly status: ResponseStatus
  readonly created: boolean
}

/**
 * The status a response gets: a new one is pending (spam if it scores as spam); a known one keeps
 * the author's decision, except that an approved one whose words or author changed waits for the
 * author again: what was approved is what shows, never an edit made after it.
 */
function statusFor(
  current: { status: ResponseStatus; changed: boolean } | undefined,
  spam: SpamVerdict,
): ResponseStatus {
  if (spam.isSpam && current?.status !== 'rejected') return 'spam'
  if (current?.status === 'approved' && current.changed) return 'pending'
  return current?.status ?? 'pending'
}

/** Stores `input` as the one response for its source and post, creating or refreshing it. */
export function saveReceivedResponse(db: Db, input: ReceivedResponse, now = new Date()): StoredResponse {
  return db.transaction((tx) => {
    const existing = tx
      .select({
        id: responses.id,
        status: responses.status,
        kind: responses.kind,
        authorName: responses.authorName,
        authorUrl: responses.authorUrl,
        contentHtml: responses.contentHtml,
      })
      .from(responses)
      .where(and(eq(responses.sourceUrl, input.sourceUrl), eq(responses.postId, input.postId)))
      .get()
    const changed =
      existing !== undefined &&
      (existing.kind !== input.kind ||
        existing.authorName !== input.authorName ||
        existing.authorUrl !== input.authorUrl ||
        existing.contentHtml !== input.contentHtml)
    const content = {
      source: input.source,
      kind: input.kind,
      status: statusFor(existing && { status: existing.status, changed }, input.spam),
      authorName: input.authorName,
      authorUrl: input.authorUrl,
      actorId: input.actorId ?? '',
      inReplyTo: input.inReplyTo ?? '',
      contentHtml: input.contentHtml,
      publishedAt: input.publishedAt,
      spamScore: input.spam.score,
      spamReasons: JSON.stringify(input.spam.reasons),
      updatedAt: now,
    }
    if (existing) {
      tx.update(responses).set(content).where(eq(responses.id, existing.id)).run()
      return { id: existing.id, status: content.status, created: false }
    }
    const row = tx
      .insert(responses)
      .values({ ...content, postId: input.postId, sourceUrl: input.sourceUrl, receivedAt: now })
      .returning({ id: responses.id })
      .get()
    return { id: row.id, status: content.status, created: true }
  })
}

/**
 * The source took it back (gone, or no longer links to the post): a pending or approved response
 * goes. A rejected or spam one stays as it is, so that withdrawing and sending again never turns
 * the author's "no" back into a pending question.
 */
export function removeReceivedResponse(db: Db, sourceUrl: string, postId: number): boolean {
  const { changes } = db
    .delete(responses)
    .where(
      and(
        eq(responses.sourceUrl, sourceUrl),
        eq(responses.postId, postId),
        inArray(responses.status, ['pending', 'approved']),
      ),
    )
    .run()
  return changes > 0
}

/**
 * An ActivityPub actor took back what it sent (a Delete of its reply, an Undo of its like or
 * boost): its pending or approved responses with that id go, on whatever post. Only the actor
 * that sent a response can take it back. Rejected and spam ones stay, as above, so that a spammer
 * cannot wipe the record of what the author marked.
 */
export function removeActorResponses(db: Db, sourceUrl: string, actorId: string): number {
  return db
    .delete(responses)
    .where(
      and(
        eq(responses.sourceUrl, sourceUrl),
        eq(responses.actorId, actorId),
        eq(responses.source, 'activitypub'),
        inArray(responses.status, ['pending', 'approved']),
      ),
    )
    .run().changes
}
