// Owns limiting how many expensive jobs run at once, with a bounded queue.
export class BusyError extends Error {
  override name = 'BusyError'
}

/** Runs at most `limit` jobs at a time; more than `maxQueue` waiting makes `run` throw BusyError. */
export function createSemaphore(limit: number, maxQueue: number) {
  let active = 0
  const waiting: (() => void)[] = []
  const release = () => {
    active -= 1
    waiting.shift()?.()
  }
  return {
    async run<T>(job: () => Promise<T>): Promise<T> {
      if (active >= limit) {
        if (waiting.length >= maxQueue) throw new BusyError('Too many jobs waiting')
        await new Promise<void>((resolve) => waiting.push(resolve))
      }
      active += 1
      try {
        return await job()
      } finally {
        release()
      }
    },
  }
}
