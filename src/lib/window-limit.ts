// Owns counting what one sender does in a fixed window (the Webmention endpoint's and the inbox's limits), and who counts as one sender.
import { isIPv6 } from 'node:net'
import { LRUCache } from 'lru-cache'

export type LimitCheck =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number }

/**
 * Counts per key in a fixed window from its first count. Kept in memory: only the primary
 * receives (LiteFS replays writes there), a restart forgives everyone, which costs at most one
 * more window's worth, and the LRU bound keeps a spray of keys from growing it without end.
 */
export function createWindowLimit(limit: number, windowMs: number, maxKeys = 10_000) {
  const windows = new LRUCache<string, { count: number; resetAt: number }>(boundedKeys(maxKeys))
  return {
    /** Whether `key` may do one more at `now`; nothing is counted. */
    check(key: string, now = Date.now()): LimitCheck {
      const window = windows.get(key)
      if (!window || window.resetAt <= now || window.count < limit) return { allowed: true }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) }
    },
    count(key: string, now = Date.now()): void {
      const window = windows.get(key)
      if (!window || window.resetAt <= now) windows.set(key, { count: 1, resetAt: now + windowMs })
      else window.count += 1
    },
  }
}

/**
 * An LRU bound of `count` keys that costs nothing until keys arrive. lru-cache's own `max`
 * allocates its tables for all of them at once: the six limits and caches a server starts with
 * held ~1.5 MB of empty slots and took ~8 ms to make. Counting each key as size 1 bounds the same.
 */
export const boundedKeys = (count: number) => ({ maxSize: count, sizeCalculation: () => 1 }) as const

export type WindowLimit = ReturnType<typeof createWindowLimit>

/**
 * Whom a per-address limit counts: an IPv4 address, or an IPv6 /64 (one customer's network:
 * anyone given one can use any of its 2^64 addresses).
 */
export function senderOf(ip: string): string {
  if (!isIPv6(ip)) return ip
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.slice(7)
  const [head = '', tail] = ip.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || '0', 16).toString(16))
    .join(':')}::/64`
}
