// Owns the page cache's front door: the node:http server in front of Fastify that answers an exact cached URL itself.
import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import type { CountResponse } from '../features/stats/plugin.ts'
import type { PageCache } from './page-cache.ts'
import { logRequest } from './request-log.ts'

/** What the front door needs once the app is built. */
export interface FrontDoorParts {
  readonly log: FastifyBaseLogger
  readonly pageCache: PageCache
  readonly countResponse: CountResponse
  readonly nextRequestId: () => string
  /** Shutdown began: graceful-close answers from Fastify's hooks. */
  readonly isClosing: () => boolean
  /** URLs that must reach Fastify's hooks whatever is cached (an imported blog's old permalinks). */
  readonly passThrough: (url: string) => boolean
}

/** The options Fastify has filled in by the time it calls a server factory. */
interface ServerSettings {
  readonly http?: ServerOptions
  readonly keepAliveTimeout?: number
  readonly requestTimeout?: number
  readonly connectionTimeout?: number
  readonly maxRequestsPerSocket?: number
}

/**
 * A page-cache hit through Fastify still pays for routing, a Request and Reply, and its hook
 * chain: a third of what a bare server answers. The front door answers a GET or HEAD whose target
 * is exactly a stored key (so a URL Fastify rendered and stored; for one answered in HTML or JSON
 * by Accept, keyed the way its route keys it) before Fastify sees it, writes the same stored bytes and headers, and does the same
 * bookkeeping (the request log line, the stats' count). Everything else — a miss, made-up query
 * parameters, shutdown, inject in tests — goes through Fastify, whose page-cache hook is the
 * second door.
 */
export function createFrontDoor() {
  let parts: FrontDoorParts | undefined

  function answer(req: IncomingMessage, res: ServerResponse): boolean {
    if (!parts || (req.method !== 'GET' && req.method !== 'HEAD')) return false
    const url = req.url ?? ''
    if (parts.passThrough(url) || parts.isClosing()) return false
    const start = performance.now()
    const entry = parts.pageCache.exact(req)
    if (!entry) return false
    const status = parts.pageCache.write(req, res, entry)
    logRequest(parts.log, req, status, performance.now() - start, parts.nextRequestId())
    parts.countResponse(req, status, () => entry.contentType)
    return true
  }

  return {
    /** For Fastify's `serverFactory`: the server Fastify would make (same timeouts), front door first. */
    serverFactory(handler: (req: IncomingMessage, res: ServerResponse) => void, options: ServerSettings) {
      const server = createServer(options.http ?? {}, (req, res) => {
        if (!answer(req, res)) handler(req, res)
      })
      if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout
      if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout
      if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout)
      if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket
      return server
    },
    /** Opens the door once the page cache, the stats and graceful-close exist. */
    open(ready: FrontDoorParts): void {
      parts = ready
    },
  }
}
