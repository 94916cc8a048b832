// Owns reading an incoming reply's HTML off the event loop: one short-lived worker thread per reply, few at a time, bounded in time and memory.
import { createSemaphore } from '../../lib/semaphore.ts'
import { runModuleWorkerOnce } from '../../lib/worker-threads.ts'
import type { NoteJob, NoteResult } from './note-worker.ts'

/**
 * A signed stranger chooses the HTML, and sanitize-html's cost grows with how deeply tags nest:
 * 64 KB of nested <b> would hold the loop that answers readers for most of a second. An honest
 * reply is read in milliseconds. The limit counts from the thread's modules being loaded.
 */
export const NOTE_TIME_LIMIT_MS = 2000
/**
 * Loading the thread's modules is Folio's cost (a few hundred milliseconds, more on a busy
 * machine): a reply refused for it would be lost, as servers do not send a 400 again.
 */
const NOTE_START_LIMIT_MS = 15_000
/** 64 KB of HTML parses in a few megabytes; the rest is the thread's modules. */
const NOTE_MEMORY_MB = 32
/**
 * Two at a time bounds the CPU and memory replies take; a few more may wait, and past that the
 * sender is told to come back (servers retry a 503), rather than queueing without bound.
 */
const reading = createSemaphore(2, 8)

export function readNoteOffThread(job: NoteJob, timeLimitMs = NOTE_TIME_LIMIT_MS): Promise<NoteResult> {
  return reading.run(() =>
    runModuleWorkerOnce<NoteJob, NoteResult>(new URL('./note-worker.ts', import.meta.url), job, {
      timeLimitMs,
      startLimitMs: NOTE_START_LIMIT_MS,
      memoryMb: NOTE_MEMORY_MB,
      task: 'reading the reply',
    }),
  )
}
