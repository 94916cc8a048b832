// Owns checking the whole database file for damage in the background, without blocking requests.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

export type IntegrityResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: string }
  | { readonly ok: 'unknown'; readonly error: string }

/** Lets the first requests of a machine that just woke up go first. */
const START_DELAY_MS = 3_000

/**
 * The worker's code, as plain JavaScript: a worker thread does not inherit tsx's loader, and an
 * inline script needs no separate file to find in both src/ and the built dist/.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
function check() {
  try {
    const db = new Database(workerData.path, { readonly: true, fileMustExist: true })
    try {
      // The check reads every page once: a small page cache (2 MB, not the driver's 16 MB) keeps
      // the worker from raising the server's peak memory while it runs.
      db.pragma('cache_size = -2000')
      // A handful of findings is enough to say the file is damaged.
      const problems = db.pragma('quick_check(5)').map((row) => row.quick_check).filter((line) => line !== 'ok')
      return problems.length === 0 ? { ok: true } : { ok: false, problem: problems.join('; ') }
    } finally {
      db.close()
    }
  } catch (err) {
    const code = String(err.code || '')
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return { ok: false, problem: err.message }
    return { ok: 'unknown', error: err.message }
  }
}
parentPort.postMessage(check())
`

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3')

export interface IntegrityCheck {
  /** Ends the check early (on shutdown), so its read transaction does not block the checkpoint. */
  stop(): Promise<void>
  /** Settles once the check has run or was stopped; for tests. */
  readonly done: Promise<IntegrityResult | undefined>
}

/**
 * Runs `pragma quick_check` on its own read-only connection in a worker thread: at 10,000 posts
 * it reads ~100 MB and takes over a second, which must not stall the event loop. Calls onDamage
 * with SQLite's findings when the file is damaged; a check that cannot run reports nothing.
 */
export function checkIntegrityInBackground(
  path: string,
  onDamage: (problem: string) => void,
  options: { delayMs?: number } = {},
): IntegrityCheck {
  let worker: Worker | undefined
  let stopped = false
  let settle: (result: IntegrityResult | undefined) => void = () => {}
  const done = new Promise<IntegrityResult | undefined>((resolve) => {
    settle = resolve
  })
  const timer = setTimeout(() => {
    if (stopped) return
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver: DRIVER } })
    worker.unref()
    worker.once('message', (result: IntegrityResult) => {
      if (result.ok === false) onDamage(result.problem)
      settle(result)
    })
    worker.once('error', () => settle(undefined))
    worker.once('exit', () => settle(undefined))
  }, options.delayMs ?? START_DELAY_MS)
  timer.unref()

  return {
    done,
    async stop() {
      stopped = true
      clearTimeout(timer)
      settle(undefined)
      await worker?.terminate()
    },
  }
}
