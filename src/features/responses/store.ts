// Owns writing responses as they arrive from other sites: a new one waits for the author, a re-sent one is refreshed, a withdrawn one removed.
import { and, eq } from 'drizzle-orm'
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
 * the author's decision. Only content that turns into spam moves a pending or approved response
 * to spam: a reply approved once cannot be edited into an advertisement under the post.
 */
function statusFor(current: ResponseStatus | undefined, spam: SpamVerdict): ResponseStatus {
  if (spam.isSpam && current !== 'rejected') return 'spam'
  return current ?? 'pending'
}

/** Stores `input` as the one response for its source and post, creating or refreshing it. */
export function saveReceivedResponse(db: Db, input: ReceivedResponse, now = new Date()): StoredResponse {
  return db.transaction((tx) => {
    const existing = tx
      .select({ id: responses.id, status: responses.status })
      .from(responses)
      .where(and(eq(responses.sourceUrl, input.sourceUrl), eq(responses.postId, input.postId)))
      .get()
    const content = {
      source: input.source,
      kind: input.kind,
      status: statusFor(existing?.status, input.spam),
      authorName: input.authorName,
      authorUrl: input.authorUrl,
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

/** The source took it back (gone, or no longer links to the post): the response goes, whatever its status. */
export function removeReceivedResponse(db: Db, sourceUrl: string, postId: number): boolean {
  const { changes } = db
    .delete(responses)
    .where(and(eq(responses.sourceUrl, sourceUrl), eq(responses.postId, postId)))
    .run()
  return changes > 0
}
