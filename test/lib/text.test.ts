// Checks the small text rules people read in messages: how a count is written.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatCount } from '../../src/lib/text.ts'

test('a count is written with commas between thousands, as English writes it', () => {
  for (const [n, text] of [
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [10000, '10,000'],
    [100000, '100,000'],
    [1234567, '1,234,567'],
    [-20000, '-20,000'],
  ] as const)
    assert.equal(formatCount(n), text)
  for (let n = 1; n < 1e12; n = n * 7 + 3) assert.equal(formatCount(n), n.toLocaleString('en'))
})
