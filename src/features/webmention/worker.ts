// Owns verifying queued Webmentions off the request path: fetch each source, store or remove its response, retry with backoff, one loop started and stopped with the app.
import { and, asc, eq, lte } from 'drizzle-orm'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { type IncomingMention, incomingMentions } from '../../db/schema.ts'
import { isLiteFsReplica } from '../../db/storage-health.ts'
import {
  type BackgroundLoop,
  createBackgroundLoop,
  runWithApp,
  type WorkerHandle,
} from '../../lib/background-loop.ts'
import { scoreWriting } from '../contact/spam.ts'
import { isBlockedSender } from '../responses/moderation.ts'
import { removeReceivedResponse, saveReceivedResponse } from '../responses/store.ts'
import { readSourceOffThread } from './read-source.ts'
import type { ReadResult } from './read-worker.ts'
import { findTargetPost } from './receive.ts'
import { checkSource } from './verify.ts'

const MINUTE = 60 * 1000
/** The wait after each failed attempt; after the last one the mention is given up on. */
export const RETRY_DELAYS_MS = [1, 5, 30, 120, 360].map((minutes) => minutes * MINUTE)
/** Sources fetched at once: each may take up to 10 s, and one slow site must not hold up the rest. */
const BATCH = 4
const INTERVAL_MS = 2000
/** How long a shutdown waits for fetches in flight before letting the app close. */
const SHUTDOWN_WAIT_MS = 5000

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>

declare module 'fastify' {
  interface FastifyInstance {
    /** The Webmention worker: `wake()` after queueing one, `drain()` to check everything due now (tests, shutdown). */
    webmentions: WorkerHandle
  }
}

/** Due mentions, oldest first. One process verifies (the primary), so reading is claiming. */
const dueMentions = (db: Db, now: Date, limit: number): IncomingMention[] =>
  db
    .select()
    .from(incomingMentions)
    .where(lte(incomingMentions.nextAttemptAt, now))
    .orderBy(asc(incomingMentions.nextAttemptAt), asc(incomingMentions.id))
    .limit(limit)
    .all()

/**
 * The row as it was read: if the same mention was sent again while its source was being fetched,
 * the row now says so (a new receivedAt) and stays, to be checked afresh.
 */
const sameSending = (row: IncomingMention) =>
  and(eq(incomingMentions.id, row.id), eq(incomingMentions.receivedAt, row.receivedAt))

function finish(db: Db, row: IncomingMention): void {
  db.delete(incomingMentions).where(sameSending(row)).run()
}

/** Records a failed attempt and when to try again, or gives up after the last one. */
function retryLater(db: Db, row: IncomingMention, reason: string, now: Date, log: Log): void {
  const attempts = row.attempts + 1
  const delay = RETRY_DELAYS_MS[attempts - 1]
  const where = { mentionId: row.id, source: row.sourceUrl, target: row.targetUrl, attempts, reason }
  if (delay === undefined) {
    finish(db, row)
    log.warn(where, 'webmention given up: its source could not be fetched')
    return
  }
  db.update(incomingMentions)
    .set({ attempts, lastError: reason.slice(0, 500), nextAttemptAt: new Date(now.getTime() + delay) })
    .where(sameSending(row))
    .run()
  log.info(where, 'webmention source not reachable; will retry')
}

