// Owns storing an imported blog's old URLs: which ones become redirects, which are left to Folio's own routes, and how each is counted.
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { redirects } from '../../db/schema.ts'
import { FOLIO_TOP_LEVEL_SEGMENTS } from '../../lib/urls.ts'
import { oldPathKey } from './old-paths.ts'
import { addRedirect, type RedirectTarget } from './redirects.ts'
import { count, countProblem, type ImportReport } from './report.ts'

/** A redirect's target, or in a dry run the entry that would be created (it has no id yet). */
export type PlannedTarget = RedirectTarget | { readonly wouldCreate: string }

/** The key's first segment: under one of Folio's own (/admin, /media, /tags…) an old blog's URL is never asked. */
const rootOf = (key: string): string => key.slice(1).split(/[/?]/, 1)[0] ?? ''

function describe(target: PlannedTarget): string {
  if ('postId' in target) return `post ${target.postId}`
  if ('pageId' in target) return `page ${target.pageId}`
  if ('toPath' in target) return target.toPath
  return `new ${target.wouldCreate}`
}

function storedTarget(db: Db, key: string): string | undefined {
  const row = db
    .select({ postId: redirects.postId, pageId: redirects.pageId, toPath: redirects.toPath })
    .from(redirects)
    .where(eq(redirects.fromPath, key))
    .get()
  if (!row) return undefined
  if (row.postId !== null) return describe({ postId: row.postId })
  if (row.pageId !== null) return describe({ pageId: row.pageId })
  return describe({ toPath: row.toPath })
}

export interface RedirectWriter {
  /** Stores `fromPath` → `target`, counting the outcome in `report` under `title` (whose old URL it is). */
  add(report: ImportReport, fromPath: string, target: PlannedTarget, title: string): void
}

/**
 * Writes one run's redirects. Keys come from oldPathKey, the rule the site looks them up by; a
 * key already taken keeps its first target, so a second import changes nothing. In a dry run
 * nothing is written: what would be is remembered, so later items see it as taken.
 */
export function createRedirectWriter(db: Db, dryRun: boolean, now: Date): RedirectWriter {
  const planned = new Map<string, string>()
  return {
    add(report, fromPath, target, title) {
      const key = oldPathKey(fromPath)
      // The bare old home page: Folio's home answers it.
      if (key === null && /^(?:https?:\/\/[^/]+)?\/?(?:index\.php)?$/i.test(fromPath.trim())) return
      if (key === null) {
        countProblem(report, 'redirects', 'skipped', { title, reason: `${fromPath} is not a usable address` })
        return
      }
      if (FOLIO_TOP_LEVEL_SEGMENTS.has(rootOf(key).toLowerCase())) {
        countProblem(report, 'redirects', 'skipped', { title, reason: `Folio answers ${key} itself` })
        return
      }
      const wanted = describe(target)
      const existing = planned.get(key) ?? storedTarget(db, key)
      if (existing !== undefined) {
        if (existing === wanted) count(report, 'redirects', 'unchanged')
        else
          countProblem(report, 'redirects', 'skipped', {
            title,
            reason: `${key} already redirects to ${existing}`,
          })
        return
      }
      let added = true
      if (dryRun || 'wouldCreate' in target) planned.set(key, wanted)
      else added = addRedirect(db, key, target, now)
      count(report, 'redirects', added ? 'imported' : 'unchanged')
    },
  }
}
