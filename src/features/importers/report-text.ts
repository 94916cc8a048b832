// Owns the import report as the operator reads it on the terminal: counts first, then whatever needs a look, grouped and cut short so that a ten-year-old blog's report stays readable.
import { plural } from '../../lib/text.ts'
import type { MissingImage } from './images.ts'
import { type ContentNote, type Counts, type ImportReport, REPORT_KINDS, type ReportKind } from './report.ts'

/** Each kind's words for what happened, as the operator says them. */
const WORDS: Record<ReportKind, Partial<Record<keyof Counts, string>>> = {
  posts: { matched: 'matched by slug' },
  pages: { matched: 'matched by slug' },
  tags: { imported: 'created', unchanged: 'already there' },
  comments: {},
  images: { imported: 'fetched', unchanged: 'already in the library', failed: 'missing' },
  redirects: { imported: 'created', unchanged: 'already there' },
}

function describeCounts(kind: ReportKind, counts: Counts, dryRun: boolean): string {
  const parts = (Object.keys(counts) as (keyof Counts)[])
    .filter((outcome) => counts[outcome] > 0 || outcome === 'imported')
    .map((outcome) => {
      const word = WORDS[kind][outcome] ?? outcome
      return dryRun && outcome === 'imported'
        ? `${counts[outcome]} would be ${word}`
        : `${counts[outcome]} ${word}`
    })
  return `  ${`${kind}:`.padEnd(11)}${parts.join(', ')}`
}

/** Lines shown under one heading; the rest are counted, and all of them are in the JSON report. */
const LINES_SHOWN = 10
/** Names shown on a grouped line before "and N more". */
const NAMES_SHOWN = 8

/** A heading and its indented lines, at most LINES_SHOWN of them, or nothing when there are none. */
function section(heading: string, lines: readonly string[], more: string): string[] {
  if (lines.length === 0) return []
  const shown = lines.length > LINES_SHOWN + 1 ? lines.slice(0, LINES_SHOWN) : lines
  const rest = lines.length - shown.length
  const cut = rest > 0 ? [`… and ${rest} more ${more}`] : []
  return ['', heading, ...[...shown, ...cut].map((line) => `  ${line}`)]
}

const quoted = (title: string): string => `“${title}”`

/** The first names, then how many more: “A”, “B” and 3 more. */
function names(titles: readonly string[], shown = NAMES_SHOWN): string {
  const more = titles.length > shown ? ` and ${titles.length - shown} more` : ''
  return `${titles.slice(0, shown).map(quoted).join(', ')}${more}`
}

/** `items` in groups by `key`, in the order each group first appears. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return [...groups.values()]
}

/**
 * One line per item, except that more than three of one kind for one reason (a blog's unused
 * tags, its attachments, its sticky posts) share a line.
 */
function groupedLines(items: readonly { kind: string; title: string; reason: string }[]): string[] {
  return groupBy(items, ({ kind, reason }) => `${kind}\n${reason}`).flatMap((group) => {
    const [{ kind, reason }] = group as [(typeof group)[number]]
    const titles = group.map((item) => item.title)
    if (titles.length <= 3) return titles.map((title) => `${kind} ${quoted(title)}: ${reason}`)
    return [`${plural(titles.length, kind)} (${names(titles)}): ${reason}`]
  })
}

/**
 * One line per element or shortcode, naming the posts and pages that have it; elements that the
 * same posts have share a line ("abbr, kbd, sub: “Markup”").
 */
function byItem(notes: readonly ContentNote[]): string[] {
  const pairs = notes.flatMap(({ title, items }) => [...new Set(items)].map((item) => ({ item, title })))
  const byTitles = groupBy(
    groupBy(pairs, (pair) => pair.item).map((group) => ({
      item: group[0]?.item ?? '',
      titles: group.map((pair) => pair.title),
    })),
    (entry) => entry.titles.join('\n'),
  )
  return byTitles.map((group) => {
    const titles = group[0]?.titles ?? []
    const count = titles.length > 3 ? `${plural(titles.length, 'entry', 'entries')}, ` : ''
    return `${group.map((entry) => entry.item).join(', ')}: ${count}${names(titles)}`
  })
}

