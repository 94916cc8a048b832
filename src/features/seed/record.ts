// Owns the record of what `seed` created, kept in the database so `seed --remove` can take exactly that away.
import { eq, gt, max } from 'drizzle-orm'
import * as z from 'zod'
import type { Db } from '../../db/client.ts'
import { postRevisions, series, settings as settingsTable, tags } from '../../db/schema.ts'
import { getSettings, type SettingsInput, saveSettings } from '../settings/service.ts'

/**
 * The record is one row of the key/value settings table, under a key that is not a setting (the
 * settings service ignores it): it survives restarts, backups and restores with the content it
 * describes, and needs no table of its own.
 */
const RECORD_KEY = 'seedRecord'

const seededSetting = z.object({ seeded: z.json(), before: z.json() })

const batchSchema = z.object({
  /** When the seed ran (ms): a row changed after it was changed by the author. */
  at: z.number(),
  /** Post ids as inclusive ranges: a seed of a million posts is a single range. */
  posts: z.array(z.tuple([z.number().int(), z.number().int()])),
  pages: z.array(z.number().int()),
  series: z.array(z.number().int()),
  tags: z.array(z.number().int()),
  /** The newest revision when the seed finished: a later revision of a seeded post is the author's edit. */
  lastRevisionId: z.number().int(),
  settings: z.record(z.string(), seededSetting),
})

const recordSchema = z.object({ batches: z.array(batchSchema) })

export type SeedBatch = z.infer<typeof batchSchema>
export type SeededSettings = SeedBatch['settings']

/** The highest tag and series ids before a seed: whatever it adds above them, it created. */
export interface SeedMarks {
  readonly tagId: number
  readonly seriesId: number
}

export function markBeforeSeeding(db: Db): SeedMarks {
  return {
    tagId:
      db
        .select({ id: max(tags.id) })
        .from(tags)
        .get()?.id ?? 0,
    seriesId:
      db
        .select({ id: max(series.id) })
        .from(series)
        .get()?.id ?? 0,
  }
}

/** Saves the demo settings and returns, for each, the value seed stored and the one it replaced. */
export function seedSettings(db: Db, values: Partial<SettingsInput>, now: Date): SeededSettings {
  const before = getSettings(db)
  const after = saveSettings(db, values, now)
  const changed: SeededSettings = {}
  for (const key of Object.keys(values) as (keyof SettingsInput)[])
    changed[key] = { seeded: after[key], before: before[key] }
  return changed
}

/** Sorted ids as inclusive ranges: [1, 2, 3, 7] → [[1, 3], [7, 7]]. */
function idRanges(ids: readonly number[]): [number, number][] {
  const ranges: [number, number][] = []
  for (const id of [...ids].sort((a, b) => a - b)) {
    const last = ranges.at(-1)
    if (last && id === last[1] + 1) last[1] = id
    else ranges.push([id, id])
  }
  return ranges
}

export function readSeedRecord(db: Db): SeedBatch[] {
  const row = db
    .select({ value: settingsTable.value })
    .from(settingsTable)
    .where(eq(settingsTable.key, RECORD_KEY))
    .get()
  if (!row) return []
  let stored: unknown
  try {
    stored = JSON.parse(row.value)
  } catch {}
  const parsed = recordSchema.safeParse(stored)
  if (!parsed.success)
    throw new Error(`The record of seeded content (settings key ${RECORD_KEY}) is damaged.`)
  return parsed.data.batches
}

function writeSeedRecord(db: Db, batches: readonly SeedBatch[], now: Date): void {
  if (batches.length === 0) {
    db.delete(settingsTable).where(eq(settingsTable.key, RECORD_KEY)).run()
    return
  }
  const value = JSON.stringify({ batches })
  db.insert(settingsTable)
    .values({ key: RECORD_KEY, value, updatedAt: now })
    .onConflictDoUpdate({ target: settingsTable.key, set: { value, updatedAt: now } })
    .run()
}

/** The ids a table gained above `above`: what the seed run added to it. */
const idsAbove = (db: Db, table: typeof series | typeof tags, above: number): number[] =>
  db
    .select({ id: table.id })
    .from(table)
    .where(gt(table.id, above))
    .all()
    .map((row) => row.id)

/** Adds one seed run to the record; call it inside the seed's transaction, after its last write. */
export function recordSeedBatch(
  db: Db,
  run: {
    readonly at: Date
    readonly marks: SeedMarks
    readonly postIds: readonly number[]
    readonly pageIds: readonly number[]
    readonly settings: SeededSettings
  },
): void {
  const batch: SeedBatch = {
    at: run.at.getTime(),
    posts: idRanges(run.postIds),
    pages: [...run.pageIds],
    series: idsAbove(db, series, run.marks.seriesId),
    tags: idsAbove(db, tags, run.marks.tagId),
    lastRevisionId:
      db
        .select({ id: max(postRevisions.id) })
        .from(postRevisions)
        .get()?.id ?? 0,
    settings: run.settings,
  }
  writeSeedRecord(db, [...readSeedRecord(db), batch], run.at)
}

/** Forgets every seed run: what was not removed is the author's now. */
export const forgetSeedRecord = (db: Db, now = new Date()): void => writeSeedRecord(db, [], now)
