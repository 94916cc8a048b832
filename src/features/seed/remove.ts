// Owns `seed --remove`: taking away exactly what seed created, and keeping whatever the author has made theirs since.
import { isDeepStrictEqual } from 'node:util'
import { and, between, eq, exists, gt, not, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { postRevisions, posts, postTags, tags } from '../../db/schema.ts'
import { plural } from '../../lib/text.ts'
import { deletePage, findPage } from '../content/pages.ts'
import { deleteSeries, findSeries } from '../content/series.ts'
import { getSettings, type SettingsInput, saveSettings } from '../settings/service.ts'
import { forgetSeedRecord, readSeedRecord, type SeedBatch } from './record.ts'

export interface SeedRemoval {
  /** How many seed runs the record held. */
  readonly batches: number
  readonly removed: { posts: number; pages: number; series: number; tags: number; settings: number }
  /** Titles (settings: keys) of what seed created but the author has changed or still uses. */
  readonly kept: { posts: string[]; pages: string[]; series: string[]; tags: number; settings: string[] }
}

/** A seeded post the author saved since: its row changed after the seed, or it has a newer revision. */
function editedSince(db: Db, batch: SeedBatch): SQL {
  const newerRevision = db
    .select({ id: postRevisions.id })
    .from(postRevisions)
    .where(and(eq(postRevisions.postId, posts.id), gt(postRevisions.id, batch.lastRevisionId)))
  return sql`(${gt(posts.updatedAt, new Date(batch.at))} or ${exists(newerRevision)})`
}

function removePosts(db: Db, batch: SeedBatch, result: SeedRemoval): void {
  const edited = editedSince(db, batch)
  for (const [from, to] of batch.posts) {
    const inBatch = between(posts.id, from, to)
    const kept = db.select({ title: posts.title }).from(posts).where(and(inBatch, edited)).all()
    result.kept.posts.push(...kept.map((row) => row.title))
    // Tags, revisions, redirects and the search entry go with each post (foreign keys, a trigger).
    result.removed.posts += db
      .delete(posts)
      .where(and(inBatch, not(edited)))
      .run().changes
  }
}

function removePages(db: Db, batch: SeedBatch, result: SeedRemoval): void {
  for (const id of batch.pages) {
    const page = findPage(db, id)
    if (!page) continue
    if (page.updatedAt.getTime() > batch.at) result.kept.pages.push(page.title)
    else if (deletePage(db, id)) result.removed.pages += 1
  }
}

/** After the posts: a series that a remaining post belongs to, or that the author edited, stays. */
function removeSeries(db: Db, batch: SeedBatch, result: SeedRemoval): void {
  for (const id of batch.series) {
    const found = findSeries(db, id)
    if (!found) continue
    const used = db.select({ id: posts.id }).from(posts).where(eq(posts.seriesId, id)).limit(1).get()
    if (used || found.updatedAt.getTime() > batch.at) result.kept.series.push(found.title)
    else {
      deleteSeries(db, id)
      result.removed.series += 1
    }
  }
}

/** After the posts: a tag that a remaining post uses stays. */
function removeTags(db: Db, batch: SeedBatch, result: SeedRemoval): void {
  for (const id of batch.tags) {
    const used = db
      .select({ id: postTags.postId })
      .from(postTags)
      .where(eq(postTags.tagId, id))
      .limit(1)
      .get()
    if (used) result.kept.tags += 1
    else result.removed.tags += db.delete(tags).where(eq(tags.id, id)).run().changes
  }
}

/** A setting still as seed stored it goes back to what it was before; one the author changed since stays. */
function restoreSettings(db: Db, batch: SeedBatch, result: SeedRemoval, now: Date): void {
  for (const [key, { seeded, before }] of Object.entries(batch.settings)) {
    if (!isDeepStrictEqual(getSettings(db)[key as keyof SettingsInput], seeded))
      result.kept.settings.push(key)
    else if (!isDeepStrictEqual(seeded, before)) {
      saveSettings(db, { [key]: before }, now)
      result.removed.settings += 1
    }
  }
}

/** Removes every seed run's content, newest run first, in one transaction, and forgets the record. */
export function removeSeededContent(db: Db, now = new Date()): SeedRemoval {
  return db.transaction(() => {
    const batches = readSeedRecord(db)
    const result: SeedRemoval = {
      batches: batches.length,
      removed: { posts: 0, pages: 0, series: 0, tags: 0, settings: 0 },
      kept: { posts: [], pages: [], series: [], tags: 0, settings: [] },
    }
    for (const batch of [...batches].reverse()) {
      removePosts(db, batch, result)
      removePages(db, batch, result)
      removeSeries(db, batch, result)
      removeTags(db, batch, result)
      restoreSettings(db, batch, result, now)
    }
    forgetSeedRecord(db, now)
    return result
  })
}

/** “A”, “B” and 3 more. */
function titles(list: readonly string[], most = 5): string {
  const shown = list.slice(0, most).map((title) => `“${title}”`)
  const more = list.length - shown.length
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ')
}

/** What `seed --remove` prints. */
export function describeSeedRemoval(result: SeedRemoval): string {
  if (result.batches === 0)
    return 'Nothing to remove: seed has not added anything to this database (or it was removed already).'
  const { removed, kept } = result
  const lines = [
    `Removed what seed created: ${plural(removed.posts, 'post')}, ${plural(removed.pages, 'page')}, ${plural(removed.series, 'series', 'series')} and ${plural(removed.tags, 'tag')}; ${plural(removed.settings, 'setting')} restored to the value before seeding.`,
  ]
  if (kept.posts.length > 0)
    lines.push(`Kept ${plural(kept.posts.length, 'post')} you edited: ${titles(kept.posts)}.`)
  if (kept.pages.length > 0)
    lines.push(`Kept ${plural(kept.pages.length, 'page')} you edited: ${titles(kept.pages)}.`)
  if (kept.series.length > 0)
    lines.push(
      `Kept ${plural(kept.series.length, 'series', 'series')} that you edited or that a kept post belongs to: ${titles(kept.series)}.`,
    )
  if (kept.tags > 0) lines.push(`Kept ${plural(kept.tags, 'tag')} that remaining posts use.`)
  if (kept.settings.length > 0)
    lines.push(`Kept the settings you changed since seeding: ${kept.settings.join(', ')}.`)
  return lines.join('\n')
}
