// Owns queueing the Webmentions this site owes other pages: one row per source and target, written in the caller's transaction; send-worker.ts sends them.
import type { Db } from '../../db/client.ts'
import { outgoingWebmentions } from '../../db/schema.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import { MAX_URL_LENGTH } from './receive.ts'

/** A transaction or the database: the mention is owed by the same change that links (or unlinks) the page. */
type Writer = Pick<Db, 'insert'>

/**
 * Queues a Webmention from `sourceUrl` (a page of this site) to each of `targets`; returns how many
 * rows were added or started over. A target on the source's own origin is skipped (the site would
 * only be telling itself), and so is anything but an http(s) URL of a sane length. A pair already
 * waiting starts over, due now with its failed attempts forgotten: the page changed since, and the
 * receiver is owed a look at it as it is now.
 */
export function queueWebmentions(
  db: Writer,
  sourceUrl: string,
  targets: readonly string[],
  now = new Date(),
): number {
  const ownOrigin = new URL(sourceUrl).origin
  const fresh = { attempts: 0, lastError: '', nextAttemptAt: now, createdAt: now }
  let queued = 0
  for (const targetUrl of new Set(targets)) {
    if (targetUrl.length > MAX_URL_LENGTH || !isHttpUrl(targetUrl)) continue
    if (new URL(targetUrl).origin === ownOrigin) continue
    const { changes } = db
      .insert(outgoingWebmentions)
      .values({ sourceUrl, targetUrl, ...fresh })
      // createdAt starts over too: the worker tells a sending queued again while it ran by it.
      .onConflictDoUpdate({
        target: [outgoingWebmentions.sourceUrl, outgoingWebmentions.targetUrl],
        set: fresh,
      })
      .run()
    queued += changes
  }
  return queued
}
