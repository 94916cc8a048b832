// Owns the in-memory cache of rendered public responses, kept exact by SQLite's own change counters.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { LRUCache } from 'lru-cache'
import { watchChanges } from '../db/change-watch.ts'
import type { Db } from '../db/client.ts'
import { createEntry, type Entry, entrySize, writeEntry } from './page-cache-entry.ts'

declare module 'fastify' {
  interface FastifyRequest {
    pageCacheKey?: string
    /**
     * Set when the page cache answered: the Content-Type it sent. A hit is written with
     * writeHead alone, which Node does not keep for getHeader, so this is how later hooks (the
     * stats' counting) learn what went out.
     */
    pageCacheContentType?: string
  }
  interface FastifyInstance {
    /** The page cache itself: its size and bound, for the operator's checks and tests. */
    pageCache: PageCache
  }
  interface FastifyContextConfig {
    /** Set on every route of the public site: its GET responses may come from the page cache. */
    pageCache?: boolean
    /** The query parameters a cached route reads; any others are left out of its cache key. */
    pageCacheQuery?: readonly string[]
    /**
     * For a route that answers one URL in more than one representation (HTML, or ActivityPub JSON
     * by Accept): which one this request gets. Each is cached apart, and says what it varies on.
     */
    pageCacheVariant?(request: { readonly headers: IncomingMessage['headers'] }): string
  }
}

/**
 * The cache key: the path, plus only the query parameters the route reads (in a fixed order).
 * `/?utm_source=x` and `/?x=1`, `/?x=2`… are then one entry, so made-up parameters can neither
 * fill the cache nor make every request render the page afresh.
 */
export function pageCacheKey(url: string, queryKeys: readonly string[] = []): string {
  const mark = url.indexOf('?')
  if (mark === -1) return url
  const path = url.slice(0, mark)
  if (queryKeys.length === 0) return path
  const params = new URLSearchParams(url.slice(mark + 1))
  const kept = new URLSearchParams()
  for (const key of [...queryKeys].sort()) for (const value of params.getAll(key)) kept.append(key, value)
  const query = kept.toString()
  return query ? `${path}?${query}` : path
}

/** A representation's key: the URL's, then a line no request target can hold. */
const variantKey = (key: string, variant: string | undefined): string =>
  variant === undefined ? key : `${key}\n${variant}`

/** What a replayed entry varies on: what the first response said, and always the encoding, which the replay picks. */
function replayedVary(stored: string | string[] | undefined): string {
  const names = (Array.isArray(stored) ? stored.join(',') : (stored ?? ''))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name && name.toLowerCase() !== 'accept-encoding')
  return [...names, 'accept-encoding'].join(', ')
}

/** How many negotiated URLs the front door remembers how to key. */
const MAX_VARIANT_URLS = 10_000

/** Entries never outlive this, whatever else happens (the footer's year, say). */
const MAX_AGE_MS = 5 * 60 * 1000

/** Headers that belong to one response only, never replayed from the cache. */
const PER_RESPONSE = new Set([
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'date',
  'connection',
  'keep-alive',
])

export interface PageCacheOptions {
  /** The byte bound (PAGE_CACHE_MB); 0 turns the cache off: every page is rendered afresh. */
  readonly maxBytes: number
  /** When the next scheduled post goes live after `now` (ms), or null: the clock side of freshness. */
  readonly nextChangeAfter: (now: number) => number | null
}

export type PageCache = ReturnType<typeof createPageCache>

/**
 * A public page depends only on the database and the clock. The database side is watched with
 * `data_version` (bumped by commits from other connections: the CLI, LiteFS replication) and
 * `total_changes()` (this connection's own writes); the clock side with the time the next
 * scheduled post goes live. Either one moving empties the cache, so it is never stale.
 * Nothing here writes to the database: GET stays read-only.
 */
