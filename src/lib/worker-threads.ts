// Owns starting a worker thread on one of Folio's modules, whether it runs compiled (production) or as TypeScript through tsx, and running one job on one within limits.
import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * Starts a worker on `moduleUrl` (named by its .ts file): the compiled .js beside this file in
 * production, or the .ts file through tsx's loader in development and tests.
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const typescript = import.meta.url.endsWith('.ts')
  const file = typescript ? moduleUrl : new URL(moduleUrl.href.replace(/\.ts$/, '.js'))
  if (!typescript) return new Worker(file, options)
  // Node 20 does not pass --import loaders on to workers, so the worker registers tsx itself first.
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}

/**
 * A worker may post this once its modules are loaded, before it starts on the job: the job's time
 * limit then counts from there, and loading (Folio's own cost, slow on a busy machine) gets
 * `startLimitMs` of its own, so a slow start is never blamed on the job.
 */
export const WORKER_READY = 'folio:worker-ready'

export interface WorkerLimits {
  readonly timeLimitMs: number
  /** For a worker that posts WORKER_READY: how long it may take to get there (past it, a plain Error). */
  readonly startLimitMs?: number
  /** The worker's heap; past it the worker is stopped, not the process. */
  readonly memoryMb: number
  /** What the job does, as errors name it: "reading the source". */
  readonly task: string
}

/** A job stopped for going past its time or memory limit: its input is too costly, and would be again. */
export class WorkerLimitError extends Error {
  override name = 'WorkerLimitError'
  constructor(
    message: string,
    readonly limit: 'time' | 'memory',
  ) {
    super(message)
  }
}

/**
 * Runs one job on a fresh worker on `moduleUrl`, which reads `workerData` and posts its result
 * (after WORKER_READY, if `startLimitMs` is given). A fresh thread per job means a job stopped
 * halfway leaves nothing behind. Rejects with WorkerLimitError past a limit, else with the
 * worker's own error.
 */
export function runModuleWorkerOnce<Job, Result>(
  moduleUrl: URL,
  job: Job,
  limits: WorkerLimits,
): Promise<Result> {
  return new Promise<Result>((resolve, reject) => {
    const worker = startModuleWorker(moduleUrl, {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
    })
    const stopAfter = (ms: number, error: Error) =>
      setTimeout(() => {
        void worker.terminate()
        reject(error)
      }, ms)
    const overTime = () =>
      new WorkerLimitError(`${limits.task} took longer than ${limits.timeLimitMs / 1000} s`, 'time')
    let timer =
      limits.startLimitMs === undefined
        ? stopAfter(limits.timeLimitMs, overTime())
        : stopAfter(limits.startLimitMs, new Error(`${limits.task} could not start in time`))
    const settle = () => clearTimeout(timer)
    worker.on('message', (message: Result | typeof WORKER_READY) => {
      settle()
      if (message === WORKER_READY && limits.startLimitMs !== undefined) {
        timer = stopAfter(limits.timeLimitMs, overTime())
        return
      }
      resolve(message as Result)
      void worker.terminate()
    })
    worker.once('error', (err: Error & { code?: string }) => {
      settle()
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        reject(new WorkerLimitError(`${limits.task} needed more than ${limits.memoryMb} MB`, 'memory'))
      } else reject(err)
    })
    // After a result, an error or the timer this changes nothing: a promise settles once.
    worker.once('exit', (code) => {
      settle()
      reject(new Error(`${limits.task} stopped (exit code ${code})`))
    })
  })
}
