// Owns importing one post or page: skipped when already here, adopted when it matches, otherwise created, with its redirects and comments, all in one transaction.
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { pages, posts } from '../../db/schema.ts'
import { slugify, uniqueSlug } from '../../lib/slugs.ts'
import { plural } from '../../lib/text.ts'
import { RESERVED_PAGE_SLUGS, savePage } from '../content/pages.ts'
import { ContentInputError } from '../content/posts.ts'
import { savePostWithRevision } from '../content/revisions.ts'
import { pageCommentsOf, writeComments } from './apply-comments.ts'
import { type ImageSteps, type PreparedEntry, prepareEntry, titleOf, wantedSlugOf } from './apply-content.ts'
import { imagesAgain } from './apply-images.ts'
import { decide, recordImported } from './apply-items.ts'
import type { PlannedTarget, RedirectWriter } from './apply-redirects.ts'
import type { ImportBundle, ImportedEntry } from './model.ts'
import { addImages, count, countProblem, createReport, type ImportReport, mergeReport } from './report.ts'

/** What one run shares between its items. */
export interface ImportRun {
  readonly db: Db
  readonly bundle: ImportBundle
  readonly images: ImageSteps
  readonly dryRun: boolean
  readonly now: Date
  readonly redirects: RedirectWriter
  /** Entries seen so far, "post 123": an export naming one twice imports it once. */
  readonly seen: Set<string>
  /** Dry run: slugs that would be taken by the entries before, by kind. */
  readonly plannedSlugs: { readonly post: Set<string>; readonly page: Set<string> }
  /** Dry run: tags that the entries created so far would carry. */
  readonly plannedTags: Set<string>
}

/** The entry's address on the old site, absolute when the site's address is known: comments hang off it. */
function permalinkOf(bundle: ImportBundle, entry: ImportedEntry): string {
  const path = entry.oldPaths.find((p) => !p.includes('?')) ?? entry.oldPaths[0] ?? `/${entry.slug}`
  if (!bundle.siteUrl || !URL.canParse(bundle.siteUrl)) return path
  return new URL(path, `${bundle.siteUrl}/`).href
}

