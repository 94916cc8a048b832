// Owns counting page views for the built-in stats: an onResponse hook (page-cache hits included) feeding memory, flushed in the background and on close.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createStatsCounter, type StatsCounter, type StatsOptions } from './counter.ts'

export type { StatsTuning } from './counter.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The stats counter: `flush()` writes what was counted so far (tests, shutdown); the /hit routes feed it. */
    stats: StatsCounter
  }
}

/**
 * A request never writes: each response adds to counts in memory, and a flush every
 * `flushIntervalMs` (and one as the app starts and as it closes) writes them in short transactions. The hook runs in
 * onResponse, which Fastify runs for page-cache hits too (they are hijacked in onRequest).
 */
export default fp(
  async function stats(app: FastifyInstance, options: StatsOptions) {
    const counter = createStatsCounter(options, app.log)
    app.decorate('stats', counter)

    app.addHook('onResponse', (request, reply, done) => {
      try {
        counter.recordResponse({
          method: request.method,
          url: request.url,
          headers: request.headers,
          ip: request.ip,
          status: reply.raw.statusCode,
          // A page-cache hit went out through writeHead alone: the cache says what it sent.
          contentType: () => request.pageCacheContentType ?? String(reply.getHeader('content-type') ?? ''),
        })
      } catch (err) {
        request.log.warn({ err }, 'stats: a response could not be counted')
      }
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