/** Verifies one queued mention and stores what it found; every outcome ends the row or reschedules it. */
async function processMention(db: Db, config: Config, row: IncomingMention, now: Date, log: Log) {
  const where = { mentionId: row.id, source: row.sourceUrl, target: row.targetUrl }
  /** The row is done with: removed from the queue, with a log line saying how it ended. */
  const settle = (
    message: string,
    details: Record<string, unknown> = {},
    level: 'info' | 'warn' = 'info',
  ) => {
    finish(db, row)
    log[level]({ ...where, ...details }, message)
  }
  // Checked again: the post may have been unpublished, or the sender blocked, since it was queued.
  const postId = findTargetPost(db, config.siteUrl, row.targetUrl, now)
  if (postId === undefined) return settle('webmention dropped: its target is no longer a public post')
  if (isBlockedSender(db, [row.sourceUrl])) return settle('webmention dropped: its source is blocked')

  const check = await checkSource(row.sourceUrl, { allowPrivate: config.fetchAllowPrivate })
  if (!db.$client.open) return
  if (check.outcome === 'retry') return retryLater(db, row, check.reason, now, log)
  if (check.outcome === 'refused')
    return settle('webmention dropped: its source cannot be used', { reason: check.reason }, 'warn')
  if (check.outcome === 'withdrawn') {
    const removed = removeReceivedResponse(db, row.sourceUrl, postId)
    return settle('webmention not verified', { reason: check.reason, removed })
  }

  let read: ReadResult
  try {
    read = await readSourceOffThread({
      html: check.html,
      plain: check.plain,
      source: row.sourceUrl,
      pageUrl: check.pageUrl,
      target: row.targetUrl,
    })
  } catch (err) {
    // Too slow, too deep or too big to read: the same page would fail the same way again.
    if (!db.$client.open) return
    const reason = err instanceof Error ? err.message : String(err)
    return settle('webmention dropped: its source could not be read', { reason }, 'warn')
  }
  if (!db.$client.open) return
  if (!read.links) {
    const removed = removeReceivedResponse(db, row.sourceUrl, postId)
    return settle('webmention not verified', { reason: 'the source does not link to the target', removed })
  }
  const { mention } = read
  if (isBlockedSender(db, [mention.authorUrl]))
    return settle('webmention dropped: its author is blocked', { author: mention.authorUrl })
  const body = [mention.text, ...read.contentLinks].join('\n')
  const spam = scoreWriting({ name: mention.authorName, subject: '', body })
  const stored = saveReceivedResponse(
    db,
    { ...mention, postId, source: 'webmention', sourceUrl: row.sourceUrl, spam },
    now,
  )
  settle('webmention verified', { responseId: stored.id, kind: mention.kind, status: stored.status })
}

/**
 * Verifies every mention due at `now`, a few sources at a time; returns how many rows it handled.
 * One mention's failure (a parse error, say) is logged and rescheduled, never stops the rest.
 */
export async function processDueMentions(
  db: Db,
  config: Config,
  options: { readonly now?: Date; readonly log: Log; readonly shouldStop?: () => boolean },
): Promise<number> {
  const { log } = options
  let handled = 0
  for (;;) {
    if (options.shouldStop?.() || !db.$client.open) return handled
    const now = options.now ?? new Date()
    const batch = dueMentions(db, now, BATCH)
    if (batch.length === 0) return handled
    await Promise.all(
      batch.map(async (row) => {
        try {
          await processMention(db, config, row, now, log)
        } catch (err) {
          log.error({ err, mentionId: row.id, source: row.sourceUrl }, 'webmention could not be processed')
          if (db.$client.open) retryLater(db, row, 'an error in Folio while reading the source', now, log)
        }
      }),
    )
    handled += batch.length
  }
}

/** Runs the loop on the primary only: a LiteFS replica neither fetches nor writes. */
async function mentionWorker(app: FastifyInstance, options: { db: Db; config: Config; intervalMs?: number }) {
  const { db, config } = options
  const loop: BackgroundLoop = createBackgroundLoop({
    run: async () => {
      const shouldStop = () => loop.stopping || isLiteFsReplica(config.databasePath)
      await processDueMentions(db, config, { log: app.log, shouldStop })
    },
    onError: (err) => app.log.error({ err }, 'webmention worker could not read the queue'),
    intervalMs: options.intervalMs ?? INTERVAL_MS,
    shutdownWaitMs: SHUTDOWN_WAIT_MS,
  })
  // wake() answers after the current request: the sender never waits for the fetch.
  app.decorate('webmentions', runWithApp(app, loop))
}

export default fp(mentionWorker, { name: 'webmention-worker' })
