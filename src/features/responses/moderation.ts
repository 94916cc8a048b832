// Owns changing responses: approving, rejecting, marking spam and deleting one or many, and blocking and unblocking a sender (the rule for who is blocked included).
import { and, eq, inArray, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import {
  type BlockKind,
  blockedSenders,
  followers,
  type Response,
  type ResponseStatus,
  responses,
} from '../../db/schema.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import { containsPattern } from '../inbox/queries.ts'

export const MODERATION_ACTIONS = ['approve', 'reject', 'spam', 'delete'] as const
export type ModerationAction = (typeof MODERATION_ACTIONS)[number]

export const isModerationAction = (value: unknown): value is ModerationAction =>
  typeof value === 'string' && (MODERATION_ACTIONS as readonly string[]).includes(value)

/** The status each action leaves a response in; delete leaves none. */
const STATUS_AFTER: Record<Exclude<ModerationAction, 'delete'>, ResponseStatus> = {
  approve: 'approved',
  reject: 'rejected',
  spam: 'spam',
}

/** Applies `action` to the responses in `ids` and returns how many changed; unknown ids are ignored. */
export function moderateResponses(
  db: Db,
  action: ModerationAction,
  ids: readonly number[],
  now = new Date(),
): number {
  if (ids.length === 0) return 0
  const selected = inArray(responses.id, [...ids])
  if (action === 'delete') return db.delete(responses).where(selected).run().changes
  return db.update(responses).set({ status: STATUS_AFTER[action], updatedAt: now }).where(selected).run()
    .changes
}

/** An http(s) URL's host, lowercase and without a final dot; undefined for anything else. */
const hostOf = (url: string): string | undefined =>
  isHttpUrl(url) ? new URL(url).hostname.replace(/\.$/, '') || undefined : undefined

/** A URL's host as a domain block names it: without "www.", so the block covers the whole site. */
export function senderDomain(url: string): string | undefined {
  return hostOf(url)?.replace(/^www\./, '') || undefined
}

/** Whether `host` is `domain` or one of its subdomains. */
const isWithin = (host: string, domain: string): boolean => host === domain || host.endsWith(`.${domain}`)

/** Who sent a response: for ActivityPub its actor as well as its author's page and source. */
type Sent = Pick<Response, 'authorUrl' | 'sourceUrl'> & { readonly actorId?: string }

/** The domains a response could be blocked by: its actor's, its author's, then its source's, each once. */
export function senderDomains(response: Sent): string[] {
  const found = [response.actorId ?? '', response.authorUrl, response.sourceUrl].map(senderDomain)
  return [...new Set(found.filter((d): d is string => d !== undefined))]
}

/**
 * Who "this sender" is: the ActivityPub actor (what the inbox checks, and what follows are keyed
 * by), else the author's page when it is a web address, else the source itself.
 */
export function senderAddress(response: Sent): string | undefined {
  return [response.actorId ?? '', response.authorUrl, response.sourceUrl].find(isHttpUrl)
}

/** `host` and every domain above it: a.b.example.com, b.example.com, example.com, com. */
function domainsAbove(host: string): string[] {
  const labels = host.split('.')
  return labels.map((_, i) => labels.slice(i).join('.')).filter(Boolean)
}

/**
 * Whether anything in `urls` (a source, an author, an actor) is blocked: by its exact address, or
 * by its domain or a domain above it. Receivers ask this before they store a response.
 */
export function isBlockedSender(db: Db, urls: readonly string[]): boolean {
  const addresses = urls.filter(isHttpUrl)
  if (addresses.length === 0) return false
  const domains = [...new Set(addresses.flatMap((url) => domainsAbove(hostOf(url) ?? '')))]
  const found = db
    .select({ id: blockedSenders.id })
    .from(blockedSenders)
    .where(
      or(
        and(eq(blockedSenders.kind, 'actor'), inArray(blockedSenders.value, addresses)),
        and(eq(blockedSenders.kind, 'domain'), inArray(blockedSenders.value, domains)),
      ),
    )
    .get()
  return found !== undefined
}

/** The pending responses a new block covers (checked here in full; the LIKE only narrows the read). */
function pendingFrom(db: Pick<Db, 'select'>, kind: BlockKind, value: string): number[] {
  const pending = eq(responses.status, 'pending')
  if (kind === 'actor') {
    return db
      .select({ id: responses.id })
      .from(responses)
      .where(
        and(
          pending,
          or(eq(responses.actorId, value), eq(responses.authorUrl, value), eq(responses.sourceUrl, value)),
        ),
      )
      .all()
      .map((row) => row.id)
  }
  const pattern = containsPattern(value)
  return db
    .select({ id: responses.id, authorUrl: responses.authorUrl, sourceUrl: responses.sourceUrl })
    .from(responses)
    .where(
      and(
        pending,
        or(
          sql`${responses.authorUrl} like ${pattern} escape '\\'`,
          sql`${responses.sourceUrl} like ${pattern} escape '\\'`,
        ),
      ),
    )
    .all()
    .filter((row) =>
      [row.authorUrl, row.sourceUrl].some((url) => {
        const host = hostOf(url)
        return host !== undefined && isWithin(host, value)
      }),
    )
    .map((row) => row.id)
}

/** The followers a new block covers: the actor itself, or every actor on the domain or below it. */
function followersFrom(db: Pick<Db, 'select'>, kind: BlockKind, value: string): number[] {
  if (kind === 'actor') {
    return db
      .select({ id: followers.id })
      .from(followers)
      .where(eq(followers.actorId, value))
      .all()
      .map((row) => row.id)
  }
  return db
    .select({ id: followers.id, actorId: followers.actorId })
    .from(followers)
    .where(sql`${followers.actorId} like ${containsPattern(value)} escape '\\'`)
    .all()
    .filter((row) => {
      const host = hostOf(row.actorId)
      return host !== undefined && isWithin(host, value)
    })
    .map((row) => row.id)
}

/**
 * Blocks a domain (with its subdomains) or one sender's address, and rejects what they have
 * waiting: kept as rejected, never shown, so the author can still see what was sent. Approved
 * responses stay: the author chose them. Their follows end: the blog's posts stop going to them
 * (nothing is sent to say so, as with Mastodon's blocks). Blocking twice is harmless.
 */
export function blockSender(
  db: Db,
  block: { kind: BlockKind; value: string },
  now = new Date(),
): { rejected: number; unfollowed: number } {
  return db.transaction((tx) => {
    tx.insert(blockedSenders)
      .values({ kind: block.kind, value: block.value, createdAt: now })
      .onConflictDoNothing()
      .run()
    const follows = followersFrom(tx, block.kind, block.value)
    const unfollowed =
      follows.length === 0 ? 0 : tx.delete(followers).where(inArray(followers.id, follows)).run().changes
    const ids = pendingFrom(tx, block.kind, block.value)
    if (ids.length === 0) return { rejected: 0, unfollowed }
    const { changes } = tx
      .update(responses)
      .set({ status: 'rejected', updatedAt: now })
      .where(inArray(responses.id, ids))
      .run()
    return { rejected: changes, unfollowed }
  })
}

/** Lifts a block; what it rejected stays rejected. */
export function unblockSender(db: Db, id: number): number {
  return db.delete(blockedSenders).where(eq(blockedSenders.id, id)).run().changes
}
