// Owns the in-memory cache of rendered public responses, kept exact by SQLite's own change counters.
import type { ServerResponse } from 'node:http'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { watchChanges } from '../db/change-watch.ts'
import type { Db } from '../db/client.ts'

interface Entry {
  readonly body: Buffer
  /** Every header the first response carried (security headers included), minus per-response ones; Vary as replayed. */
  readonly headers: Readonly<Record<string, string | string[]>>
  readonly etag: string
  br?: Buffer
  gzip?: Buffer
}

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
  interface FastifyContextConfig {
    /** Set on every route of the public site: its GET responses may come from the page cache. */
    pageCache?: boolean
    /** The query parameters a cached route reads; any others are left out of its cache key. */
    pageCacheQuery?: readonly string[]
    /**
     * For a route that answers one URL in more than one representation (HTML, or ActivityPub JSON
     * by Accept): which one this request gets. Each is cached apart, and says what it varies on.
     */
    pageCacheVariant?: (request: FastifyRequest) => string
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
  readonly maxBytes?: number
  /** When the next scheduled post goes live after `now` (ms), or null: the clock side of freshness. */
  readonly nextChangeAfter: (now: number) => number | null
}

/**
 * A public page depends only on the database and the clock. The database side is watched with
 * `data_version` (bumped by commits from other connections: the CLI, LiteFS replication) and
 * `total_changes()` (this connection's own writes); the clock side with the time the next
 * scheduled post goes live. Either one moving empties the cache, so it is never stale.
 * Nothing here writes to the database: GET stays read-only.
 */
export function createPageCache(db: Db, options: PageCacheOptions) {
  const cache = new LRUCache<string, Entry>({
    maxSize: options.maxBytes ?? 32 * 1024 * 1024,
    sizeCalculation: (entry) => entry.body.length * 2 + 1024,
  })
  const databaseVersion = watchChanges(db)
  let version = ''
  let validUntil = 0

  function fresh(now: number): void {
    const current = databaseVersion()
    if (current === version && now < validUntil) return
    cache.clear()
    version = current
    const next = options.nextChangeAfter(now)
    validUntil = Math.min(now + MAX_AGE_MS, next ?? Number.POSITIVE_INFINITY)
  }

  function writeEntry(request: FastifyRequest, res: ServerResponse, entry: Entry): void {
    const headers: Record<string, string | string[] | number> = { ...entry.headers }
    const match = request.headers['if-none-match']
    if (match && (match === entry.etag || match === `W/${entry.etag}`)) {
      res.writeHead(304, headers)
      res.end()
      return
    }
    let body = entry.body
    const accepts = String(request.headers['accept-encoding'] ?? '')
    if (entry.body.length > 1024 && /\bbr\b/.test(accepts)) {
      entry.br ??= brotliCompressSync(entry.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } })
      body = entry.br
      headers['content-encoding'] = 'br'
    } else if (entry.body.length > 1024 && /\bgzip\b/.test(accepts)) {
      entry.gzip ??= gzipSync(entry.body, { level: 9 })
      body = entry.gzip
      headers['content-encoding'] = 'gzip'
    }
    headers['content-length'] = body.length
    res.writeHead(200, headers)
    res.end(request.method === 'HEAD' ? undefined : body)
  }

  return {
    /**
     * Goes on the root instance before any other plugin: a hit is written straight to the socket
     * from the first hook, with the headers the page was first sent with (security headers
     * included), and skips everything else but the request log line (onResponse still runs).
     */
    serve(app: FastifyInstance): void {
      app.addHook('onRequest', (request, reply, done) => {
        const cacheable = request.routeOptions.config?.pageCache === true
        if (!cacheable || (request.method !== 'GET' && request.method !== 'HEAD')) return done()
        fresh(Date.now())
        const { pageCacheQuery, pageCacheVariant } = request.routeOptions.config
        const key = variantKey(pageCacheKey(request.url, pageCacheQuery), pageCacheVariant?.(request))
        const entry = cache.get(key)
        if (!entry) {
          request.pageCacheKey = key
          return done()
        }
        reply.hijack()
        const type = entry.headers['content-type']
        request.pageCacheContentType = Array.isArray(type) ? type.join(', ') : (type ?? '')
        writeEntry(request, reply.raw, entry)
      })
    },

    /** Goes after the ETag and Cache-Control hooks, so a stored page carries both. */
    capture(app: FastifyInstance): void {
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
        cache.set(key, { body: Buffer.from(payload), headers, etag })
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
  }
}
