// Owns the counts gathered between two flushes, in memory only and bounded: what a request adds to, and what the flush takes.
import type { StatsSourceKind } from '../../db/schema.ts'

/**
 * What one flush writes, and what a replica forwards to the primary (as JSON): sums and sets,
 * never a raw event. Tuples keep a forwarded batch small. Days are day numbers (days.ts); paths and
 * values travel as text, since label ids belong to the primary's database.
 */
export interface StatsBatch {
  readonly days: [day: number, views: number, botViews: number][]
  readonly paths: [day: number, path: string, views: number, reads: number][]
  readonly sources: [day: number, path: string, kind: StatsSourceKind, value: string, views: number][]
  readonly feeds: [day: number, reader: string, fetches: number, subscribers: number][]
  /** A visitor seen on a path that day; whether they are new is decided at flush time. */
  readonly visitors: [day: number, hash: string, path: string][]
}

export const emptyBatch = (): StatsBatch => ({ days: [], paths: [], sources: [], feeds: [], visitors: [] })

export const batchIsEmpty = (batch: StatsBatch): boolean =>
  batch.days.length +
    batch.paths.length +
    batch.sources.length +
    batch.feeds.length +
    batch.visitors.length ===
  0

/** `batch` in pieces of at most `size` keys, each a batch of its own (sums and sets add up). */
export function chunkBatch(batch: StatsBatch, size: number): StatsBatch[] {
  const pieces: StatsBatch[] = []
  let piece = emptyBatch()
  let keys = 0
  for (const name of ['days', 'paths', 'sources', 'feeds', 'visitors'] as const) {
    for (const tuple of batch[name]) {
      if (keys >= size) {
        pieces.push(piece)
        piece = emptyBatch()
        keys = 0
      }
      ;(piece[name] as unknown[]).push(tuple)
      keys += 1
    }
  }
  pieces.push(piece)
  return pieces
}

/** The pieces as one batch again. */
export const joinBatches = (pieces: readonly StatsBatch[]): StatsBatch => ({
  days: pieces.flatMap((piece) => piece.days),
  paths: pieces.flatMap((piece) => piece.paths),
  sources: pieces.flatMap((piece) => piece.sources),
  feeds: pieces.flatMap((piece) => piece.feeds),
  visitors: pieces.flatMap((piece) => piece.visitors),
})

export interface View {
  /** The site's day number (days.ts). */
  readonly day: number
  readonly path: string
  /** The visitor's hash for the day (visitor.ts). */
  readonly visitor: string
  readonly referrer?: string | undefined
  readonly campaign?: string | undefined
}

export interface Collector {
  view(view: View): void
  bot(day: number): void
  read(day: number, path: string): void
  feed(day: number, reader: string, subscribers: number): void
  /** Adds a forwarded batch, under the same bound as local counts. */
  merge(batch: StatsBatch): void
  /** Everything gathered so far, and a fresh start. */
  take(): { batch: StatsBatch; dropped: number }
  /** Distinct keys held: what the bound is about. */
  readonly size: number
}

/** Enough for a very busy half minute; beyond it, counts for new keys are dropped (and the number logged). */
export const DEFAULT_MAX_KEYS = 50_000

type Row<K extends keyof StatsBatch> = StatsBatch[K][number]

interface Tally {
  days: Map<string, Row<'days'>>
  paths: Map<string, Row<'paths'>>
  sources: Map<string, Row<'sources'>>
  feeds: Map<string, Row<'feeds'>>
  visitors: Map<string, Row<'visitors'>>
}

const emptyTally = (): Tally => ({
  days: new Map(),
  paths: new Map(),
  sources: new Map(),
  feeds: new Map(),
  visitors: new Map(),
})

export function createCollector(options: { maxKeys?: number } = {}): Collector {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
  let tally = emptyTally()
  let size = 0
  let dropped = 0

  /** The entry under `key`, made with `make` if there is room; undefined (and one drop counted) if not. */
  function entry<T>(map: Map<string, T>, key: string, make: NoInfer<() => T>): T | undefined {
    const found = map.get(key)
    if (found) return found
    if (size >= maxKeys) {
      dropped += 1
      return undefined
    }
    const made = make()
    map.set(key, made)
    size += 1
    return made
  }

  const day = (d: number) => entry(tally.days, String(d), () => [d, 0, 0])
  const path = (d: number, p: string) => entry(tally.paths, `${d}\n${p}`, () => [d, p, 0, 0])

  function addSource(d: number, p: string, kind: StatsSourceKind, value: string, views: number): void {
    const found = entry(tally.sources, `${d}\n${kind}\n${value}\n${p}`, () => [d, p, kind, value, 0])
    if (found) found[4] += views
  }

  function addVisitor(d: number, hash: string, p: string): void {
    entry(tally.visitors, `${d}\n${hash}\n${p}`, () => [d, hash, p])
  }

  function addFeed(d: number, reader: string, fetches: number, subscribers: number): void {
    const found = entry(tally.feeds, `${d}\n${reader}`, () => [d, reader, 0, 0])
    if (!found) return
    found[2] += fetches
    found[3] = Math.max(found[3], subscribers)
  }

  return {
    view(v) {
      const counts = day(v.day)
      if (counts) counts[1] += 1
      const page = path(v.day, v.path)
      if (page) page[2] += 1
      addVisitor(v.day, v.visitor, v.path)
      if (v.referrer) addSource(v.day, v.path, 'referrer', v.referrer, 1)
      if (v.campaign) addSource(v.day, v.path, 'campaign', v.campaign, 1)
    },
    bot(d) {
      const counts = day(d)
      if (counts) counts[2] += 1
    },
    read(d, p) {
      const page = path(d, p)
      if (page) page[3] += 1
    },
    feed(d, reader, subscribers) {
      addFeed(d, reader, 1, subscribers)
    },
    merge(batch) {
      for (const [d, views, bots] of batch.days) {
        const counts = day(d)
        if (counts) {
          counts[1] += views
          counts[2] += bots
        }
      }
      for (const [d, p, views, reads] of batch.paths) {
        const page = path(d, p)
        if (page) {
          page[2] += views
          page[3] += reads
        }
      }
      for (const [d, p, kind, value, views] of batch.sources) addSource(d, p, kind, value, views)
      for (const [d, reader, fetches, subscribers] of batch.feeds) addFeed(d, reader, fetches, subscribers)
      for (const [d, hash, p] of batch.visitors) addVisitor(d, hash, p)
    },
    take() {
      const taken = tally
      const result = {
        batch: {
          days: [...taken.days.values()],
          paths: [...taken.paths.values()],
          sources: [...taken.sources.values()],
          feeds: [...taken.feeds.values()],
          visitors: [...taken.visitors.values()],
        },
        dropped,
      }
      tally = emptyTally()
      size = 0
      dropped = 0
      return result
    },
    get size() {
      return size
    },
  }
}
