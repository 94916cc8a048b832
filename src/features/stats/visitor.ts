// Owns telling visitors apart without personal data: a hash of the day's random salt, the site, the IP and the User-Agent.
import { createHash, randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { LRUCache } from 'lru-cache'
import type { Db } from '../../db/client.ts'
import { statsSalt } from '../../db/schema.ts'

/**
 * A visitor for one day: neither the IP nor the User-Agent can be read back from it, and once the
 * day's salt is destroyed nobody can link it to a person again, even by trying every address.
 * 96 bits: collisions among a day's visitors are vanishingly rare.
 */
export function visitorHash(salt: string, siteUrl: string, ip: string, userAgent: string): string {
  return createHash('sha256')
    .update(`${salt}\n${siteUrl}\n${ip}\n${userAgent.slice(0, 1000)}`)
    .digest('base64url')
    .slice(0, 16)
}

/**
 * visitorHash with the day's answers kept (a reader asks for several pages): a SHA-256 per view was
 * most of what counting cost. Bounded by size; emptied when the salt changes.
 */
export function createVisitorHasher(siteUrl: string, maxBytes = 4 * 1024 * 1024) {
  const hashes = new LRUCache<string, string>({
    maxSize: maxBytes,
    sizeCalculation: (_hash, key) => key.length + 64,
  })
  let saltInUse = ''
  return (salt: string, ip: string, userAgent: string): string => {
    if (salt !== saltInUse) {
      hashes.clear()
      saltInUse = salt
    }
    const key = `${ip}\n${userAgent}`
    let hash = hashes.get(key)
    if (hash === undefined) {
      hash = visitorHash(salt, siteUrl, ip, userAgent)
      hashes.set(key, hash)
    }
    return hash
  }
}

export interface SaltKeeper {
  /** The salt for `day` (a day number): today's, or a new random one when the day has turned (the old one is dropped). */
  saltFor(day: number): string
  /** The day and salt in use, and whether the database holds them yet (the flush stores them). */
  current(): { readonly day: number; readonly salt: string; readonly stored: boolean }
  markStored(): void
  /**
   * On a replica: takes the salt the primary stored for today, if any, so one visitor has one hash
   * on every machine. Reads only.
   */
  adoptStored(db: Db): void
}

const newSalt = (): string => randomBytes(32).toString('base64url')

const storedSalt = (db: Db, day: number): string | undefined =>
  db.select({ salt: statsSalt.salt }).from(statsSalt).where(eq(statsSalt.day, day)).get()?.salt

/**
 * The day's salt lives in memory, and in stats_salt for that day only, so a restart keeps counting
 * the same visitors once. Starting reads the table and never writes to it.
 */
export function createSaltKeeper(db: Db, today: number): SaltKeeper {
  const found = storedSalt(db, today)
  let state = { day: today, salt: found ?? newSalt(), stored: found !== undefined }
  return {
    saltFor(day) {
      if (day !== state.day) state = { day, salt: newSalt(), stored: false }
      return state.salt
    },
    current: () => state,
    markStored() {
      state = { ...state, stored: true }
    },
    adoptStored(readDb) {
      const salt = storedSalt(readDb, state.day)
      if (salt !== undefined && salt !== state.salt) state = { day: state.day, salt, stored: true }
    },
  }
}
