// Owns the last step of every Folio process (server, CLI, image warm-up): letting V8's background compilers finish before Node exits.
import { setTimeout as sleep } from 'node:timers/promises'

/** Long enough for a compile already running to finish on a busy machine; nothing new starts meanwhile. */
const SETTLE_MS = 200

/**
 * Waits a moment with the event loop idle, for a process that has finished its work and is about
 * to exit. Node 24 compiles hot functions on V8's background threads (Sparkplug and Maglev). Such a
 * compile can stop to wait for the main thread to collect garbage, which the main thread does from
 * its event loop. On the way out Node joins those threads before it ends the process (process.exit
 * at once; a natural exit when the loop empties), so a compile waiting at that moment waits for
 * ever, and the process hangs after its last log line until it is killed. CI's smoke test caught
 * it (a server stopped ~0.1 s after it started); starting and stopping the built server here
 * reproduced it, every time with a compiler thread waiting for a collection and the main thread
 * joining it (nodejs/node#54918 and #64274, both open). While this waits no JavaScript runs, so
 * nothing new is compiled, and a compile that needs a collection gets it. ADR 0014 has the figures.
 */
export function letCompilersFinish(): Promise<void> {
  return sleep(SETTLE_MS)
}

/** process.exit(code), once V8's background compiles are done: for a process that stops itself. */
export async function exitWhenCompilersFinish(code: number): Promise<never> {
  await letCompilersFinish()
  process.exit(code)
}
