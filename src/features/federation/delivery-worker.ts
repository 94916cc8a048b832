// Owns sending queued activities off the request path: the reconcile that queues them, signed POSTs a few inboxes at a time, retries and give-ups; one loop started and stopped with the app.
import { asc, eq, lte, or } from 'drizzle-orm'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config.ts'
import { watchChanges } from '../../db/change-watch.ts'
import type { Db } from '../../db/client.ts'
import { type Delivery, deliveries, followers } from '../../db/schema.ts'
import { isLiteFsReplica } from '../../db/storage-health.ts'
import {
  type BackgroundLoop,
  createBackgroundLoop,
  runWithApp,
  type WorkerHandle,
} from '../../lib/background-loop.ts'
import { FetchRefusedError, FINAL_REFUSALS, safeFetch } from '../../lib/safe-fetch.ts'
import { ACTOR_KEY_PATH, absoluteUrl } from '../../lib/urls.ts'
import { userAgent } from '../../lib/user-agent.ts'
import { nextScheduledAfter } from '../content/visibility.ts'
import { ACTIVITY_JSON } from './activities.ts'
import { actorKeyPair } from './keys.ts'
import { signRequest } from './signatures.ts'
import { reconcileActor, reconcileSyndication } from './syndication.ts'

const MINUTE = 60 * 1000
/** The wait after each failed attempt (about two days in all); after the last one the delivery is given up. */
export const DELIVERY_RETRY_DELAYS_MS = [1, 5, 30, 120, 360, 720, 1440].map((minutes) => minutes * MINUTE)
/** Deliveries in flight at once, never two to one host: a slow server holds up only its own. */
const CONCURRENCY = 4
/** Due rows looked at to pick the next one from; enough to find a host not already in flight. */
const LOOKAHEAD = 50
const INTERVAL_MS = 2000
const SHUTDOWN_WAIT_MS = 5000
/** How often every post since joining is compared, not only those whose rows say they changed. */
const FULL_PASS_INTERVAL_MS = 10 * 60 * 1000
const TIMEOUT_MS = 10_000
/** Inboxes answer with an empty body or a short error; nothing in it is read. */
const MAX_RESPONSE_BYTES = 64 * 1024

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>

declare module 'fastify' {
  interface FastifyInstance {
    /** The ActivityPub delivery worker: `wake()` after queueing, `drain()` to reconcile and send everything due now. */
    deliveries: WorkerHandle
  }
}

export interface DeliveryWorkerOptions {
  readonly db: Db
  readonly config: Config
  readonly intervalMs?: number
  /** The clock: tests move it to make retries and scheduled posts come due without waiting. */
  readonly now?: () => Date
}

type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: number }
  | { kind: 'rejected'; status: number; reason?: string }
  | { kind: 'retry'; reason: string }

/** What an inbox's answer means for the delivery (the plan in ADR 0011). */
function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status }
  if (status === 410) return { kind: 'gone', status }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'rejected', status }
  return { kind: 'retry', reason: `the inbox answered ${status}` }
}

const hostOf = (url: string): string => (URL.canParse(url) ? new URL(url).host : url)

/** A due row without its body: the lookahead reads fifty of these on every send, an article each. */
type DueDelivery = Omit<Delivery, 'body'>

/** Due rows, oldest first. One process sends (the primary), so reading is claiming. */
const dueDeliveries = (db: Db, now: Date): DueDelivery[] =>
  db
    .select({
      id: deliveries.id,
      inboxUrl: deliveries.inboxUrl,
      activityId: deliveries.activityId,
      attempts: deliveries.attempts,
      nextAttemptAt: deliveries.nextAttemptAt,
      lastError: deliveries.lastError,
      createdAt: deliveries.createdAt,
    })
    .from(deliveries)
    .where(lte(deliveries.nextAttemptAt, now))
    .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.id))
    .limit(LOOKAHEAD)
    .all()

/** POSTs one activity, signed as the blog's actor; returns what happened without throwing. */
async function post(row: Delivery, config: Config, privateKeyPem: string, now: Date): Promise<Outcome> {
  try {
    const headers = signRequest({
      method: 'POST',
      url: row.inboxUrl,
      headers: {
        'content-type': ACTIVITY_JSON,
        accept: ACTIVITY_JSON,
        'user-agent': userAgent(config.siteUrl),
      },
      body: row.body,
      keyId: absoluteUrl(config.siteUrl, ACTOR_KEY_PATH),
      privateKeyPem,
      now,
    })
    const response = await safeFetch(row.inboxUrl, {
      method: 'POST',
      headers,
      body: row.body,
      allowPrivate: config.fetchAllowPrivate,
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_RESPONSE_BYTES,
      // A signature covers one host and path: an inbox that redirects cannot take it.
      maxRedirects: 0,
    })
    return outcomeOf(response.status)
  } catch (err) {
    // An inbox on a private address, say, will not become deliverable by waiting.
    if (err instanceof FetchRefusedError)
      return FINAL_REFUSALS.has(err.code)
        ? { kind: 'rejected', status: 0, reason: err.reason }
        : { kind: 'retry', reason: err.reason }
    return { kind: 'retry', reason: err instanceof Error ? err.message : String(err) }
  }
}

