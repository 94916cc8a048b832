// Owns sending queued Webmentions off the request path (W3C Webmention 3.1.3): discover each target's endpoint, POST source and target, retry with backoff, one loop started and stopped with the app.
import { and, asc, eq, lte } from 'drizzle-orm'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { type OutgoingWebmention, outgoingWebmentions } from '../../db/schema.ts'
import { isLiteFsReplica } from '../../db/storage-health.ts'
import {
  type BackgroundLoop,
  createBackgroundLoop,
  runWithApp,
  type WorkerHandle,
} from '../../lib/background-loop.ts'
import { FetchRefusedError, FINAL_REFUSALS, safeFetch } from '../../lib/safe-fetch.ts'
import { discoverEndpoint, isTemporaryStatus } from './discover.ts'
import { RETRY_DELAYS_MS } from './worker.ts'

const SEND_TIMEOUT_MS = 10_000
/** Targets handled at once: each may take two fetches of up to 10 s, and one slow site must not hold up the rest. */
const BATCH = 4
const INTERVAL_MS = 5000
/** How long a shutdown waits for fetches in flight before letting the app close. */
const SHUTDOWN_WAIT_MS = 5000

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>

declare module 'fastify' {
  interface FastifyInstance {
    /** The Webmention sender: `wake()` after queueing some, `drain()` to send everything due now (tests, shutdown). */
    webmentionSender: WorkerHandle
  }
}

/** Due sendings, oldest first. One process sends (the primary), so reading is claiming. */
const dueSendings = (db: Db, now: Date, limit: number): OutgoingWebmention[] =>
  db
    .select()
    .from(outgoingWebmentions)
    .where(lte(outgoingWebmentions.nextAttemptAt, now))
    .orderBy(asc(outgoingWebmentions.nextAttemptAt), asc(outgoingWebmentions.id))
    .limit(limit)
    .all()

/**
 * The row as it was read: if the post changed and queued the same pair again while it was being
 * sent, the row says so (a new createdAt) and stays, so the receiver hears of the change too.
 */
const sameSending = (row: OutgoingWebmention) =>
  and(eq(outgoingWebmentions.id, row.id), eq(outgoingWebmentions.createdAt, row.createdAt))

type Attempt =
  | { readonly outcome: 'sent'; readonly endpoint: string; readonly status: number }
  | { readonly outcome: 'none' | 'refused' | 'retry'; readonly reason: string }

/** Discovers the target's endpoint and notifies it: the form the spec asks for, nothing else. */
async function attempt(row: OutgoingWebmention, allowPrivate: boolean): Promise<Attempt> {
  const discovery = await discoverEndpoint(row.targetUrl, { allowPrivate })
  if (discovery.outcome !== 'endpoint') return discovery
  const { endpoint } = discovery
  let status: number
  try {
    const response = await safeFetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/plain, */*;q=0.5' },
      body: new URLSearchParams({ source: row.sourceUrl, target: row.targetUrl }).toString(),
      allowPrivate,
      timeoutMs: SEND_TIMEOUT_MS,
    })
    status = response.status
  } catch (err) {
    if (!(err instanceof FetchRefusedError)) throw err
    const reason = `its endpoint ${endpoint}: ${err.reason}`
    return { outcome: FINAL_REFUSALS.has(err.code) ? 'refused' : 'retry', reason }
  }
  if (status >= 200 && status < 300) return { outcome: 'sent', endpoint, status }
  const reason = `its endpoint ${endpoint} answered ${status}`
  return { outcome: isTemporaryStatus(status) ? 'retry' : 'refused', reason }
}

/** Records a failed attempt and when to try again, or gives up after the last one. */
function retryLater(db: Db, row: OutgoingWebmention, reason: string, now: Date, log: Log): void {
  const attempts = row.attempts + 1
  const delay = RETRY_DELAYS_MS[attempts - 1]
  const where = { source: row.sourceUrl, target: row.targetUrl, attempts, reason }
  if (delay === undefined) {
    db.delete(outgoingWebmentions).where(sameSending(row)).run()
    log.warn(where, 'webmention not sent: given up after the last retry')
    return
  }
  db.update(outgoingWebmentions)
    .set({ attempts, lastError: reason.slice(0, 500), nextAttemptAt: new Date(now.getTime() + delay) })
    .where(sameSending(row))
    .run()
  log.info(where, 'webmention not sent yet; will retry')
}

async function sendOne(db: Db, config: Config, row: OutgoingWebmention, now: Date, log: Log) {
  const where = { source: row.sourceUrl, target: row.targetUrl }
  const settle = (message: string, details: Record<string, unknown>, level: 'info' | 'warn' = 'info') => {
    db.delete(outgoingWebmentions).where(sameSending(row)).run()
    log[level]({ ...where, ...details }, message)
  }
  // queueWebmentions skips them already; a SITE_URL changed since must not make the site mention itself.
  if (new URL(row.targetUrl).origin === new URL(config.siteUrl).origin)
    return settle('webmention not sent: the target is on this site', {})
  const result = await attempt(row, config.fetchAllowPrivate)
  if (!db.$client.open) return
  if (result.outcome === 'retry') return retryLater(db, row, result.reason, now, log)
  if (result.outcome === 'sent')
    return settle('webmention sent', { endpoint: result.endpoint, status: result.status })
  if (result.outcome === 'none')
    return settle('webmention not sent: nobody to tell', { reason: result.reason })
  settle('webmention not sent: given up', { reason: result.reason }, 'warn')
}

/**
 * Sends every Webmention due at `now`, a few targets at a time; returns how many rows it handled.
 * One sending's failure (a bug, say) is logged and rescheduled, never stops the rest.
 */
export async function sendDueWebmentions(
  db: Db,
  config: Config,
  options: { readonly now?: Date; readonly log: Log; readonly shouldStop?: () => boolean },
): Promise<number> {
  const { log } = options
  let handled = 0
  for (;;) {
    if (options.shouldStop?.() || !db.$client.open) return handled
    const now = options.now ?? new Date()
    const batch = dueSendings(db, now, BATCH)
    if (batch.length === 0) return handled
    await Promise.all(
      batch.map(async (row) => {
        try {
          await sendOne(db, config, row, now, log)
        } catch (err) {
          log.error({ err, source: row.sourceUrl, target: row.targetUrl }, 'webmention could not be sent')
          if (db.$client.open) retryLater(db, row, 'an error in Folio while sending', now, log)
        }
      }),
    )
    handled += batch.length
  }
}

/** Runs the loop on the primary only: a LiteFS replica neither fetches nor writes. */
async function webmentionSender(
  app: FastifyInstance,
  options: { db: Db; config: Config; intervalMs?: number },
) {
  const { db, config } = options
  const loop: BackgroundLoop = createBackgroundLoop({
    run: async () => {
      const shouldStop = () => loop.stopping || isLiteFsReplica(config.databasePath)
      await sendDueWebmentions(db, config, { log: app.log, shouldStop })
    },
    onError: (err) => app.log.error({ err }, 'webmention sender could not read the queue'),
    intervalMs: options.intervalMs ?? INTERVAL_MS,
    shutdownWaitMs: SHUTDOWN_WAIT_MS,
  })
  app.decorate('webmentionSender', runWithApp(app, loop))
}

export default fp(webmentionSender, { name: 'webmention-sender' })
