// Owns putting a test's own HTTP server (a remote site, an inbox, a peer) on a loopback port for the length of one test.
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

/** Listens on 127.0.0.1 at a free port, closes (keep-alive sockets too) when the test ends, and returns the origin. */
export async function listenOnLoopback(t: TestContext, server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
