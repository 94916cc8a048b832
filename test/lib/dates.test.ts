// Checks the one way people read a date in Folio, in the site's timezone, and the editor's local input.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  formatDate,
  formatDateTime,
  fromLocalInput,
  isValidTimeZone,
  toLocalInput,
} from '../../src/lib/dates.ts'

test('a moment reads "4 December 2026, 14:05" in the author timezone, and a date the same without the time', () => {
  const at = new Date('2026-12-04T13:05:00Z')
  assert.equal(formatDateTime(at, 'Europe/Paris'), '4 December 2026, 14:05')
  assert.equal(formatDateTime(at, 'UTC'), '4 December 2026, 13:05')
  assert.equal(formatDateTime(new Date('2026-12-04T23:30:00Z'), 'Asia/Tokyo'), '5 December 2026, 08:30')
  assert.equal(formatDate(at, 'Europe/Paris'), '4 December 2026')
  assert.equal(
    formatDateTime(new Date('2026-01-01T00:00:00Z'), 'UTC'),
    '1 January 2026, 00:00',
    'midnight is 00:00',
  )
})

test('the editor date field round-trips through the site timezone', () => {
  const at = fromLocalInput('2026-03-29T02:30', 'Europe/Paris')
  assert.ok(at, 'a time skipped by the clock change lands just after it')
  assert.equal(
    toLocalInput(fromLocalInput('2026-12-04T14:05', 'Europe/Paris'), 'Europe/Paris'),
    '2026-12-04T14:05',
  )
  assert.equal(fromLocalInput('2026-02-30T10:00', 'UTC'), undefined)
})

test('a date is what the Intl formatter writes, in UTC (read without ICU) and in other zones', () => {
  // 'Etc/UTC' is the same zone by another name, so it takes the Intl path the 'UTC' shortcut skips.
  const intl = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })
  const start = Date.UTC(1999, 11, 31, 23, 59, 59)
  for (let i = 0; i < 400; i++) {
    const at = new Date(start + i * 26.3 * 3600_000)
    assert.equal(formatDate(at, 'UTC'), intl.format(at))
    assert.equal(formatDateTime(at, 'UTC'), formatDateTime(at, 'Etc/UTC'))
    assert.equal(toLocalInput(at, 'UTC'), toLocalInput(at, 'Etc/UTC'))
  }
  for (const zone of ['Europe/Paris', 'Pacific/Auckland', 'America/Los_Angeles']) {
    const inZone = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: zone,
    })
    for (let i = 0; i < 100; i++) {
      const at = new Date(start + i * 97.7 * 3600_000)
      assert.equal(formatDate(at, zone), inZone.format(at), `${zone} ${at.toISOString()}`)
    }
  }
  assert.equal(formatDate(new Date('2026-02-28T23:59:59Z'), 'UTC'), '28 February 2026')
  assert.equal(fromLocalInput('2026-06-01T09:30', 'UTC')?.toISOString(), '2026-06-01T09:30:00.000Z')
})

test('a timezone is a name ICU knows; an unknown or megabyte-long name is refused', () => {
  for (const zone of ['UTC', 'Europe/Lisbon', 'America/Argentina/ComodRivadavia', 'utc'])
    assert.ok(isValidTimeZone(zone), zone)
  for (const zone of ['', 'Mars/Olympus_Mons', 'Europe/Lisbon\u0000', `Europe/${'a'.repeat(1_000_000)}`])
    assert.ok(!isValidTimeZone(zone), zone.slice(0, 40))
})
