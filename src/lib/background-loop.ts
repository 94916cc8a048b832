// Owns running background work off the request path: one run at a time, woken after a request or on an interval, stopped with a bounded wait.

export interface BackgroundLoop {
  /** Schedules a run after the current request has been answered: nobody waits for it. */
  wake(): void
  /** Runs until a pass finds nothing new to do; joins a run in progress. Never rejects. */
  drain(): Promise<void>
  /** Starts the interval and runs at once, for whatever a previous process left behind. */
  start(): void
  /** Starts no new run and waits for the one in flight, at most `shutdownWaitMs`. */
  stop(): Promise<void>
  /** Set by stop(): a long run checks it between items and ends early. */
  readonly stopping: boolean
}

export interface BackgroundLoopOptions {
  /** One pass over the work that is due. */
  readonly run: () => Promise<void>
  /** What a pass threw: logged by the caller, and the loop carries on at the next wake or tick. */
  readonly onError: (err: unknown) => void
  readonly intervalMs: number
  readonly shutdownWaitMs: number
}

export function createBackgroundLoop(options: BackgroundLoopOptions): BackgroundLoop {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  let stopping = false

  /** One loop at a time: a call during a run asks that run to look again before it ends. */
  function drain(): Promise<void> {
    again = true
    if (running) return running
    const loop = async () => {
      while (again && !stopping) {
        again = false
        await options.run()
      }
    }
    // .finally runs after this assignment even when the loop finishes at once.
    running = loop()
      .catch(options.onError)
      .finally(() => {
        running = undefined
      })
    return running
  }

  const wake = () => {
    if (!stopping) setImmediate(() => void drain())
  }

  return {
    wake,
    drain,
    start() {
      timer = setInterval(() => void drain(), options.intervalMs)
      timer.unref()
      wake()
    },
    async stop() {
      stopping = true
      clearInterval(timer)
      if (!running) return
      let waited: NodeJS.Timeout | undefined
      const bound = new Promise<void>((resolve) => {
        waited = setTimeout(resolve, options.shutdownWaitMs)
        waited.unref()
      })
      await Promise.race([running, bound])
      clearTimeout(waited)
    },
    get stopping() {
      return stopping
    },
  }
}

/** What the rest of the app sees of a worker: `wake()` after queueing work, `drain()` to finish what is due (tests, shutdown). */
export type WorkerHandle = Pick<BackgroundLoop, 'wake' | 'drain'>

/** Runs `loop` for the app's lifetime: started once the app is ready, stopped (a bounded wait) as it closes. */
export function runWithApp(
  app: { addHook(name: 'onReady' | 'onClose', hook: () => Promise<void>): unknown },
  loop: BackgroundLoop,
): WorkerHandle {
  app.addHook('onReady', async () => loop.start())
  app.addHook('onClose', async () => loop.stop())
  return { wake: loop.wake, drain: loop.drain }
}
