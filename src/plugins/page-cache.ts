// Owns the in-memory cache of rendered public responses, kept exact by SQLite's own change counters.
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import type { Db } from '../db/client.ts'

interface Entry {
  readonly body: Buffer
  readonly contentType: string
  readonly etag: string
  readonly cacheControl: string
  br?: Buffer
  gzip?: Buffer
}

declare module 'fastify' {
  interface FastifyRequest {
    pageCacheKey?: string
  }
}

/** Entries never outlive this, whatever else happens (the footer's year, say). */
const MAX_AGE_MS = 5 * 60 * 1000

/**
 * A public page depends only on the database and the clock. The database side is watched with
 * `data_version` (bumped by commits from other connections: the CLI, LiteFS replication) and
 * `total_changes()` (this connection's own writes); the clock side with the time the next
 * scheduled post goes live. Either one moving empties the cache, so it is never stale.
 * Nothing here writes to the database: GET stays read-only.
 */
export function createPageCache(db: Db, options: { maxBytes?: number } = {}) {
  const cache = new LRUCache<string, Entry>({
    maxSize: options.maxBytes ?? 32 * 1024 * 1024,
    sizeCalculation: (entry) => entry.body.length * 2 + 256,
  })
  const versionStatement = db.$client
    .prepare('select (select data_version from pragma_data_version) as data, total_changes() as own')
    .raw(true)
  const nextPublishStatement = db.$client
    .prepare("select min(published_at) from posts where status != 'draft' and published_at > ?")
    .pluck()
  let version = ''
  let validUntil = 0

  function fresh(now: number): void {
    const [data, own] = versionStatement.get() as [number, number]
    const current = `${data}:${own}`
    if (current === version && now < validUntil) return
    cache.clear()
    version = current
    const next = nextPublishStatement.get(now) as number | null
    validUntil = Math.min(now + MAX_AGE_MS, next ?? Number.POSITIVE_INFINITY)
  }

  function sendEntry(request: FastifyRequest, reply: FastifyReply, entry: Entry): FastifyReply {
    reply
      .header('content-type', entry.contentType)
      .header('etag', entry.etag)
      .header('cache-control', entry.cacheControl)
      .header('vary', 'accept-encoding')
    const match = request.headers['if-none-match']
    if (match && (match === entry.etag || match === `W/${entry.etag}`)) return reply.code(304).send()
    const accepts = String(request.headers['accept-encoding'] ?? '')
    if (entry.body.length > 1024 && /\bbr\b/.test(accepts)) {
      entry.br ??= brotliCompressSync(entry.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } })
      return reply.header('content-encoding', 'br').send(entry.br)
    }
    if (entry.body.length > 1024 && /\bgzip\b/.test(accepts)) {
      entry.gzip ??= gzipSync(entry.body, { level: 9 })
      return reply.header('content-encoding', 'gzip').send(entry.gzip)
    }
    return reply.send(entry.body)
  }

  /** Hooks for an encapsulated plugin whose GET routes render only public data. */
  function install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return
      fresh(Date.now())
      const key = request.url
      const entry = cache.get(key)
      if (entry) return sendEntry(request, reply, entry)
      request.pageCacheKey = key
    })

    app.addHook('onSend', async (request, reply, payload) => {
      const key = request.pageCacheKey
      if (!key || reply.statusCode !== 200 || request.method !== 'GET') return payload
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
      const etag = reply.getHeader('etag')
      const contentType = reply.getHeader('content-type')
      const cacheControl = reply.getHeader('cache-control')
      if (typeof etag !== 'string' || typeof contentType !== 'string' || typeof cacheControl !== 'string')
        return payload
      cache.set(key, { body: Buffer.from(payload), contentType, etag, cacheControl })
      return payload
    })
  }

  return {
    install,
    clear: () => cache.clear(),
    get size() {
      return cache.size
    },
  }
}
