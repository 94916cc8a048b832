// Owns sending a LiteFS replica's counts to the primary: signed JSON batches in, checked and bounded, merged into the primary's next flush.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import * as z from 'zod'
import { STATS_SOURCE_KIND, type StatsSourceKind } from '../../db/schema.ts'
import { MAX_PATH_LENGTH } from './classify.ts'
import { DEFAULT_MAX_KEYS, emptyBatch, type StatsBatch } from './collector.ts'
import { FEED_READER_NAMES } from './feed-readers.ts'

/** The secret (features/auth/secrets.ts) both ends sign with: made by the primary, replicated to every machine. */
export const FORWARDING_SECRET = 'stats-forwarding'
export const SIGNATURE_HEADER = 'x-folio-signature'
export const BATCH_CONTENT_TYPE = 'application/vnd.folio.stats+json'
/** The route refuses bigger bodies; a replica splits its batch into pieces under half of it. */
export const MAX_BODY_BYTES = 512 * 1024
const PIECE_BYTES = MAX_BODY_BYTES / 2
/** A signed batch older (or newer) than this is refused: a copy replayed later counts nothing. */
const MAX_SKEW_MS = 5 * 60_000

export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(signBody(secret, body.toString('utf8')))
  const given = Buffer.from(signature)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** A batch in pieces small enough to send, each one a valid batch on its own (sums and sets add up). */
export function splitBatch(batch: StatsBatch, maxBytes = PIECE_BYTES): StatsBatch[] {
  const pieces: StatsBatch[] = []
  let piece = emptyBatch()
  let bytes = 0
  for (const key of ['days', 'paths', 'sources', 'feeds', 'visitors'] as const) {
    for (const tuple of batch[key]) {
      const size = JSON.stringify(tuple).length + 1
      if (bytes + size > maxBytes && bytes > 0) {
        pieces.push(piece)
        piece = emptyBatch()
        bytes = 0
      }
      ;(piece[key] as unknown[]).push(tuple)
      bytes += size
    }
  }
  if (bytes > 0) pieces.push(piece)
  return pieces
}

export interface ForwardOptions {
  /** The absolute STATS_BATCH_PATH: Fly's proxy and LiteFS's replay a POST there on the primary. */
  readonly url: string
  readonly secret: string
  readonly now: () => Date
  readonly timeoutMs?: number
}

/** Sends every piece of `batch`; returns how many were refused or failed (their counts are dropped). */
export async function forwardBatch(batch: StatsBatch, options: ForwardOptions): Promise<string[]> {
  const failures: string[] = []
  for (const piece of splitBatch(batch)) {
    const body = JSON.stringify({ id: randomUUID(), sentAt: options.now().getTime(), batch: piece })
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': BATCH_CONTENT_TYPE, [SIGNATURE_HEADER]: signBody(options.secret, body) },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      })
      await res.body?.cancel()
      if (res.status !== 204) failures.push(`the primary answered ${res.status}`)
    } catch (err) {
      failures.push((err as Error).message)
    }
  }
  return failures
}

/** A day number (days.ts): 0 is 1970-01-01, 100,000 is in the 23rd century. */
const day = z.number().int().min(0).max(100_000)
const path = z
  .string()
  .max(MAX_PATH_LENGTH)
  .regex(/^\/[^\s]*$/)
const SOURCE_KINDS = Object.keys(STATS_SOURCE_KIND) as [StatsSourceKind, ...StatsSourceKind[]]
const count = z.number().int().min(0).max(1_000_000_000)
const list = <T extends z.ZodType>(item: T) => z.array(item).max(DEFAULT_MAX_KEYS)

// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
const forwarded = z.lazy(() =>
  z.object({
    id: z.uuid(),
    sentAt: z.number().int(),
    batch: z.object({
      days: list(z.tuple([day, count, count])),
      paths: list(z.tuple([day, path, count, count])),
      sources: list(
        z.tuple([day, path, z.enum(SOURCE_KINDS), z.string().regex(/^[a-z0-9._/-]{1,120}$/), count]),
      ),
      feeds: list(z.tuple([day, z.enum(FEED_READER_NAMES as [string, ...string[]]), count, count])),
      visitors: list(z.tuple([day, z.string().regex(/^[A-Za-z0-9_-]{16}$/), path])),
    }),
  }),
)

export type ReceivedBatch =
  | { readonly ok: true; readonly batch: StatsBatch }
  | { readonly ok: false; readonly status: 400 | 401 | 409; readonly message: string }

/**
 * Checks a forwarded body: signed with the shared secret, recent, not seen before, well-formed.
 * `seen` remembers ids for the skew window (bounded by the caller's pruning).
 */
export function receiveBatch(
  body: Buffer,
  signature: string | undefined,
  context: { secret: string; now: Date; today: number; seen: Map<string, number> },
): ReceivedBatch {
  if (!signature || !signatureMatches(context.secret, body, signature))
    return { ok: false, status: 401, message: 'The batch is not signed with this site’s forwarding secret.' }
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    return { ok: false, status: 400, message: 'The batch is not JSON.' }
  }
  const parsed = forwarded.safeParse(json)
  if (!parsed.success)
    return { ok: false, status: 400, message: 'The batch does not have the expected shape.' }
  const { id, sentAt, batch } = parsed.data
  const now = context.now.getTime()
  if (Math.abs(now - sentAt) > MAX_SKEW_MS)
    return { ok: false, status: 400, message: 'The batch is too old (or from the future).' }
  for (const [seenId, until] of context.seen) if (until < now) context.seen.delete(seenId)
  if (context.seen.has(id)) return { ok: false, status: 409, message: 'This batch was received already.' }
  if (context.seen.size >= 10_000) return { ok: false, status: 409, message: 'Too many batches at once.' }
  context.seen.set(id, now + MAX_SKEW_MS)
  // The primary's today and the day either side (time zones, midnight); nothing older or later.
  const near = <T extends [number, ...unknown[]]>(rows: T[]) =>
    rows.filter((row) => Math.abs(row[0] - context.today) <= 1)
  return {
    ok: true,
    batch: {
      days: near(batch.days),
      paths: near(batch.paths),
      sources: near(batch.sources),
      feeds: near(batch.feeds),
      // Yesterday's hashes are deleted with its salt: one stored now would never be deleted.
      visitors: near(batch.visitors).filter((row) => row[0] >= context.today),
    },
  }
}
