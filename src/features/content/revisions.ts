// Owns post revisions: a copy of every save, comparing one with the post, restoring it, and the line diff.
import { desc, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type PostKind, type PostStatus, postRevisions, posts, series } from '../../db/schema.ts'
import { escapeHtml } from '../../lib/html.ts'
import { htmlToText, truncateText } from '../../lib/markdown.ts'
import { type PostHtml, type PostInput, savePost } from './posts.ts'
import { tagNamesOf } from './tags.ts'

/** The parts of a post the author edits, in the shape a revision stores them. */
export interface PostContent {
  readonly title: string
  readonly slug: string
  readonly kind: PostKind
  readonly status: PostStatus
  readonly publishedAt: Date | null
  readonly linkUrl: string | null
  /** Tag names, comma-joined. */
  readonly tags: string
  /** The series title; empty for none. */
  readonly series: string
  readonly seriesPart: number | null
  /** Empty when savePost derives it from the text. */
  readonly metaDescription: string
  readonly excerptMd: string
  readonly quoteMd: string
  readonly bodyMd: string
}

export interface EditablePost extends PostContent {
  readonly id: number
  readonly updatedAt: Date
}

// savePost fills an empty meta description from the excerpt or text, cut to this length.
const DERIVED_META_LENGTH = 160

/** A post's content as stored now, or undefined when there is no such post. */
export function loadPostContent(db: Db, postId: number): EditablePost | undefined {
  const row = db
    .select({
      id: posts.id,
      title: posts.title,
      slug: posts.slug,
      kind: posts.kind,
      status: posts.status,
      publishedAt: posts.publishedAt,
      linkUrl: posts.linkUrl,
      seriesTitle: series.title,
      seriesPart: posts.seriesPart,
      metaDescription: posts.metaDescription,
      excerptMd: posts.excerptMd,
      excerptHtml: posts.excerptHtml,
      quoteMd: posts.quoteMd,
      bodyMd: posts.bodyMd,
      bodyHtml: posts.bodyHtml,
      updatedAt: posts.updatedAt,
    })
    .from(posts)
    .leftJoin(series, eq(series.id, posts.seriesId))
    .where(eq(posts.id, postId))
    .get()
  if (!row) return undefined
  const tagNames = tagNamesOf(db, postId)
  // A description savePost derived is shown as empty, so it keeps following the text.
  const derived = truncateText(htmlToText(row.excerptHtml) || htmlToText(row.bodyHtml), DERIVED_META_LENGTH)
  return {
    id: row.id,
    title: row.title,
    slug: row.slug,
    kind: row.kind,
    status: row.status,
    publishedAt: row.publishedAt,
    linkUrl: row.linkUrl,
    tags: tagNames.join(', '),
    series: row.seriesTitle ?? '',
    seriesPart: row.seriesPart,
    metaDescription: row.metaDescription === derived ? '' : row.metaDescription,
    excerptMd: row.excerptMd,
    quoteMd: row.quoteMd,
    bodyMd: row.bodyMd,
    updatedAt: row.updatedAt,
  }
}

/**
 * Stores the post as it was just saved. The slug, date and part number are read back from the
 * post, because savePost may have made the slug unique or filled in the date.
 */
export function recordRevision(db: Db, postId: number, input: PostInput, now: Date): number {
  const saved = loadPostContent(db, postId)
  if (!saved) throw new Error(`recordRevision: post ${postId} does not exist`)
  return db
    .insert(postRevisions)
    .values({
      postId,
      title: saved.title,
      slug: saved.slug,
      kind: saved.kind,
      status: saved.status,
      publishedAt: saved.publishedAt,
      linkUrl: saved.linkUrl,
      tags: saved.tags,
      series: saved.series,
      seriesPart: saved.seriesPart,
      metaDescription: input.metaDescription?.trim() ?? '',
      excerptMd: saved.excerptMd,
      quoteMd: saved.quoteMd,
      bodyMd: saved.bodyMd,
      createdAt: now,
    })
    .returning({ id: postRevisions.id })
    .get().id
}

/** savePost and its revision in one transaction: a save is never kept without its revision. */
export function savePostWithRevision(
  db: Db,
  input: PostInput,
  options: { id?: number; now: Date; html?: PostHtml },
): number {
  return db.transaction(() => {
    const id = savePost(db, input, options)
    recordRevision(db, id, input, options.now)
    return id
  })
}

export interface RevisionSummary {
  readonly id: number
  readonly title: string
  readonly status: PostStatus
  readonly createdAt: Date
}

export function listRevisions(db: Db, postId: number): RevisionSummary[] {
  return db
    .select({
      id: postRevisions.id,
      title: postRevisions.title,
      status: postRevisions.status,
      createdAt: postRevisions.createdAt,
    })
    .from(postRevisions)
    .where(eq(postRevisions.postId, postId))
    .orderBy(desc(postRevisions.id))
    .all()
}

export type Revision = PostContent & {
  readonly id: number
  readonly postId: number
  readonly createdAt: Date
}

export function findRevision(db: Db, postId: number, revisionId: number): Revision | undefined {
  const row = db.select().from(postRevisions).where(eq(postRevisions.id, revisionId)).get()
  return row && row.postId === postId ? row : undefined
}

/**
 * What restoring a revision saves: its words, link, tags and series. The post keeps its current
 * address, status and date, so restoring old text never unpublishes a post or moves its URL.
 */