export function createPageCache(db: Db, options: PageCacheOptions) {
  const enabled = options.maxBytes > 0
  const cache = new LRUCache<string, Entry>({
    maxSize: Math.max(options.maxBytes, 1),
    sizeCalculation: entrySize,
  })
  /**
   * URLs whose route picks a representation by header (HTML or ActivityPub JSON by Accept), with
   * how it picks: the front door then finds their entries too. Only a hint (a URL missing from it
   * goes through Fastify), emptied with the cache and kept small.
   */
  const variantOf = new Map<string, (request: { readonly headers: IncomingMessage['headers'] }) => string>()
  const databaseVersion = watchChanges(db)
  let version = ''
  let validUntil = 0
  let checkedThisTurn = false
  const nextTurn = () => {
    checkedThisTurn = false
  }

  /**
   * Whether the cache still holds. The front door (`onceThisTurn`) asks SQLite at most once per
   * event-loop turn, and that is never stale for requests that came over a socket: Node reads the
   * sockets epoll reported ready, then runs their requests, all in one turn, and the first request
   * of the turn asks. Every request handled later in that turn was already arriving when epoll
   * returned, before the check: a commit by another connection (the CLI, a replica) that finished
   * before such a request was sent finished before the check, so the check saw it. A write by this
   * process later in the same turn (a POST handled after the check) cannot have been seen by the
   * client of a GET in that turn either: the POST's response leaves when the turn ends, and a
   * request sent after it arrives in a later turn, which asks again. Requests made in-process
   * (inject) do not follow that order, so the Fastify door asks every time.
   */
  function fresh(now: number, onceThisTurn: boolean): void {
    if (onceThisTurn) {
      if (checkedThisTurn && now < validUntil) return
      if (!checkedThisTurn) setImmediate(nextTurn)
      checkedThisTurn = true
    }
    const current = databaseVersion()
    if (current === version && now < validUntil) return
    cache.clear()
    variantOf.clear()
    version = current
    const next = options.nextChangeAfter(now)
    validUntil = Math.min(now + MAX_AGE_MS, next ?? Number.POSITIVE_INFINITY)
  }

  /** Puts an entry grown by a compressed variant back, so its size is counted; unless it was dropped meanwhile. */
  function store(grown: Entry, from: Entry): void {
    if (cache.peek(grown.key) === from) cache.set(grown.key, grown)
  }

  return {
    /**
     * The front door's lookup (plugins/cached-page-server.ts): the entry stored under exactly this
     * request target (and, for a negotiated URL, the representation its route would pick), fresh.
     * Only URLs the Fastify path stored can match.
     */
    exact(req: IncomingMessage): Entry | undefined {
      if (!enabled) return undefined
      fresh(Date.now(), true)
      const url = req.url ?? ''
      const variant = variantOf.get(url)
      return cache.get(variant ? variantKey(url, variant(req)) : url)
    },

    write: (req: IncomingMessage, res: ServerResponse, entry: Entry): number =>
      writeEntry(req, res, entry, store),

    /**
     * Goes on the root instance before any other plugin but graceful-close, stats and the old-URL
     * redirects: a hit is written straight to the socket from the first hook, with the headers the
     * page was first sent with (security headers included), and skips everything else but
     * onResponse (the request log line and the stats' count). Requests the front door lets through
     * (inject, made-up query parameters, a representation chosen by Accept) are answered here.
     */
    serve(app: FastifyInstance): void {
      if (!enabled) return
      app.addHook('onRequest', (request, reply, done) => {
        const cacheable = request.routeOptions.config?.pageCache === true
        if (!cacheable || (request.method !== 'GET' && request.method !== 'HEAD')) return done()
        fresh(Date.now(), false)
        const { pageCacheQuery, pageCacheVariant } = request.routeOptions.config
        const key = variantKey(pageCacheKey(request.url, pageCacheQuery), pageCacheVariant?.(request))
        const entry = cache.get(key)
        if (!entry) {
          request.pageCacheKey = key
          return done()
        }
        reply.hijack()
        request.pageCacheContentType = entry.contentType
        writeEntry(request.raw, reply.raw, entry, store)
      })
    },

    /** Goes after the ETag and Cache-Control hooks, so a stored page carries both. */
    capture(app: FastifyInstance): void {
      if (!enabled) return
      app.addHook('onSend', async (request, reply, payload) => {
        const key = request.pageCacheKey
        if (!key || reply.statusCode !== 200 || request.method !== 'GET') return payload
        if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
        if (reply.hasHeader('set-cookie')) return payload
        const etag = reply.getHeader('etag')
        if (typeof etag !== 'string' || !reply.hasHeader('cache-control')) return payload
        const headers: Record<string, string | string[]> = {}
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value === undefined || PER_RESPONSE.has(name)) continue
          headers[name] = typeof value === 'number' ? String(value) : value
        }
        // Worked out once here rather than on every hit.
        headers.vary = replayedVary(headers.vary)
        cache.set(key, createEntry(key, Buffer.from(payload), headers, etag))
        const { pageCacheQuery, pageCacheVariant } = request.routeOptions.config
        // Only where the URL is its own key: made-up query parameters never reach the front door.
        if (pageCacheVariant && pageCacheKey(request.url, pageCacheQuery) === request.url) {
          if (variantOf.size >= MAX_VARIANT_URLS) variantOf.clear()
          variantOf.set(request.url, pageCacheVariant)
        }
        return payload
      })
    },

    /** Marks every route registered in `scope` as cacheable. */
    markScope(scope: FastifyInstance): void {
      scope.addHook('onRoute', (route) => {
        route.config = { ...(route.config ?? {}), pageCache: true }
      })
    },

    clear: () => cache.clear(),
    get size() {
      return cache.size
    },
    /** What the cache counts against its bound, and the bound. */
    get calculatedSize() {
      return cache.calculatedSize
    },
    maxBytes: options.maxBytes,
    /** The bytes of every body and variant held now, summed apart from the cache's own bookkeeping. */
    bytesHeld(): number {
      let total = 0
      for (const entry of cache.values())
        total += entry.body.length + (entry.br?.body.length ?? 0) + (entry.gzip?.body.length ?? 0)
      return total
    },
  }
}
