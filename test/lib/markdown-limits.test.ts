// Checks the bounds on Markdown: deep nesting is refused before parsing, and real documents are far inside them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderBody, renderMarkdown } from '../../src/lib/markdown.ts'
import { deepestNesting, MAX_NESTING_DEPTH, MarkdownLimitError } from '../../src/lib/markdown-limits.ts'

/** `levels` nested list items, each indented two columns further, as an outline is written. */
const indentedList = (levels: number): string =>
  Array.from({ length: levels }, (_, i) => `${' '.repeat(2 * i)}- level ${i}`).join('\n')

const BOMBS: readonly [string, string][] = [
  ['five thousand nested blockquotes', `${'>'.repeat(5000)} x`],
  ['nested blockquotes written with spaces', `${'> '.repeat(3000)}x`],
  ['five thousand bullet markers on one line', `${'- '.repeat(5000)}x`],
  ['five thousand numbered markers on one line', `${'1. '.repeat(5000)}x`],
  ['three hundred levels of indented list', indentedList(300)],
  ['quotes and lists interleaved', `${'> * '.repeat(2000)}x`],
]

for (const [label, markdown] of BOMBS) {
  test(`${label} are refused as too deep, without a stack overflow`, () => {
    assert.ok(deepestNesting(markdown) > MAX_NESTING_DEPTH)
    assert.throws(
      () => renderMarkdown(markdown),
      (error) =>
        error instanceof MarkdownLimitError &&
        error.limit === 'too-deep' &&
        /levels deep/.test(error.message),
    )
    assert.throws(() => renderBody(markdown), MarkdownLimitError)
  })
}

test('ordinary quotes, outlines and thematic breaks are well inside the nesting limit', () => {
  const doc = [
    '> Someone wrote:',
    '> > An earlier reply',
    '> > > The original',
    '',
    indentedList(8),
    '',
    '1. First',
    '   1. Nested',
    '',
    '* * *',
    '',
    '- [ ] a task',
  ].join('\n')
  assert.ok(deepestNesting(doc) < 20, String(deepestNesting(doc)))
  assert.match(renderMarkdown(doc), /<blockquote>/)
})

test('markers inside a fenced code block nest nothing, so code with > or - is never refused', () => {
  const code = ['```text', '>'.repeat(500), '- '.repeat(500), '```', '', '~~~', '> '.repeat(500), '~~~'].join(
    '\n',
  )
  assert.equal(deepestNesting(code), 0)
  assert.match(renderMarkdown(code), /<pre tabindex="0"><code/)
})

test('a merge-conflict marker or a shell prompt in text counts as only a few levels', () => {
  assert.equal(deepestNesting('>>>>>>> main'), 7)
  assert.equal(deepestNesting('>>> print(1)'), 3)
})

test('the nesting scan takes linear time on the longest body allowed', () => {
  const huge = '> - 12. '.repeat(25_000)
  const started = performance.now()
  deepestNesting(huge)
  deepestNesting('a'.repeat(200_000))
  deepestNesting('\n'.repeat(200_000))
  // Generous: a linear pass over 200 KB takes about a millisecond.
  assert.ok(performance.now() - started < 500)
})
