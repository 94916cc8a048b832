// Owns the limits on rendering Markdown — how deep it may nest, how long it may take — and the error that names the one hit.

/** Deeper than any real quote thread or outline, yet far below where the parser's recursion overflows the stack. */
export const MAX_NESTING_DEPTH = 100

/** A normal post renders in a few milliseconds; pathological input is stopped after this. */
export const RENDER_TIME_LIMIT_MS = 2000

export type MarkdownLimit = 'too-deep' | 'too-slow' | 'failed' | 'busy'

const MESSAGES: Record<MarkdownLimit, string> = {
  'too-deep': `This text nests quotes or lists more than ${MAX_NESTING_DEPTH} levels deep (or repeats * or _ thousands of times in a row), which Folio cannot show. Flatten it, or put it in a code block.`,
  'too-slow': `This text took more than ${RENDER_TIME_LIMIT_MS / 1000} seconds to turn into a page, so Folio stopped. Long runs of Markdown symbols such as * _ [ < or | usually cause this: put them in a code block or escape them with \\.`,
  failed:
    'This text could not be turned into a page. Check the Markdown near any unusual symbols and try again.',
  busy: 'Folio is still working on earlier text. Wait a moment and try again; nothing was lost.',
}

/** Markdown that hit a limit: `message` is written for the author and is safe to show beside the field. */
export class MarkdownLimitError extends Error {
  constructor(readonly limit: MarkdownLimit) {
    super(MESSAGES[limit])
    this.name = 'MarkdownLimitError'
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/

/** Whether `line` closes a code block opened with `fence` (the same character, at least as many). */
function closesFence(line: string, fence: string): boolean {
  const match = FENCE.exec(line)
  return match?.[1] !== undefined && match[1][0] === fence[0] && match[1].length >= fence.length
    ? line.slice(match[0].length).trim() === ''
    : false
}

const isBlank = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t'
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'

/**
 * How many blockquotes and lists the start of one line opens: each `>`, list marker, and (on a line
 * with a marker) every two columns of indentation, which is how nested list items are written.
 */
function lineDepth(line: string): number {
  let i = 0
  let columns = 0
  let markers = 0
  for (;;) {
    const c = line[i]
    if (c === ' ' || c === '\t') {
      columns += c === '\t' ? 4 : 1
      i++
    } else if (c === '>') {
      markers++
      i++
    } else if ((c === '-' || c === '*' || c === '+') && isBlank(line[i + 1])) {
      markers++
      i++
    } else if (isDigit(c)) {
      let j = i
      while (isDigit(line[j]) && j - i < 10) j++
      if ((line[j] !== '.' && line[j] !== ')') || !isBlank(line[j + 1])) break
      markers++
      i = j + 1
    } else break
  }
  return markers === 0 ? 0 : markers + Math.floor(columns / 2)
}

/**
 * The deepest nesting any line of `markdown` opens, in one linear pass without parsing, so hostile
 * input is refused before the recursive parser sees it. Lines inside fenced code blocks nest nothing.
 */
export function deepestNesting(markdown: string): number {
  let deepest = 0
  let fence: string | undefined
  for (const line of markdown.split('\n')) {
    if (fence !== undefined) {
      if (closesFence(line, fence)) fence = undefined
      continue
    }
    const opened = FENCE.exec(line)?.[1]
    if (opened !== undefined) {
      fence = opened
      continue
    }
    deepest = Math.max(deepest, lineDepth(line))
  }
  return deepest
}

/** Throws the too-deep error when `markdown` nests past the limit. */
export function assertNestingWithinLimit(markdown: string): void {
  if (deepestNesting(markdown) > MAX_NESTING_DEPTH) throw new MarkdownLimitError('too-deep')
}
