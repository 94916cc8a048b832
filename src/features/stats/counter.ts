// Owns the stats service: what each response or beacon adds to the in-memory counts, and the flush that writes them (or, on a replica, forwards them).
import type { IncomingHttpHeaders } from 'node:http'
import { LRUCache } from 'lru-cache'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { isLiteFsReplica, recordStorageFailure } from '../../db/storage-health.ts'
import { absoluteUrl, STATS_BATCH_PATH } from '../../lib/urls.ts'
import { loadOrCreateSecret } from '../auth/secrets.ts'
import { FEED_PATHS } from '../feeds/build.ts'
import { getSettings } from '../settings/service.ts'
import { audienceOf, header, isHtml, pagePath, queryOf } from './classify.ts'
import { batchIsEmpty, createCollector, DEFAULT_MAX_KEYS, type StatsBatch } from './collector.ts'
import { siteDayNumber } from './days.ts'
import { feedReader } from './feed-readers.ts'
import {
  createStatsWriter,
  DEFAULT_LIMITS,
  type StatsLimits,
  StatsWriteError,
  type StatsWriter,
} from './flush.ts'
import { FORWARDING_SECRET, forwardBatch, type ReceivedBatch, receiveBatch } from './forwarding.ts'
import { createSourceGate, DEFAULT_SOURCE_GATE, type SourceGateLimits } from './source-gate.ts'
import { campaignOf, normalizeHost, reduceReferrer } from './sources.ts'
import { createSaltKeeper, createVisitorHasher } from './visitor.ts'

/** What a response or beacon request tells the counter; read from Fastify's request and reply by the plugin. */
export interface RequestFacts {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly ip: string
}

export interface ResponseFacts extends RequestFacts {
  readonly status: number
  /** Read only when the rest says the response might count. */
  readonly contentType: () => string
}

export interface StatsTuning {
  /** The clock: which day a view is filed under, when the salt turns. For tests. */
  readonly now?: () => Date
  /** How often counts are written. A `kill -9` loses at most this much counting (30 s by default). */
  readonly flushIntervalMs?: number
  /** Distinct keys held in memory between flushes. */
  readonly maxKeys?: number
  readonly limits?: StatsLimits
  /** How many new referrer and campaign values one network may bring in a day. */
  readonly sourceGate?: SourceGateLimits
}

export interface StatsOptions extends StatsTuning {
  readonly db: Db
  readonly config: Config
}

