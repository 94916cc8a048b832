// Owns how much the inbox takes from one remote server, and from one address whose requests fail.
import { createWindowLimit, type LimitCheck, senderOf } from '../../lib/window-limit.ts'
import { parseRfc9421, parseSignatureHeader } from './signature-headers.ts'
import type { HeaderRecord } from './signatures.ts'

/**
 * Activities per remote server in a minute. A real server sends a burst when a thread gets busy
 * (replies, likes, boosts, each one activity); this is far above that, and far below what could
 * keep the database busy.
 */
export const ACTIVITIES_PER_HOST_PER_MINUTE = 300
/** Refused requests per client address (an IPv6 /64 as one) in a minute: each may have cost a key fetch. */
export const FAILURES_PER_ADDRESS_PER_MINUTE = 60
const MINUTE_MS = 60_000

/**
 * The inbox's two limits. A server is counted by the host of its signature's keyId, but only once
 * its signature verified: a forger who writes someone else's keyId must not use up their quota.
 * Forgeries are counted by the address they came from instead.
 */
export function createInboxLimits() {
  const hosts = createWindowLimit(ACTIVITIES_PER_HOST_PER_MINUTE, MINUTE_MS)
  const failures = createWindowLimit(FAILURES_PER_ADDRESS_PER_MINUTE, MINUTE_MS)
  return {
    check(host: string | undefined, address: string): LimitCheck {
      const byAddress = failures.check(senderOf(address))
      if (!byAddress.allowed || host === undefined) return byAddress
      return hosts.check(host)
    },
    countVerified: (host: string) => hosts.count(host),
    countFailure: (address: string) => failures.count(senderOf(address)),
  }
}

/** The host a request's signature says it comes from, read without checking anything; undefined if none. */
export function claimedHost(headers: HeaderRecord): string | undefined {
  const one = (name: string) => {
    const value = headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }
  const signature = one('signature')
  if (signature === undefined) return undefined
  const input = one('signature-input')
  const keyId =
    input === undefined ? parseSignatureHeader(signature)?.keyId : parseRfc9421(input, signature)?.keyId
  return keyId && URL.canParse(keyId) ? new URL(keyId).host.toLowerCase() : undefined
}
