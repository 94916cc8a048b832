// Owns the writer's label ids: each path, referrer and campaign stored once in stats_labels, its id looked up through a small bounded cache.
import type { Db } from '../../db/client.ts'

/** Enough for a day's pages and sources many times over; beyond it the least recently used ids are read again. */
export const DEFAULT_LABEL_CACHE = 20_000

export interface Labels {
  /** The id `text` already has, or undefined if it has none yet (nothing is written). */
  find(text: string): number | undefined
  /** The id of `text`, giving it one if it has none. Only inside the flush's transaction. */
  idOf(text: string): number
  /** Forgets every cached id: after a rolled-back transaction, ids given in it do not exist. */
  forget(): void
  /** Texts whose ids are held in memory: what the bound is about. */
  readonly cached: number
}

/**
 * Labels are only ever added (a stats row may name one on any day), so a cached id stays right
 * for as long as the process writes alone, which the primary does; `forget()` covers a rollback.
 */
export function createLabels(db: Db, maxCached = DEFAULT_LABEL_CACHE): Labels {
  const select = db.$client.prepare('select id from stats_labels where text = ?').pluck()
  const insert = db.$client.prepare('insert into stats_labels (text) values (?)')
  const cache = new Map<string, number>()

  function remember(text: string, id: number): number {
    cache.delete(text)
    if (cache.size >= maxCached) {
      const oldest = cache.keys().next().value
      if (oldest !== undefined) cache.delete(oldest)
    }
    cache.set(text, id)
    return id
  }

  function find(text: string): number | undefined {
    const cached = cache.get(text)
    if (cached !== undefined) return remember(text, cached)
    const stored = select.get(text) as number | undefined
    return stored === undefined ? undefined : remember(text, stored)
  }

  return {
    find,
    idOf(text) {
      return find(text) ?? remember(text, Number(insert.run(text).lastInsertRowid))
    },
    forget() {
      cache.clear()
    },
    get cached() {
      return cache.size
    },
  }
}
