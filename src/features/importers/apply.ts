// Owns putting an ImportBundle into Folio: every entry in order, then the tags' and other old addresses, counted in one report.
import { inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { tags } from '../../db/schema.ts'
import { isSitePath, TAGS_PATH, tagUrl } from '../../lib/urls.ts'
import { type ImageSteps, tagSlugOf } from './apply-content.ts'
import { type ImportRun, importEntry } from './apply-entry.ts'
import { redirectImages } from './apply-images.ts'
import { createRedirectWriter } from './apply-redirects.ts'
import type { ImportBundle } from './model.ts'
import { count, countImages, countProblem, createReport, type ImportReport } from './report.ts'

export interface ApplyOptions {
  /** As the operator named it, for the report's first line. */
  readonly file: string
  /** Decide everything, write and fetch nothing: the report says what would happen. */
  readonly dryRun: boolean
  /** The media library's side: real fetches, or in a dry run what would be fetched. */
  readonly images: ImageSteps
  readonly now?: Date
  readonly onProgress?: (done: number, total: number) => void
}

/** The Folio tags in use among `slugs`. */
function existingTags(db: Db, slugs: readonly string[]): Set<string> {
  if (slugs.length === 0) return new Set()
  return new Set(
    db
      .select({ slug: tags.slug })
      .from(tags)
      .where(inArray(tags.slug, [...slugs]))
      .all()
      .map((row) => row.slug),
  )
}

/**
 * Every tag and category of the old blog: created (or already here) when an imported post carries
 * it, and then its old pages redirect to the Folio tag. One no imported post carries (unused, or
 * past Folio's limit on a post's tags) has no page of its own: its old pages lead to the list of
 * tags. One whose name has nothing to make an address from is reported, once.
 */
function finishTags(run: ImportRun, report: ImportReport, before: Set<string>): void {
  const byslug = new Map<string, { name: string; oldPaths: string[] }>()
  const unaddressable = new Set<string>()
  const add = (name: string, oldPaths: readonly string[]) => {
    const slug = tagSlugOf(name)
    if (!slug) {
      unaddressable.add(name)
      return
    }
    const known = byslug.get(slug) ?? { name, oldPaths: [] }
    known.oldPaths.push(...oldPaths)
    byslug.set(slug, known)
  }
  for (const tag of run.bundle.tags) add(tag.name, tag.oldPaths)
  for (const entry of run.bundle.entries) for (const tag of entry.tags) add(tag.name, [])
  for (const name of unaddressable)
    countProblem(report, 'tags', 'skipped', {
      title: name,
      reason: 'a tag needs a letter or digit for its address',
    })
  const after = run.dryRun
    ? new Set([...before, ...run.plannedTags])
    : existingTags(run.db, [...byslug.keys()])
  for (const [slug, { name, oldPaths }] of byslug) {
    const here = after.has(slug)
    if (here) count(report, 'tags', before.has(slug) ? 'unchanged' : 'imported')
    else
      countProblem(report, 'tags', 'skipped', {
        title: name,
        reason: `no imported post carries it: its old address leads to ${TAGS_PATH}`,
      })
    const toPath = here ? tagUrl(slug) : TAGS_PATH
    for (const path of oldPaths) run.redirects.add(report, path, { toPath }, `tag ${name}`)
  }
}

/** Feeds, author pages and the like: fixed Folio paths the reader chose. */
function finishPathRedirects(run: ImportRun, report: ImportReport): void {
  for (const { fromPath, toPath } of run.bundle.pathRedirects) {
    if (isSitePath(toPath)) run.redirects.add(report, fromPath, { toPath }, fromPath)
    else
      countProblem(report, 'redirects', 'skipped', {
        title: fromPath,
        reason: `${toPath} is not on this site`,
      })
  }
}

/**
 * Imports `bundle`: each entry in its own transaction (if an import brought it in before, only
 * what it lacks: comments, addresses, images it could not have then; adopted if it is already
 * here; otherwise created), then the old addresses of the tags, feeds and images.
 * One entry that fails is reported and left out; the others are imported.
 */
export async function applyBundle(
  db: Db,
  bundle: ImportBundle,
  options: ApplyOptions,
): Promise<ImportReport> {
  const now = options.now ?? new Date()
  const report = createReport({ file: options.file, source: bundle.source, dryRun: options.dryRun })
  report.notes.push(...bundle.notes)
  report.readerSkipped.push(...bundle.skipped)
  for (const skipped of bundle.skipped)
    if (skipped.kind === 'post' || skipped.kind === 'page') count(report, `${skipped.kind}s`, 'skipped')
  const run: ImportRun = {
    db,
    bundle,
    images: options.images,
    dryRun: options.dryRun,
    now,
    redirects: createRedirectWriter(db, options.dryRun, now),
    seen: new Set(),
    plannedSlugs: { post: new Set(), page: new Set() },
    plannedTags: new Set(),
  }
  const tagSlugs = [...bundle.tags, ...bundle.entries.flatMap((e) => e.tags)].map((t) => tagSlugOf(t.name))
  const tagsBefore = existingTags(db, [...new Set(tagSlugs)])
  const total = bundle.entries.length
  for (const [index, entry] of bundle.entries.entries()) {
    await importEntry(run, entry, report)
    options.onProgress?.(index + 1, total)
  }
  const finish = () => {
    finishTags(run, report, tagsBefore)
    finishPathRedirects(run, report)
    redirectImages(db, report, run.redirects, { ...bundle, dryRun: options.dryRun })
  }
  if (options.dryRun) finish()
  else db.transaction(finish)
  countImages(report)
  return report
}