interface Log {
  debug(details: object, message: string): void
  info(details: object, message: string): void
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

/** Where counts go: the primary writes them; a LiteFS replica forwards them; a read-only file drops them. */
export type StatsRole = 'primary' | 'replica' | 'read-only'

export const DEFAULT_FLUSH_INTERVAL_MS = 30_000

const FEEDS: ReadonlySet<string> = new Set(Object.values(FEED_PATHS))

/** Settings are read at most this often while counting: a view must cost a few microseconds. */
const SETTINGS_EVERY_MS = 1_000

export function createStatsCounter(options: StatsOptions, log: Log) {
  const { db, config } = options
  const now = options.now ?? (() => new Date())
  /** Decided again at each flush and batch: a LiteFS replica may become the primary, and back. */
  const roleNow = (): StatsRole =>
    isLiteFsReplica(config.databasePath) ? 'replica' : db.$client.readonly ? 'read-only' : 'primary'
  let known = { at: Number.NEGATIVE_INFINITY, timeZone: 'UTC', beacon: false }
  /** The timezone and beacon setting, read again once a second at most (a saved change shows within it). */
  const settings = () => {
    const at = performance.now()
    if (at - known.at >= SETTINGS_EVERY_MS) {
      const { timezone, statsBeacon } = getSettings(db)
      known = { at, timeZone: timezone, beacon: statsBeacon }
    }
    return known
  }
  // Days turn on a whole minute in every timezone, so the day is worked out once a minute.
  let lastDay = { timeZone: '', minute: Number.NaN, day: 0 }
  const dayAt = (at: Date): number => {
    const { timeZone } = settings()
    const minute = Math.floor(at.getTime() / 60_000)
    if (minute !== lastDay.minute || timeZone !== lastDay.timeZone)
      lastDay = { timeZone, minute, day: siteDayNumber(timeZone, at) }
    return lastDay.day
  }
  const collector = createCollector({ maxKeys: options.maxKeys ?? DEFAULT_MAX_KEYS })
  const keeper = createSaltKeeper(db, dayAt(now()))
  const gate = createSourceGate(options.sourceGate ?? DEFAULT_SOURCE_GATE)
  // Made at the first flush as the primary (never in a request), dropped when it stops being it.
  let writer: StatsWriter | undefined
  // Made on the primary's first start (a write at start-up, never in a request); replicas find it
  // replicated; a replica promoted later reads it at its first flush as the primary.
  let secret = roleNow() === 'primary' ? loadOrCreateSecret(db, FORWARDING_SECRET) : undefined
  const siteHost = normalizeHost(new URL(config.siteUrl).hostname)
  const siteOrigin = new URL(config.siteUrl).origin
  const seenBatches = new Map<string, number>()
  const hashVisitor = createVisitorHasher(config.siteUrl)
  /** Reduced referrers by Host and Referer ('' for none): a link is followed by many readers. */
  const referrers = new LRUCache<string, string>({
    maxSize: 2 * 1024 * 1024,
    sizeCalculation: (_v, key) => key.length + 64,
  })
  let warnedReadOnly = false
  /** A batch that failed to be written once goes back for one more try; this is it, if so. */
  let retried = false

  /** This site's own hosts: its configured one, and the one the request came to (a fly.dev name, say). */
  const ownHosts = (headers: IncomingHttpHeaders): string[] => {
    const host = header(headers, 'host').replace(/:\d+$/, '')
    return host ? [siteHost, normalizeHost(host)] : [siteHost]
  }

  /** Where a reader came from, if not from this site (the common case, told without parsing the URL). */
  function referrerOf(headers: IncomingHttpHeaders): string | undefined {
    const referer = header(headers, 'referer')
    if (!referer || referer === siteOrigin || referer.startsWith(`${siteOrigin}/`)) return undefined
    const key = `${header(headers, 'host')}\n${referer}`
    const known = referrers.get(key)
    if (known !== undefined) return known || undefined
    const reduced = reduceReferrer(referer, ownHosts(headers))
    referrers.set(key, reduced ?? '')
    return reduced
  }

  /** A source value counts if someone brought it already today, or its network has not brought too many new ones. */
  const gated = (day: number, ip: string, kind: string, value: string | undefined) =>
    value !== undefined && gate.allows(day, ip, `${kind} ${value}`) ? value : undefined

  const visitorOf = (day: number, facts: RequestFacts): string =>
    hashVisitor(keeper.saltFor(day), facts.ip, header(facts.headers, 'user-agent'))

  /** A reader's view of `path`; `sources` adds its referrer and campaign (a beacon knows neither). */
  function countView(facts: RequestFacts, path: string, sources: boolean): void {
    const audience = audienceOf(facts.headers)
    if (audience === 'skip') return
    const day = dayAt(now())
    if (audience === 'bot') {
      collector.bot(day)
      return
    }
    collector.view({
      day,
      path,
      visitor: visitorOf(day, facts),
      ...(sources
        ? {
            referrer: gated(day, facts.ip, 'r', referrerOf(facts.headers)),
            campaign: gated(day, facts.ip, 'c', campaignOf(queryOf(facts.url))),
          }
        : {}),
    })
  }

  async function forward(batch: Parameters<typeof forwardBatch>[0]): Promise<void> {
    let key: string
    try {
      key = loadOrCreateSecret(db, FORWARDING_SECRET)
    } catch (err) {
      log.warn({ err }, 'stats: the forwarding secret is not on this replica yet; these counts are dropped')
      return
    }
    const failures = await forwardBatch(batch, {
      url: absoluteUrl(config.siteUrl, STATS_BATCH_PATH),
      secret: key,
      now,
    })
    if (failures.length > 0)
      log.warn({ failures }, 'stats: counts could not be forwarded to the primary and were dropped')
  }

  /** Writes on the primary; a failed batch is put back once, and dropped if it fails again. */
  async function store(batch: StatsBatch, today: number): Promise<void> {
    writer ??= createStatsWriter(db, options.limits ?? DEFAULT_LIMITS)
    try {
      const outcome = await writer.write(batch, keeper.current(), today)
      retried = false
      if (outcome.saltStored) keeper.markStored()
      if (outcome.capped > 0)
        log.warn(
          { capped: outcome.capped },
          'stats: daily limits reached; some counts were filed under (other)',
        )
      if (outcome.wrote) log.debug({ views: batch.days.reduce((n, d) => n + d[1], 0) }, 'stats: flushed')
    } catch (err) {
      const cause = err instanceof StatsWriteError ? err.cause : err
      recordStorageFailure(db, cause)
      if (!retried && err instanceof StatsWriteError) {
        retried = true
        collector.merge(err.unwritten)
        log.error({ err: cause }, 'stats: the counts could not be written; trying again at the next flush')
      } else {
        retried = false
        log.error(
          { err: cause },
          'stats: the counts of the last interval could not be written and were dropped',
        )
      }
    }
  }

  /** One flush: never rejects (counts are not acknowledged data: a failure drops them and is logged). */
  async function flushOnce(): Promise<void> {
    const { batch, dropped } = collector.take()
    if (dropped > 0)
      log.warn(
        { dropped },
        'stats: too many distinct pages, sources or visitors at once; some counts were dropped',
      )
    // Closed under us (a test that closes its database first): there is nowhere to write.
    if (!db.$client.open) return
    try {
      const today = dayAt(now())
      keeper.saltFor(today)
      const role = roleNow()
      if (role !== 'primary') writer = undefined
      if (role === 'replica') {
        keeper.adoptStored(db)
        if (!batchIsEmpty(batch)) await forward(batch)
        return
      }
      if (role === 'read-only') {
        if (!batchIsEmpty(batch) && !warnedReadOnly) {
          warnedReadOnly = true
          log.warn({}, 'stats: the database is read-only, so page views are not being stored')
        }
        return
      }
      secret ??= loadOrCreateSecret(db, FORWARDING_SECRET)
      await store(batch, today)
    } catch (err) {
      recordStorageFailure(db, err)
      log.error({ err }, 'stats: the counts of the last interval could not be written and were dropped')
    }
  }

  let flushing: Promise<void> = Promise.resolve()

  return {
    /** Where counts go from this machine right now. */
    get role(): StatsRole {
      return roleNow()
    },
    /** A response went out: a page view, a bot's, a feed fetch, or nothing. Never throws on odd input. */
    recordResponse(facts: ResponseFacts): void {
      if (facts.method !== 'GET' || (facts.status !== 200 && facts.status !== 304)) return
      const path = pagePath(facts.url)
      if (!path) return
      if (FEEDS.has(path)) {
        const reader = feedReader(header(facts.headers, 'user-agent'))
        collector.feed(dayAt(now()), reader.name, reader.subscribers)
        return
      }
      if (facts.status !== 200 || !isHtml(facts.contentType())) return
      // With the beacon on, a reader's view is counted by the beacon (HTML may come from a CDN's cache).
      if (settings().beacon && audienceOf(facts.headers) === 'reader') return
      countView(facts, path, true)
    },
    /** The CSS beacon's image: a view of `path` (a checked public page); counted only while the beacon is on. */
    recordBeaconView(facts: RequestFacts, path: string): void {
      if (settings().beacon) countView(facts, path, false)
    },
    /** The end-of-article mark came into view: a read of `path`. Bots and the author are not counted. */
    recordRead(facts: RequestFacts, path: string): void {
      if (audienceOf(facts.headers) !== 'reader') return
      collector.read(dayAt(now()), path)
    },
    /** A replica's signed batch, checked and merged into the next flush. Only the primary takes them. */
    receive(body: Buffer, signature: string | undefined): ReceivedBatch {
      if (roleNow() !== 'primary')
        return { ok: false, status: 409, message: 'This machine is not the primary.' }
      // A POST, so reading (or on a fresh primary, making) the secret here is allowed.
      secret ??= loadOrCreateSecret(db, FORWARDING_SECRET)
      const at = now()
      const received = receiveBatch(body, signature, { secret, now: at, today: dayAt(at), seen: seenBatches })
      if (received.ok) collector.merge(received.batch)
      return received
    },
    /** Writes (or forwards) what was counted so far; one flush at a time. */
    flush(): Promise<void> {
      flushing = flushing.then(flushOnce)
      return flushing
    },
    flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    now,
  }
}

export type StatsCounter = ReturnType<typeof createStatsCounter>
