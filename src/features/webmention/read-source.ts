// Owns reading a fetched source off the event loop: one short-lived worker thread per source, bounded in time and memory.
import { createSemaphore } from '../../lib/semaphore.ts'
import { runModuleWorkerOnce } from '../../lib/worker-threads.ts'
import type { ReadJob, ReadResult } from './read-worker.ts'

/**
 * Parsing a megabyte of hostile HTML for links and microformats takes a few hundred milliseconds:
 * too long for the one event loop that answers readers. Mentions are rare, so each gets its own
 * thread, and one that runs past the limit is stopped and counted as a failed read.
 */
export const READ_TIME_LIMIT_MS = 5000
/** A megabyte of HTML parses well inside this; a small VPS (or a 256 MB Fly machine) keeps room to serve. */
const READ_MEMORY_MB = 48
/** One read at a time, whatever the worker fetches at once: CPU and memory stay bounded. */
const reading = createSemaphore(1, 16)

export function readSourceOffThread(job: ReadJob, timeLimitMs = READ_TIME_LIMIT_MS): Promise<ReadResult> {
  return reading.run(() =>
    runModuleWorkerOnce<ReadJob, ReadResult>(new URL('./read-worker.ts', import.meta.url), job, {
      timeLimitMs,
      memoryMb: READ_MEMORY_MB,
      task: 'reading the source',
    }),
  )
}
