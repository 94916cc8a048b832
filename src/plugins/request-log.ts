// Owns the one log line per request and the request ids, shared by Fastify and the page cache's front door.
import type { FastifyBaseLogger } from 'fastify'
import { urlForLog } from '../lib/urls.ts'

/**
 * The line every answered request leaves. `log` is Fastify's per-request logger (which already
 * carries `reqId`), or the app's logger with the front door's `reqId`: the JSON is the same.
 */
export function logRequest(
  log: FastifyBaseLogger,
  request: { readonly method?: string; readonly url?: string },
  status: number,
  ms: number,
  reqId?: string,
): void {
  const line = { method: request.method, url: urlForLog(request.url ?? ''), status, ms: Math.round(ms) }
  log.info(reqId === undefined ? line : { reqId, ...line }, 'request')
}

/** Fastify's own request ids (`req-` and a base-36 counter), from one counter for both doors. */
export function createRequestIds(): () => string {
  const maxInt = 2147483647
  let next = 0
  return () => {
    next = (next + 1) & maxInt
    return `req-${next.toString(36)}`
  }
}

let stdoutLines: { write(line: string): void; flush(cb?: () => void): void; flushSync(): void } | undefined

/** Pending log text written at once, whatever the time. */
const FLUSH_BYTES = 64 * 1024
/** How long a log line may wait for others to share its write. */
const FLUSH_MS = 25

/**
 * Pino's stream in production: log lines gathered and written to stdout together, when 64 KB are
 * pending or 25 ms after the first of them, whichever comes first. Pino's default makes one write
 * system call per line, which on a busy page cache cost more than sending the page; once per
 * event-loop turn still meant one per request under load (~3 µs of a ~45 µs cache hit). Lines keep
 * their order; whatever is pending when the process exits (a crash included) is written on 'exit'.
 * Only a process killed outright (SIGKILL, the OOM killer) loses its last 25 ms of lines.
 * One per process: every app built in it shares stdout.
 */
export function batchedStdout(): NonNullable<typeof stdoutLines> {
  if (stdoutLines) return stdoutLines
  let pending = ''
  let timer: NodeJS.Timeout | undefined
  const flushSync = (): void => {
    clearTimeout(timer)
    timer = undefined
    if (!pending) return
    const chunk = pending
    pending = ''
    process.stdout.write(chunk)
  }
  process.once('exit', flushSync)
  stdoutLines = {
    write(line) {
      pending += line
      if (pending.length >= FLUSH_BYTES) flushSync()
      // Unref'd: a pending line never keeps the process alive; 'exit' writes it.
      else timer ??= setTimeout(flushSync, FLUSH_MS).unref()
    },
    flush(cb) {
      flushSync()
      cb?.()
    },
    flushSync,
  }
  return stdoutLines
}
