// Owns accepting a Webmention: the checks made before answering 202, the per-sender limit, and the queue of mentions waiting to be verified.

import { and, count, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { incomingMentions, posts } from '../../db/schema.ts'
import { isHttpUrl, postUrl } from '../../lib/urls.ts'
import { createWindowLimit } from '../../lib/window-limit.ts'
import { findRedirectedSlug } from '../blog/queries.ts'
import { isPublicPost } from '../content/visibility.ts'
import { isBlockedSender } from '../responses/moderation.ts'

/** Longer URLs are not pages people link to; the limit keeps the queue's rows small. */
export const MAX_URL_LENGTH = 2048
/** Mentions one address may queue in an hour: a blog sends a handful when it publishes. */
export const MENTIONS_PER_SENDER_PER_HOUR = 20
/** Waiting mentions beyond which the endpoint asks everyone to come back later (a flood, not a blog). */
export const MAX_QUEUED_MENTIONS = 5000
const HOUR_MS = 60 * 60 * 1000

const NOT_A_POST = 'target is not a post on this site'

export type MentionCheck =
  | { readonly ok: true; readonly source: string; readonly target: string; readonly postId: number }
  | { readonly ok: false; readonly status: 400 | 403; readonly message: string }

const refuse = (message: string, status: 400 | 403 = 400): MentionCheck => ({ ok: false, status, message })

/** Why `value` cannot be the `name` field, or undefined when it is an absolute http(s) URL of a sane length. */
function urlProblem(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '')
    return `${name} is required: send source and target as application/x-www-form-urlencoded fields`
  if (value.length > MAX_URL_LENGTH) return `${name} is longer than ${MAX_URL_LENGTH} characters`
  if (!isHttpUrl(value)) return `${name} must be an absolute http:// or https:// URL`
  return undefined
}

/**
 * The public post a URL on this site names: `/posts/:slug` on SITE_URL's origin (a query or
 * fragment is ignored, a renamed post's old slug still counts), or undefined.
 */
export function findTargetPost(db: Db, siteUrl: string, target: string, now: Date): number | undefined {
  if (!isHttpUrl(target)) return undefined
  const url = new URL(target)
  if (url.origin !== new URL(siteUrl).origin) return undefined
  // postUrl('') is the prefix every post's path starts with: the one place post paths are built.
  const prefix = postUrl('')
  if (!url.pathname.startsWith(prefix)) return undefined
  const encoded = url.pathname.slice(prefix.length).replace(/\/$/, '')
  if (!encoded || encoded.includes('/')) return undefined
  let slug: string
  try {
    slug = decodeURIComponent(encoded)
  } catch {
    return undefined
  }
  return publicPostId(db, slug, now) ?? publicPostId(db, findRedirectedSlug(db, slug, now), now)
}

function publicPostId(db: Db, slug: string | undefined, now: Date): number | undefined {
  if (slug === undefined) return undefined
  return db
    .select({ id: posts.id })
    .from(posts)
    .where(and(eq(posts.slug, slug), isPublicPost(now)))
    .get()?.id
}

/** The checks the spec asks of a receiver before it answers: no fetch, a few indexed reads. */
export function checkMention(
  db: Db,
  siteUrl: string,
  fields: { source?: string | undefined; target?: string | undefined },
  now = new Date(),
): MentionCheck {
  const problem = urlProblem('source', fields.source) ?? urlProblem('target', fields.target)
  if (problem || fields.source === undefined || fields.target === undefined) return refuse(problem ?? '')
  // A fragment names a part of the same page: one page, one response, however it is linked.
  const sourceUrl = new URL(fields.source)
  sourceUrl.hash = ''
  const source = sourceUrl.href
  const target = new URL(fields.target).href
  if (source === target) return refuse('source and target must be different URLs')
  // Each query string would be another queue row and another fetch of the same source.
  if (new URL(target).search !== '')
    return refuse('target must be the post’s address, without a query string')
  const postId = findTargetPost(db, siteUrl, target, now)
  if (postId === undefined) return refuse(NOT_A_POST)
  if (isBlockedSender(db, [source])) return refuse('mentions from this source are not accepted here', 403)
  return { ok: true, source, target, postId }
}

/**
 * Queues a checked mention for the worker. The same source and target sent again (the source was
 * edited or deleted) starts over: one row, due now, its failed attempts forgotten.
 */
export function queueMention(
  db: Db,
  mention: { source: string; target: string; senderIp: string },
  now = new Date(),
): void {
  const fresh = { senderIp: mention.senderIp.slice(0, 64), receivedAt: now, nextAttemptAt: now }
  db.insert(incomingMentions)
    .values({ sourceUrl: mention.source, targetUrl: mention.target, ...fresh })
    .onConflictDoUpdate({
      target: [incomingMentions.sourceUrl, incomingMentions.targetUrl],
      set: { ...fresh, attempts: 0, lastError: '' },
    })
    .run()
}

export function queuedMentionCount(db: Db): number {
  return db.select({ n: count() }).from(incomingMentions).get()?.n ?? 0
}

/** Mentions per sender (an address, or an IPv6 /64: lib/window-limit.ts senderOf) in a fixed hour from its first one. */
export const createSenderLimit = (perHour = MENTIONS_PER_SENDER_PER_HOUR, maxSenders = 10_000) =>
  createWindowLimit(perHour, HOUR_MS, maxSenders)

export type SenderLimit = ReturnType<typeof createSenderLimit>
