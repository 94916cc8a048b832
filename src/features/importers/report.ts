// Owns what an import from WordPress or Ghost tells the operator: counts per kind, every skip and failure with its reason, and what needs a look.
import type { ImageReport } from './images.ts'
import type { SkippedItem } from './model.ts'

export const REPORT_KINDS = ['posts', 'pages', 'tags', 'comments', 'images', 'redirects'] as const
export type ReportKind = (typeof REPORT_KINDS)[number]

/** What happened to one thing: created, already there from an earlier import, adopted, left out, or refused. */
export const OUTCOMES = ['imported', 'unchanged', 'matched', 'skipped', 'failed'] as const
export type Outcome = (typeof OUTCOMES)[number]

export type Counts = Record<Outcome, number>

/** A skip or failure the operator should read: what it was, and why. */
export interface ReportProblem {
  readonly kind: ReportKind
  readonly outcome: 'skipped' | 'failed'
  readonly title: string
  readonly reason: string
}

export interface SlugChange {
  readonly kind: 'post' | 'page'
  readonly title: string
  readonly wanted: string
  readonly slug: string
  readonly reason: string
}

/** Something in one post or page the converter could not turn into Markdown, or left out. */
export interface ContentNote {
  readonly title: string
  readonly items: readonly string[]
}

/** What the operator should know about one post or page ("sticky on the old site"). */
export interface EntryNote {
  readonly kind: 'post' | 'page'
  readonly title: string
  readonly note: string
}

/** A comment on a page: Folio shows responses under posts only, so the report keeps its words. */
export interface PageComment {
  readonly page: string
  readonly author: string
  readonly authorUrl: string
  /** ISO 8601, or null when the export gave no date. */
  readonly date: string | null
  readonly status: string
  readonly text: string
}

export interface ImportReport {
  readonly file: string
  readonly source: string
  /** Nothing was written or fetched: every count says what would happen. */
  readonly dryRun: boolean
  readonly counts: Record<ReportKind, Counts>
  readonly problems: ReportProblem[]
  readonly slugChanges: SlugChange[]
  /** Each address once: brought into the library, already there (an earlier import), or not to be had. */
  readonly images: { fetched: string[]; reused: string[]; missing: { url: string; reason: string }[] }
  /** Posts and pages whose Markdown keeps some HTML, and which elements. */
  readonly keptHtml: ContentNote[]
  /** Posts and pages the converter took something out of (not safe, or nothing a reader could see). */
  readonly removed: ContentNote[]
  readonly unconvertedShortcodes: ContentNote[]
  /** About the whole file ("3 authors mapped to you: …"). */
  readonly notes: string[]
  /** About single posts and pages. */
  readonly entryNotes: EntryNote[]
  /** Comments on pages, which were not imported: every one, so that nothing is lost. */
  readonly pageComments: PageComment[]
  /** What the reader of the export left out (attachments, menu items, trashed posts…). */
  readonly readerSkipped: SkippedItem[]
}

const noCounts = (): Counts => ({ imported: 0, unchanged: 0, matched: 0, skipped: 0, failed: 0 })

export function createReport(meta: { file: string; source: string; dryRun: boolean }): ImportReport {
  return {
    ...meta,
    counts: Object.fromEntries(REPORT_KINDS.map((kind) => [kind, noCounts()])) as Record<ReportKind, Counts>,
    problems: [],
    slugChanges: [],
    images: { fetched: [], reused: [], missing: [] },
    keptHtml: [],
    removed: [],
    unconvertedShortcodes: [],
    notes: [],
    entryNotes: [],
    pageComments: [],
    readerSkipped: [],
  }
}

/** Counts an outcome. */
export function count(report: ImportReport, kind: ReportKind, outcome: Outcome, by = 1): void {
  report.counts[kind][outcome] += by
}

/** Counts a skip or failure with what the operator reads about it: which item, and why. */
export function countProblem(
  report: ImportReport,
  kind: ReportKind,
  outcome: 'skipped' | 'failed',
  problem: { title: string; reason: string },
  by = 1,
): void {
  count(report, kind, outcome, by)
  report.problems.push({ kind, outcome, ...problem })
}

/**
 * Adds what one item's transaction counted, once it committed: an item rolled back leaves no
 * counts behind, only its failure.
 */
export function mergeReport(into: ImportReport, part: ImportReport): void {
  for (const kind of REPORT_KINDS)
    for (const outcome of OUTCOMES) into.counts[kind][outcome] += part.counts[kind][outcome]
  into.problems.push(...part.problems)
  into.slugChanges.push(...part.slugChanges)
  addImages(into, part.images)
  into.keptHtml.push(...part.keptHtml)
  into.removed.push(...part.removed)
  into.unconvertedShortcodes.push(...part.unconvertedShortcodes)
  into.notes.push(...part.notes)
  into.entryNotes.push(...part.entryNotes)
  into.pageComments.push(...part.pageComments)
}

/** What the media step said about one entry's images (counted once each by countImages). */
export function addImages(report: ImportReport, images: ImageReport): void {
  report.images.fetched.push(...images.fetched)
  report.images.reused.push(...images.reused)
  report.images.missing.push(...images.missing)
}

/** Counts each image once, however many entries show it; one brought in by this run is not also "already there". */
export function countImages(report: ImportReport): void {
  const fetched = new Set(report.images.fetched)
  const reused = new Set(report.images.reused.filter((url) => !fetched.has(url)))
  const missing = new Map(report.images.missing.map((image) => [image.url, image]))
  report.images.fetched.splice(0, Number.POSITIVE_INFINITY, ...fetched)
  report.images.reused.splice(0, Number.POSITIVE_INFINITY, ...reused)
  report.images.missing.splice(0, Number.POSITIVE_INFINITY, ...missing.values())
  count(report, 'images', 'imported', fetched.size)
  count(report, 'images', 'unchanged', reused.size)
  count(report, 'images', 'failed', missing.size)
}

/**
 * Whether a post, page or comment was refused: the command then exits 1, though the rest was
 * imported. A missing image is listed, never a failure: the post keeps the image's old address.
 */
export const hasFailures = (report: ImportReport): boolean =>
  REPORT_KINDS.some((kind) => kind !== 'images' && report.counts[kind].failed > 0)

/** The `--report` file: the same facts, for a script or a second look. */
export const reportJson = (report: ImportReport): string => `${JSON.stringify(report, null, 2)}\n`
