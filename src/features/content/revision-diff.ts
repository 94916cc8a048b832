// Owns comparing a revision with the post as it is now: the details that differ, and the text line by line.
import { type ArrayChange, diffArrays } from 'diff'
import type { PostContent } from './revisions.ts'

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

/** One line of the text's diff; `skipped` stands for `count` unchanged lines folded away. */
export type DiffLine =
  | { readonly kind: 'unchanged' | 'added' | 'removed'; readonly text: string }
  | { readonly kind: 'skipped'; readonly count: number }

// Past this many changed lines the diff stops looking for lines the two texts share and shows the
// changed middle as replaced wholesale: the search costs about the square of this, some 40 ms at 500.
const MAX_EDIT_LENGTH = 500

const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\r\n?/g, '\n').split('\n'))

type ChangedLine = Extract<DiffLine, { text: string }>

function changedLines(before: string[], after: string[]): ChangedLine[] {
  // The start and end both texts share are kept apart, so a rewrite past the bound keeps them as context.
  let start = 0
  while (start < before.length && start < after.length && before[start] === after[start]) start++
  let end = 0
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  )
    end++
  const removed = before.slice(start, before.length - end)
  const added = after.slice(start, after.length - end)
  const middle: Pick<ArrayChange<string>, 'added' | 'removed' | 'value'>[] = diffArrays(removed, added, {
    maxEditLength: MAX_EDIT_LENGTH,
  }) ?? [
    { removed: true, added: false, value: removed },
    { removed: false, added: true, value: added },
  ]
  const unchanged = (lines: string[]): ChangedLine[] => lines.map((text) => ({ kind: 'unchanged', text }))
  return [
    ...unchanged(before.slice(0, start)),
    ...middle.flatMap((change) => {
      const kind = change.added ? 'added' : change.removed ? 'removed' : 'unchanged'
      return change.value.map((text): ChangedLine => ({ kind, text }))
    }),
    ...unchanged(before.slice(before.length - end)),
  ]
}

/**
 * The text's lines from `before` to `after`: removed lines before the added ones that replace them,
 * and unchanged stretches longer than twice `context` lines folded. Empty when nothing changed.
 */
export function diffText(before: string, after: string, context = 3): DiffLine[] {
  const lines = changedLines(linesOf(before), linesOf(after))
  const changed = lines.flatMap((line, index) => (line.kind === 'unchanged' ? [] : [index]))
  if (changed.length === 0) return []
  const keep = new Array<boolean>(lines.length).fill(false)
  for (const index of changed)
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++)
      keep[k] = true
  const result: DiffLine[] = []
  let skipped = 0
  lines.forEach((line, index) => {
    if (!keep[index]) {
      skipped++
      return
    }
    if (skipped > 0) result.push({ kind: 'skipped', count: skipped })
    skipped = 0
    result.push(line)
  })
  if (skipped > 0) result.push({ kind: 'skipped', count: skipped })
  return result
}
