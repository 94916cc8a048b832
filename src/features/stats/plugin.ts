// Owns counting page views for the built-in stats: one counting function for both doors (Fastify's onResponse and the page cache's front door), feeding memory flushed in the background and on close.
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createStatsCounter, type StatsCounter, type StatsOptions } from './counter.ts'

export type { StatsTuning } from './counter.ts'

/** Counts one answered request from what Node holds (the front door has no Fastify request). */
export type CountResponse = (req: IncomingMessage, status: number, contentType: () => string) => void

declare module 'fastify' {
  interface FastifyInstance {
    /** The stats counter: `flush()` writes what was counted so far (tests, shutdown); the /hit routes feed it. */
    stats: StatsCounter
    countResponse: CountResponse
  }
}

/**
 * The visitor's address as Fastify's `request.ip` gives it with `trustProxy` set to a hop count:
 * the socket's address, then X-Forwarded-For read from the right, believing `hops` entries at most.
 */
export function clientAddress(req: IncomingMessage, hops: number): string {
  const socket = req.socket.remoteAddress ?? ''
  const header = req.headers['x-forwarded-for']
  if (hops === 0 || typeof header !== 'string') return socket
  const forwarded = header
    .split(',')
    .map((part) => part.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((part) => part.length > 0)
  if (forwarded.length === 0) return socket
  return forwarded[Math.max(forwarded.length - hops, 0)] ?? socket
}

/**
 * A request never writes: each response adds to counts in memory, and a flush every
 * `flushIntervalMs` (and one as the app starts and as it closes) writes them in short transactions.
 * Responses through Fastify are counted in onResponse (page-cache hits it answered included); the
 * page cache's front door calls `countResponse` itself, so both follow the same rules.
 */
export default fp(
  async function stats(app: FastifyInstance, options: StatsOptions) {
    const counter = createStatsCounter(options, app.log)
    app.decorate('stats', counter)

    const countResponse: CountResponse = (req, status, contentType) => {
      try {
        counter.recordResponse({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          ip: clientAddress(req, options.config.trustProxy),
          status,
          contentType,
        })
      } catch (err) {
        app.log.warn({ err }, 'stats: a response could not be counted')
      }
    }
    app.decorate('countResponse', countResponse)

    app.addHook('onResponse', (request, reply, done) => {
      countResponse(
        request.raw,
        reply.raw.statusCode,
        // A page-cache hit went out through writeHead alone: the cache says what it sent.
        () => request.pageCacheContentType ?? String(reply.getHeader('content-type') ?? ''),
      )
      done()
    })

    let timer: NodeJS.Timeout | undefined
    app.addHook('onReady', async () => {
      // At once, not in 30 s: a machine that slept past midnight destroys yesterday's salt on waking.
      await counter.flush()
      timer = setInterval(() => void counter.flush(), counter.flushIntervalMs)
      timer.unref()
    })
    app.addHook('onClose', async () => {
      clearInterval(timer)
      await counter.flush()
    })
  },
  { name: 'stats' },
)