export function revisionAsInput(
  revision: PostContent,
  current: Pick<PostContent, 'slug' | 'status' | 'publishedAt'>,
): PostInput {
  return {
    title: revision.title,
    slug: current.slug,
    kind: revision.kind,
    bodyMd: revision.bodyMd,
    excerptMd: revision.excerptMd,
    linkUrl: revision.linkUrl ?? undefined,
    quoteMd: revision.quoteMd,
    tags: revision.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    series: revision.series,
    seriesPart: revision.series ? (revision.seriesPart ?? undefined) : undefined,
    status: current.status,
    publishedAt: current.publishedAt ?? undefined,
    metaDescription: revision.metaDescription,
  }
}

export interface FieldChange {
  readonly field: keyof PostContent
  readonly label: string
  readonly before: string
  readonly after: string
}

const COMPARED_FIELDS: readonly [keyof PostContent, string][] = [
  ['title', 'Title'],
  ['slug', 'Address (slug)'],
  ['kind', 'Kind'],
  ['status', 'Status'],
  ['publishedAt', 'Publish date'],
  ['linkUrl', 'Link URL'],
  ['tags', 'Tags'],
  ['series', 'Series'],
  ['seriesPart', 'Part number'],
  ['metaDescription', 'Meta description'],
  ['excerptMd', 'Excerpt'],
  ['quoteMd', 'Quoted passage'],
]

/** Every field other than the body that differs between two versions, as text. */
export function changedFields(
  before: PostContent,
  after: PostContent,
  formatDate: (date: Date) => string,
): FieldChange[] {
  const show = (value: PostContent[keyof PostContent]): string =>
    value instanceof Date ? formatDate(value) : value === null ? '' : String(value)
  const changes: FieldChange[] = []
  for (const [field, label] of COMPARED_FIELDS) {
    const a = show(before[field])
    const b = show(after[field])
    if (a !== b) changes.push({ field, label, before: a, after: b })
  }
  return changes
}

export interface DiffLine {
  readonly kind: 'same' | 'added' | 'removed'
  readonly text: string
}

// Above this many table cells (16 MB of Uint32) the changed middle is shown as replaced wholesale.
const MAX_LCS_CELLS = 4_000_000

const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\r\n?/g, '\n').split('\n'))

/** A line diff by longest common subsequence, after trimming the lines both texts share at each end. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = linesOf(before)
  const b = linesOf(after)
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const same = (text: string): DiffLine => ({ kind: 'same', text })
  return [
    ...a.slice(0, start).map(same),
    ...lcsDiff(a.slice(start, endA), b.slice(start, endB)),
    ...a.slice(endA).map(same),
  ]
}

function lcsDiff(a: readonly string[], b: readonly string[]): DiffLine[] {
  const removed = (text: string): DiffLine => ({ kind: 'removed', text })
  const added = (text: string): DiffLine => ({ kind: 'added', text })
  const n = a.length
  const m = b.length
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_LCS_CELLS) return [...a.map(removed), ...b.map(added)]
  const width = m + 1
  // table[i * width + j] = length of the longest common subsequence of a[i..] and b[j..].
  const table = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] =
        a[i] === b[j]
          ? (table[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(table[(i + 1) * width + j] ?? 0, table[i * width + j + 1] ?? 0)
    }
  }
  const result: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    const left = a[i] ?? ''
    const right = b[j] ?? ''
    if (left === right) {
      result.push({ kind: 'same', text: left })
      i++
      j++
    } else if ((table[(i + 1) * width + j] ?? 0) >= (table[i * width + j + 1] ?? 0)) {
      result.push(removed(left))
      i++
    } else {
      result.push(added(right))
      j++
    }
  }
  for (; i < n; i++) result.push(removed(a[i] ?? ''))
  for (; j < m; j++) result.push(added(b[j] ?? ''))
  return result
}

/**
 * The diff as escaped HTML: removed lines in <del> with "−", added in <ins> with "+", so colour is
 * not the only cue; unchanged stretches longer than twice `context` lines are folded. Empty: no change.
 */
export function renderDiffHtml(lines: readonly DiffLine[], context = 3): string {
  if (!lines.some((line) => line.kind !== 'same')) return ''
  const keep = new Array<boolean>(lines.length).fill(false)
  lines.forEach((line, index) => {
    if (line.kind === 'same') return
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++)
      keep[k] = true
  })
  const out: string[] = []
  let skipped = 0
  const flushSkipped = () => {
    if (skipped === 0) return
    out.push(
      `<span class="diff-line diff-line--skipped">… ${skipped} unchanged ${skipped === 1 ? 'line' : 'lines'} …</span>`,
    )
    skipped = 0
  }
  lines.forEach((line, index) => {
    if (!keep[index]) {
      skipped++
      return
    }
    flushSkipped()
    const text = escapeHtml(line.text)
    if (line.kind === 'added')
      out.push(
        `<ins class="diff-line diff-line--added"><span class="diff-sign" aria-hidden="true">+</span><span class="visually-hidden">Added: </span>${text}</ins>`,
      )
    else if (line.kind === 'removed')
      out.push(
        `<del class="diff-line diff-line--removed"><span class="diff-sign" aria-hidden="true">−</span><span class="visually-hidden">Removed: </span>${text}</del>`,
      )
    else out.push(`<span class="diff-line"><span class="diff-sign" aria-hidden="true"> </span>${text}</span>`)
  })
  flushSkipped()
  // Each line is a block of its own (see admin.css), so no newline goes between them.
  return `<pre class="diff" tabindex="0"><code>${out.join('')}</code></pre>`
}
