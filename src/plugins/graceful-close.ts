// Owns stopping the HTTP server quickly on shutdown: answer or drop what is only waiting, finish real work.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { PLAIN_PAGE } from './error-pages.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** True once shutdown began: the page cache's front door then leaves every request to Fastify's hooks. */
    isClosing(): boolean
  }
}

/** Work already running gets this long to finish; then every connection is closed. */
export const DRAIN_MS = 5_000
/** A request body that sends nothing for this long during shutdown has stalled. */
const STALL_MS = 1_000

const UNAVAILABLE_PAGE = PLAIN_PAGE(
  'Restarting',
  'This site is restarting and could not take your request, so nothing was saved. Please try again in a few seconds.',
)

/** The 503 a request gets while the server stops: a page a person can read, and when to come back. */
function answerUnavailable(res: ServerResponse): void {
  if (res.headersSent) return
  res.writeHead(503, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(UNAVAILABLE_PAGE),
    'cache-control': 'no-store',
    'retry-after': '5',
    connection: 'close',
  })
  res.end(UNAVAILABLE_PAGE)
}

/**
 * Node's server.close() waits for every open connection, and counts as busy one that never sent a
 * request (a browser's preconnect) or whose body has stalled: one such socket held every shutdown
 * for the full grace period. On close, silent connections are dropped, stalled bodies answered 503
 * (nothing was acknowledged on either), requests that are running or still arriving finish with
 * `Connection: close`, and after DRAIN_MS whatever is left is closed.
 */
export default fp(
  async function gracefulClose(app: FastifyInstance) {
    let closing = false
    const current = new Map<Socket, { req: IncomingMessage; res: ServerResponse }>()
    const sockets = new Set<Socket>()
    app.decorate('isClosing', () => closing)

    app.server.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.once('close', () => {
        sockets.delete(socket)
        current.delete(socket)
      })
    })
    // The latest request per socket; one whose response has finished leaves the socket idle. (No
    // listener per response: this runs for every request, page-cache hits included.)
    app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      current.set(req.socket, { req, res })
    })

    // Before Fastify's own check, which would answer JSON (return503OnClosing is off in app.ts).
    app.addHook('onRequest', async (_request, reply) => {
      if (!closing) return
      reply.hijack()
      answerUnavailable(reply.raw)
    })

    app.addHook('onSend', async (_request, reply) => {
      if (closing) reply.header('connection', 'close')
    })

    /**
     * A body still arriving is let finish while bytes keep coming (a slow phone); one that has
     * stalled is answered 503 and closed. No handler has run for it, so nothing of it was saved.
     */
    function watchForStall(socket: Socket, req: IncomingMessage, res: ServerResponse): void {
      const timer = setTimeout(() => {
        socket.off('data', onData)
        if (req.complete || res.headersSent) return
        answerUnavailable(res)
        res.once('finish', () => socket.destroy())
      }, STALL_MS)
      const onData = () => timer.refresh()
      socket.on('data', onData)
      socket.once('close', () => clearTimeout(timer))
    }

    app.addHook('preClose', async () => {
      closing = true
      for (const socket of sockets) {
        const active = current.get(socket)
        if (!active || active.res.writableFinished) socket.destroy()
        else if (!active.req.complete) watchForStall(socket, active.req, active.res)
      }
      setTimeout(() => app.server.closeAllConnections(), DRAIN_MS).unref()
    })
  },
  { name: 'graceful-close' },
)