/** Records what happened to one delivery: the row ends, or waits for its next attempt. */
function settle(db: Db, row: DueDelivery, outcome: Outcome, now: Date, log: Log): void {
  const where = {
    deliveryId: row.id,
    inbox: row.inboxUrl,
    activityId: row.activityId,
    attempts: row.attempts + 1,
  }
  if (outcome.kind === 'delivered') {
    db.delete(deliveries).where(eq(deliveries.id, row.id)).run()
    log.info({ ...where, status: outcome.status }, 'activity delivered')
    return
  }
  if (outcome.kind === 'gone') {
    // 410: the account (or the whole server) is gone for good; nothing more goes there.
    const removed = db.transaction((tx) => {
      tx.delete(deliveries).where(eq(deliveries.inboxUrl, row.inboxUrl)).run()
      return tx
        .delete(followers)
        .where(or(eq(followers.inboxUrl, row.inboxUrl), eq(followers.sharedInboxUrl, row.inboxUrl)))
        .run().changes
    })
    log.warn(
      { ...where, status: outcome.status, followersRemoved: removed },
      'inbox gone; its followers removed',
    )
    return
  }
  if (outcome.kind === 'rejected') {
    db.delete(deliveries).where(eq(deliveries.id, row.id)).run()
    log.warn({ ...where, status: outcome.status, reason: outcome.reason }, 'activity refused; given up')
    return
  }
  const attempts = row.attempts + 1
  const delay = DELIVERY_RETRY_DELAYS_MS[attempts - 1]
  if (delay === undefined) {
    db.delete(deliveries).where(eq(deliveries.id, row.id)).run()
    log.warn({ ...where, reason: outcome.reason }, 'activity not delivered after two days; given up')
    return
  }
  db.update(deliveries)
    .set({
      attempts,
      lastError: outcome.reason.slice(0, 500),
      nextAttemptAt: new Date(now.getTime() + delay),
    })
    .where(eq(deliveries.id, row.id))
    .run()
  log.info({ ...where, reason: outcome.reason }, 'activity not delivered; will retry')
}

/**
 * Sends every delivery due at `now()`, up to CONCURRENCY at once and one per host at a time.
 * Each slot takes the oldest due row whose host is free; a row is tried once per pass.
 */
export async function sendDueDeliveries(
  db: Db,
  config: Config,
  options: { readonly now: () => Date; readonly log: Log; readonly shouldStop: () => boolean },
): Promise<void> {
  const keys = actorKeyPair(db)
  if (!keys) return
  const busyHosts = new Set<string>()
  const tried = new Set<number>()
  const next = (now: Date): DueDelivery | undefined =>
    dueDeliveries(db, now).find((row) => !tried.has(row.id) && !busyHosts.has(hostOf(row.inboxUrl)))

  const slot = async () => {
    for (;;) {
      if (options.shouldStop() || !db.$client.open) return
      const now = options.now()
      const row = next(now)
      if (!row) return
      const host = hostOf(row.inboxUrl)
      tried.add(row.id)
      busyHosts.add(host)
      try {
        // Read now, not with the lookahead; gone meanwhile (a 410 for its inbox), nothing to send.
        const body = db
          .select({ body: deliveries.body })
          .from(deliveries)
          .where(eq(deliveries.id, row.id))
          .get()
        if (!body) continue
        const outcome = await post({ ...row, ...body }, config, keys.privateKeyPem, now)
        if (!db.$client.open) return
        settle(db, row, outcome, options.now(), options.log)
      } catch (err) {
        options.log.error({ err, deliveryId: row.id }, 'delivery could not be recorded')
      } finally {
        busyHosts.delete(host)
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, slot))
}

/** Runs on the primary only: a LiteFS replica neither reconciles nor sends. */
async function deliveryWorker(app: FastifyInstance, options: DeliveryWorkerOptions) {
  const { db, config } = options
  const now = options.now ?? (() => new Date())
  const dbVersion = watchChanges(db)
  let reconciledAt: string | undefined
  let nextScheduled: number | null = null
  let fullPassAt = Number.NEGATIVE_INFINITY

  /**
   * Reconciles only when something could have changed: a write, or a scheduled post's time. Most
   * passes look only at the posts their rows point at; a full one, at start and every few
   * minutes, also catches what changes a post without touching it (a renamed tag, say).
   */
  const reconcileIfDue = async () => {
    const at = now()
    const full = at.getTime() - fullPassAt >= FULL_PASS_INTERVAL_MS
    const version = dbVersion()
    if (!full && version === reconciledAt && (nextScheduled === null || nextScheduled > at.getTime())) return
    const result = await reconcileSyndication(db, config.siteUrl, at, {
      full,
      onError: (postId, err) => app.log.error({ err, postId }, 'post could not be syndicated'),
    })
    if (reconcileActor(db, config.siteUrl, at)) app.log.info('profile update queued for followers')
    // Our own writes move the version too, which costs one more (idle) reconcile, never a missed one.
    reconciledAt = version
    if (full) fullPassAt = at.getTime()
    nextScheduled = nextScheduledAfter(db, at.getTime())
    if (result.created + result.updated + result.deleted > 0) app.log.info(result, 'posts syndicated')
  }

  const loop: BackgroundLoop = createBackgroundLoop({
    run: async () => {
      const shouldStop = () => loop.stopping || !db.$client.open || isLiteFsReplica(config.databasePath)
      if (shouldStop()) return
      await reconcileIfDue()
      await sendDueDeliveries(db, config, { now, log: app.log, shouldStop })
    },
    onError: (err) => app.log.error({ err }, 'delivery worker could not read the queue'),
    intervalMs: options.intervalMs ?? INTERVAL_MS,
    shutdownWaitMs: SHUTDOWN_WAIT_MS,
  })
  // wake() sends after the current request has been answered: nothing is sent inside one.
  app.decorate('deliveries', runWithApp(app, loop))
}

export default fp(deliveryWorker, { name: 'delivery-worker' })