/** What the operator reads about a refused item. */
function reasonOf(error: unknown): string {
  if (error instanceof ContentInputError) return `${error.field}: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}

/** A slug no other post (or page, or Folio route) has, counting what this dry run would create. */
function chooseSlug(run: ImportRun, kind: 'post' | 'page', wanted: string): { slug: string; reason: string } {
  const table = kind === 'post' ? posts : pages
  const stored = (slug: string) =>
    run.db.select({ id: table.id }).from(table).where(eq(table.slug, slug)).get() !== undefined
  const slug = uniqueSlug(
    wanted,
    (candidate) =>
      (kind === 'page' && RESERVED_PAGE_SLUGS.has(candidate)) ||
      run.plannedSlugs[kind].has(candidate) ||
      stored(candidate),
  )
  const reason =
    kind === 'page' && RESERVED_PAGE_SLUGS.has(wanted)
      ? `/${wanted} is one of Folio’s own addresses`
      : `another ${kind} already has ${wanted}`
  return { slug, reason }
}

function save(run: ImportRun, prepared: PreparedEntry, slug: string): number {
  const now = run.now
  if (prepared.kind === 'page')
    return savePage(run.db, { ...prepared.input, slug }, { now, bodyHtml: prepared.bodyHtml })
  return savePostWithRevision(run.db, { ...prepared.input, slug }, { now, html: prepared.html })
}

/** The entry's old URLs and its comments, pointing at `target` (in a dry run maybe an entry not created yet). */
function writeLinks(
  run: ImportRun,
  report: ImportReport,
  entry: ImportedEntry,
  title: string,
  targetId: number | undefined,
): void {
  const target: PlannedTarget =
    targetId === undefined
      ? { wouldCreate: `${entry.kind} ${entry.sourceId}` }
      : entry.kind === 'post'
        ? { postId: targetId }
        : { pageId: targetId }
  for (const path of entry.oldPaths) run.redirects.add(report, path, target, title)
  if (entry.comments.length === 0) return
  const permalink = permalinkOf(run.bundle, entry)
  if (entry.kind === 'page') {
    // Not lost: the report keeps each one.
    report.pageComments.push(...pageCommentsOf(title, permalink, entry.comments))
    countProblem(
      report,
      'comments',
      'skipped',
      {
        title,
        reason: `${plural(entry.comments.length, 'comment')} on a page: Folio shows responses under posts only`,
      },
      entry.comments.length,
    )
    return
  }
  const { source } = run.bundle
  const commentTarget = { source, title, postId: targetId, permalink, dryRun: run.dryRun, now: run.now }
  writeComments(run.db, report, commentTarget, entry.comments)
}

/**
 * Runs `work` as one transaction; a dry run writes nothing, so it just runs it. savePost and
 * savePage open transactions of their own inside it, which better-sqlite3 nests as savepoints:
 * whatever fails rolls the whole entry back.
 */
function inTransaction(run: ImportRun, work: () => void): void {
  if (run.dryRun) work()
  else run.db.transaction(() => work())
}

/** Decides what becomes of the entry and does it, counting into `part` (the entry's own report). */
async function applyEntry(
  run: ImportRun,
  entry: ImportedEntry,
  title: string,
  part: ImportReport,
): Promise<void> {
  const { db, bundle } = run
  const kind = entry.kind === 'post' ? 'posts' : 'pages'
  const wanted = wantedSlugOf(entry, title)
  const record = (targetId: number) =>
    recordImported(
      db,
      { source: bundle.source, kind: entry.kind, sourceId: entry.sourceId, targetId },
      run.now,
    )
  const decision = decide(db, bundle.source, entry, { title, slug: wanted })
  if (decision.action === 'unchanged') {
    count(part, kind, 'unchanged')
    const { targetId, importedAt } = decision
    if (targetId === undefined) {
      const note = 'imported before and deleted on Folio since: left deleted'
      part.entryNotes.push({ kind: entry.kind, title, note })
      return
    }
    // Images the earlier import could not have may be here now (--media-dir, the old site back up).
    const again = { ...run, source: bundle.source }
    const saveImages = await imagesAgain(again, entry, title, { id: targetId, importedAt }, part)
    // A newer export of the same blog may bring comments and addresses the first one had not.
    inTransaction(run, () => {
      saveImages?.()
      writeLinks(run, part, entry, title, targetId)
    })
    return
  }
  if (decision.action === 'matched') {
    count(part, kind, 'matched')
    inTransaction(run, () => {
      if (!run.dryRun) record(decision.targetId)
      writeLinks(run, part, entry, title, decision.targetId)
    })
    return
  }
  const context = { images: run.images, attachmentUrls: bundle.attachmentUrls }
  const prepared = await prepareEntry(db, context, entry, part)
  const { slug, reason } = chooseSlug(run, entry.kind, wanted)
  if (slug !== wanted) part.slugChanges.push({ kind: entry.kind, title, wanted, slug, reason })
  inTransaction(run, () => {
    const id = run.dryRun ? undefined : save(run, prepared, slug)
    if (id !== undefined) record(id)
    writeLinks(run, part, entry, title, id)
  })
  count(part, kind, 'imported')
  if (run.dryRun) {
    run.plannedSlugs[entry.kind].add(slug)
    if (prepared.kind === 'post')
      for (const tag of prepared.input.tags ?? []) run.plannedTags.add(slugify(tag))
  }
}

/**
 * Imports one entry into `report`. Whatever goes wrong with it is reported as its failure and
 * nothing of it stays written; images it brought into the library stay there for the next try.
 */
export async function importEntry(run: ImportRun, entry: ImportedEntry, report: ImportReport): Promise<void> {
  const kind = entry.kind === 'post' ? 'posts' : 'pages'
  const title = titleOf(entry)
  const seenKey = `${entry.kind} ${entry.sourceId}`
  if (run.seen.has(seenKey)) {
    const reason = `the export holds ${entry.kind} ${entry.sourceId} twice; the first one was imported`
    countProblem(report, kind, 'skipped', { title, reason })
    return
  }
  run.seen.add(seenKey)
  const part = createReport({ file: '', source: run.bundle.source, dryRun: run.dryRun })
  try {
    await applyEntry(run, entry, title, part)
    mergeReport(report, part)
  } catch (error) {
    addImages(report, part.images)
    countProblem(report, kind, 'failed', { title, reason: reasonOf(error) })
  }
}
