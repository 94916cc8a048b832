// Checks the per-sender window limit: it counts, forgives when the window ends, and remembers at most its bound of senders.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createWindowLimit, senderOf } from '../../src/lib/window-limit.ts'

const MINUTE = 60_000

test('a sender is refused once over the limit, told when to come back, and let in when the window ends', () => {
  const limit = createWindowLimit(2, MINUTE)
  const start = 1_000_000
  assert.deepEqual(limit.check('198.51.100.7', start), { allowed: true })
  limit.count('198.51.100.7', start)
  limit.count('198.51.100.7', start + 1000)
  assert.deepEqual(limit.check('198.51.100.7', start + 1500), { allowed: false, retryAfterSeconds: 59 })
  // Another sender is not held back by the first.
  assert.deepEqual(limit.check('198.51.100.8', start + 1500), { allowed: true })
  assert.deepEqual(limit.check('198.51.100.7', start + MINUTE), { allowed: true })
})

test('the limit remembers at most its bound of senders, forgetting the longest unseen first', () => {
  const limit = createWindowLimit(1, MINUTE, 3)
  const now = 5_000_000
  for (const sender of ['a', 'b', 'c']) limit.count(sender, now)
  for (const sender of ['a', 'b', 'c']) assert.equal(limit.check(sender, now).allowed, false, sender)
  limit.count('d', now)
  // 'a' was seen longest ago (the checks above touched a, b, c in that order) and is forgotten.
  assert.equal(limit.check('a', now).allowed, true)
  for (const sender of ['b', 'c', 'd']) assert.equal(limit.check(sender, now).allowed, false, sender)
})

test('IPv6 senders are counted by their /64, IPv4 ones by address', () => {
  assert.equal(senderOf('2001:db8:1:2:aaaa::1'), senderOf('2001:db8:1:2:bbbb::9'))
  assert.notEqual(senderOf('2001:db8:1:2::1'), senderOf('2001:db8:1:3::1'))
  assert.equal(senderOf('::ffff:192.0.2.4'), '192.0.2.4')
  assert.equal(senderOf('192.0.2.4'), '192.0.2.4')
})
