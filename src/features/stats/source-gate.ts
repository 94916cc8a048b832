// Owns limiting how many new referrer and campaign values one network may bring in a day, so one client cannot fill the day's list of sources.
import { isIPv4 } from 'node:net'
import { senderOf } from '../../lib/window-limit.ts'

export interface SourceGateLimits {
  /** New values (not yet seen that day from anyone) one IPv4 /24 or IPv6 /64 may bring in a day. */
  readonly newValuesPerNetwork: number
  /** Networks remembered a day; past it, networks not yet seen bring no new values that day. */
  readonly networksPerDay: number
  /** Values remembered a day as already let in (beyond the writer's daily limit they are `(other)` anyway). */
  readonly valuesPerDay: number
}

export const DEFAULT_SOURCE_GATE: SourceGateLimits = {
  newValuesPerNetwork: 20,
  networksPerDay: 50_000,
  valuesPerDay: 4_000,
}

/** The network a client is counted under: an IPv4 /24, or an IPv6 /64 (senderOf's). */
export function networkOf(ip: string): string {
  const sender = senderOf(ip)
  return isIPv4(sender) ? `${sender.slice(0, sender.lastIndexOf('.'))}.0/24` : sender
}

export interface SourceGate {
  /** Whether `value` (a referrer or campaign, with its kind) from `ip` may be counted on `day`. */
  allows(day: number, ip: string, value: string): boolean
}

/**
 * A value someone already brought today passes for everyone; a new one is charged to the network
 * that brings it. Memory is bounded by the limits and emptied when the day turns.
 */
export function createSourceGate(limits: SourceGateLimits = DEFAULT_SOURCE_GATE): SourceGate {
  let today = -1
  let values = new Set<string>()
  let charged = new Map<string, number>()
  return {
    allows(day, ip, value) {
      if (day !== today) {
        today = day
        values = new Set()
        charged = new Map()
      }
      if (values.has(value)) return true
      const network = networkOf(ip)
      const used = charged.get(network)
      if (used === undefined && charged.size >= limits.networksPerDay) return false
      if ((used ?? 0) >= limits.newValuesPerNetwork) return false
      charged.set(network, (used ?? 0) + 1)
      if (values.size < limits.valuesPerDay) values.add(value)
      return true
    },
  }
}
