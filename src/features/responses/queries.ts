// Owns reading responses: the approved ones under a post, the admin's lists and counts by status, one response, and the blocked senders.
import { and, asc, count, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import {
  blockedSenders,
  posts,
  RESPONSE_STATUSES,
  type Response,
  type ResponseStatus,
  responses,
} from '../../db/schema.ts'
import { pageWindow } from '../../lib/paging.ts'
import { displayHost, isHttpUrl } from '../../lib/urls.ts'

export const RESPONSES_PAGE_SIZE = 25

export const isResponseStatus = (value: unknown): value is ResponseStatus =>
  typeof value === 'string' && (RESPONSE_STATUSES as readonly string[]).includes(value)

/** What a response's author is called where it is shown: their name, else the host they wrote from. */
export function authorNameOf(response: Pick<Response, 'authorName' | 'authorUrl' | 'sourceUrl'>): string {
  const from = [response.authorUrl, response.sourceUrl].find(isHttpUrl)
  return response.authorName.trim() || (from ? displayHost(from) : '') || 'Someone'
}

/**
 * What a reader sees of one approved response: never its spam data, never an image. `inReplyTo`
 * says which other response it answers, if any, so the page can show the conversation as a thread.
 */
export type ShownResponse = Pick<
  Response,
  | 'id'
  | 'kind'
  | 'source'
  | 'authorName'
  | 'authorUrl'
  | 'actorId'
  | 'sourceUrl'
  | 'inReplyTo'
  | 'contentHtml'
  | 'publishedAt'
  | 'receivedAt'
>

/**
 * A post's approved responses, oldest first, in one query on responses_post_idx (post, status,
 * received_at): the post page stays one index range away from its conversation.
 */
export function approvedResponses(db: Db, postId: number): ShownResponse[] {
  return db
    .select({
      id: responses.id,
      kind: responses.kind,
      source: responses.source,
      authorName: responses.authorName,
      authorUrl: responses.authorUrl,
      actorId: responses.actorId,
      sourceUrl: responses.sourceUrl,
      inReplyTo: responses.inReplyTo,
      contentHtml: responses.contentHtml,
      publishedAt: responses.publishedAt,
      receivedAt: responses.receivedAt,
    })
    .from(responses)
    .where(and(eq(responses.postId, postId), eq(responses.status, 'approved')))
    .orderBy(asc(responses.receivedAt), asc(responses.id))
    .all()
}

export type StatusCounts = Record<ResponseStatus, number>

/** How many responses each status holds, in one query, for the tabs. */
export function statusCounts(db: Db): StatusCounts {
  const counts: StatusCounts = { pending: 0, approved: 0, rejected: 0, spam: 0 }
  const rows = db
    .select({ status: responses.status, n: count() })
    .from(responses)
    .groupBy(responses.status)
    .all()
  for (const row of rows) counts[row.status] = row.n
  return counts
}

/** How many responses wait for the author: the admin navigation's badge. */
export function countPendingResponses(db: Db): number {
  return db.select({ n: count() }).from(responses).where(eq(responses.status, 'pending')).get()?.n ?? 0
}

/** A response with the post it answers, as the admin lists it. */
export interface ResponseRow extends Response {
  readonly postTitle: string
  readonly postSlug: string
}

export interface ResponsePage {
  readonly responses: ResponseRow[]
  readonly total: number
  /** The page shown: the one asked for, or the last one when it asked beyond the end. */
  readonly page: number
  readonly totalPages: number
}

const selectRows = (db: Db) =>
  db
    .select({
      id: responses.id,
      postId: responses.postId,
      source: responses.source,
      sourceUrl: responses.sourceUrl,
      kind: responses.kind,
      status: responses.status,
      authorName: responses.authorName,
      authorUrl: responses.authorUrl,
      actorId: responses.actorId,
      inReplyTo: responses.inReplyTo,
      contentHtml: responses.contentHtml,
      publishedAt: responses.publishedAt,
      spamScore: responses.spamScore,
      spamReasons: responses.spamReasons,
      receivedAt: responses.receivedAt,
      updatedAt: responses.updatedAt,
      postTitle: posts.title,
      postSlug: posts.slug,
    })
    .from(responses)
    .innerJoin(posts, eq(posts.id, responses.postId))

/** One status's responses, newest first, a page at a time (responses_status_idx). */
export function listResponses(db: Db, options: { status: ResponseStatus; page?: number }): ResponsePage {
  const where = eq(responses.status, options.status)
  const total = db.select({ n: count() }).from(responses).where(where).get()?.n ?? 0
  const { page, totalPages, offset } = pageWindow(total, options.page, RESPONSES_PAGE_SIZE)
  const rows = selectRows(db)
    .where(where)
    .orderBy(desc(responses.receivedAt), desc(responses.id))
    .limit(RESPONSES_PAGE_SIZE)
    .offset(offset)
    .all()
  return { responses: rows, total, page, totalPages }
}

export function findResponse(db: Db, id: number): ResponseRow | undefined {
  return selectRows(db).where(eq(responses.id, id)).get()
}

/** Which of `ids` exist; bulk actions work on these and ignore the rest. */
export function existingResponseIds(db: Db, ids: readonly number[]): number[] {
  if (ids.length === 0) return []
  return db
    .select({ id: responses.id })
    .from(responses)
    .where(inArray(responses.id, [...ids]))
    .all()
    .map((row) => row.id)
}

export type BlockedSender = typeof blockedSenders.$inferSelect

/** Every blocked domain and sender, domains first, each group in the order they were blocked. */
export function listBlockedSenders(db: Db): BlockedSender[] {
  return db
    .select()
    .from(blockedSenders)
    .orderBy(asc(blockedSenders.kind), asc(blockedSenders.createdAt), asc(blockedSenders.id))
    .all()
}

export function findBlockedSender(db: Db, id: number): BlockedSender | undefined {
  return db.select().from(blockedSenders).where(eq(blockedSenders.id, id)).get()
}
