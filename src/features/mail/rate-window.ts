// Owns the newsletter's send rate: at most N sends in any sliding window (a minute), without a timer of its own.

/**
 * The times of the last `limit` sends. Unlike lib/window-limit.ts (a fixed window per visitor),
 * this holds one sender to `limit` in ANY window of `windowMs`, the way mail providers count.
 * Bounded: never more than `limit` entries.
 */
export function createRateWindow(limit: number, windowMs: number) {
  const times: number[] = []
  const forget = (now: number) => {
    while (times.length > 0 && (times[0] ?? 0) <= now - windowMs) times.shift()
  }
  return {
    /** How many more may go at `now`. */
    room(now: number): number {
      forget(now)
      return Math.max(0, limit - times.length)
    },
    record(at: number): void {
      times.push(at)
      if (times.length > limit) times.shift()
    },
    /** When the next one may go: now if there is room, else when the oldest send leaves the window. */
    nextRoomAt(now: number): number {
      forget(now)
      return times.length < limit ? now : (times[0] ?? now) + windowMs
    },
  }
}