/** Missing images by host and reason: one line for an image alone, one for many. */
function missingLines(missing: readonly MissingImage[]): string[] {
  const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).host : 'the old site')
  return groupBy(missing, (image) => `${hostOf(image.url)}\n${image.reason}`).map((group) => {
    const [{ url, reason }] = group as [MissingImage]
    if (group.length === 1) return `${url}: ${reason}`
    const some = group.slice(0, 3).map((image) => image.url)
    const more = group.length > some.length ? ` and ${group.length - some.length} more` : ''
    return `${group.length} images on ${hostOf(url)}: ${reason} (${some.join(', ')}${more})`
  })
}

/** "posts" → "post", as one item of the kind is named. */
const singular = (kind: string): string => kind.replace(/s$/, '')

/**
 * The report as printed on stdout: a summary, then the problems, slug changes, missing images and
 * leftovers, each list cut short where the JSON report (`reportFile`, when asked for) has it all.
 */
export function describeReport(report: ImportReport, reportFile?: string): string {
  const head = report.dryRun
    ? `Dry run of ${report.file} (${report.source}): nothing was written or fetched. What an import would do:`
    : `Imported ${report.file} (${report.source}):`
  const lines = [
    head,
    ...REPORT_KINDS.map((kind) => describeCounts(kind, report.counts[kind], report.dryRun)),
  ]
  const more = reportFile ? `(all in ${reportFile})` : '(--report FILE lists them all)'
  const problems = (outcome: 'skipped' | 'failed') =>
    report.problems.filter((p) => p.outcome === outcome).map((p) => ({ ...p, kind: singular(p.kind) }))
  const failed = problems('failed').map((p) => `${p.kind} ${quoted(p.title)}: ${p.reason}`)
  const readerSkipped = report.readerSkipped.map((s) => ({ ...s, title: s.title || s.sourceId }))
  const entryNotes = report.entryNotes.map((n) => ({ kind: n.kind, title: n.title, reason: n.note }))
  lines.push(
    ...section('Failed (not imported; nothing of them was written):', failed, more),
    ...section('Skipped:', groupedLines([...problems('skipped'), ...readerSkipped]), more),
    ...section(
      'Slugs changed:',
      report.slugChanges.map((c) => `${c.kind} ${quoted(c.title)}: ${c.wanted} → ${c.slug} (${c.reason})`),
      more,
    ),
    ...section(
      'Images missing (where they appear, the old address stays):',
      missingLines(report.images.missing),
      more,
    ),
    ...section('Kept as HTML (shown sanitised; worth a look in the editor):', byItem(report.keptHtml), more),
    ...section('Removed (not safe or not showable):', byItem(report.removed), more),
    ...section('Shortcodes left as they were:', byItem(report.unconvertedShortcodes), more),
    ...section(
      'Notes:',
      [...report.notes, ...pageCommentsNote(report, reportFile), ...groupedLines(entryNotes)],
      more,
    ),
  )
  return lines.join('\n')
}

/** Comments on pages were not imported: where their words are kept. */
function pageCommentsNote(report: ImportReport, reportFile: string | undefined): string[] {
  const comments = report.pageComments
  if (comments.length === 0) return []
  const pages = new Set(comments.map((c) => c.page)).size
  const kept = reportFile
    ? `${reportFile} keeps each one’s author, date and words`
    : 'run again with --report FILE to keep each one’s author, date and words'
  return [
    `${plural(comments.length, 'comment')} on ${plural(pages, 'page')} ${comments.length === 1 ? 'was' : 'were'} not imported (Folio shows responses under posts only): ${kept}.`,
  ]
}
