// Owns which IP addresses are hosts on the public internet: the line every outgoing fetch (lib/safe-fetch.ts) must not cross.
import { BlockList, isIP } from 'node:net'

/** IPv4 ranges no remote fetch may reach: none of them is a public host on the internet. */
const NON_PUBLIC_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network", with the unspecified address 0.0.0.0
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, with the cloud metadata service 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, with the broadcast address 255.255.255.255
]

const NON_PUBLIC_V6: readonly (readonly [string, number])[] = [
  ['::', 96], // unspecified ::, loopback ::1 and the deprecated IPv4-compatible form
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some networks)
  ['ff00::', 8], // multicast
]

const nonPublic = new BlockList()
for (const [v4, bits] of NON_PUBLIC_V4) {
  nonPublic.addSubnet(v4, bits, 'ipv4')
  // The same hosts written as IPv6: IPv4-mapped (::ffff:127.0.0.1), and NAT64, which a gateway
  // on the operator's own network would translate back to the private IPv4 address.
  nonPublic.addSubnet(`::ffff:${v4}`, 96 + bits, 'ipv6')
  nonPublic.addSubnet(`64:ff9b::${v4}`, 96 + bits, 'ipv6')
}
for (const [v6, bits] of NON_PUBLIC_V6) nonPublic.addSubnet(v6, bits, 'ipv6')

/** Whether `ip` (an IPv4 or IPv6 address, no brackets) is a host on the public internet. */
export function isPublicAddress(ip: string): boolean {
  const address = ip.split('%')[0] ?? '' // a zone (fe80::1%eth0) only ever names a local link
  const family = isIP(address)
  if (family === 0) return false
  return !nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6')
}
