// Checks the export format's text: front matter that survives hostile values, and bodies kept byte for byte.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  FrontMatterError,
  formatFrontMatter,
  parseFrontMatter,
} from '../../../src/features/backup/front-matter.ts'

const HOSTILE = [
  'Hello: world',
  '"double" and \'single\' quotes',
  '# not a comment',
  'a #b',
  'C# & C++ 🚀 日本語 Ünïcödé',
  'line one\nline two\n\n  indented\n',
  'trailing space \nnext',
  '---',
  '...',
  'x\n---\ny',
  '- looks like a list',
  '',
  'null',
  '~',
  '2024',
  '0x1F',
  'yes',
  'no',
  '2024-05-01',
  '  leading spaces',
  'tab\there',
  '@at `tick %pct !tag *alias &anchor ? q {a} [b] |pipe >fold',
  '\n\nstarts with blank lines',
  'ends with blank lines\n\n\n',
  '\u2028line separator\u0085next line',
]

test('every hostile value comes back from the front matter exactly as it went in', () => {
  for (const value of HOSTILE) {
    const data = { title: value, tags: [value, 'plain'], excerpt: value, part: 2, none: null }
    const text = formatFrontMatter(data, 'Body.')
    const parsed = parseFrontMatter(text)
    assert.deepEqual(parsed.data, data, JSON.stringify(value))
    assert.equal(parsed.body, 'Body.')
    // Only the two markers may stand alone on a line, or the body would start too early.
    assert.equal(text.split('\n').filter((line) => line === '---').length, 2, JSON.stringify(value))
  }
})

test('the body is kept byte for byte, with or without a final newline, even when it holds --- lines', () => {
  for (const body of [
    '',
    'one line',
    'ends with newline\n',
    'two\n\n',
    '---\nnot: yaml\n---\n',
    '\nleading',
  ]) {
    const text = formatFrontMatter({ title: 'T' }, body)
    assert.ok(text.endsWith('\n'))
    assert.equal(parseFrontMatter(text).body, body, JSON.stringify(body))
  }
})

test('the same data always gives the same bytes, with LF line endings and keys in the order given', () => {
  const data = { title: 'Ünïcödé: "x"', slug: 'x', tags: ['b', 'a'], excerpt: 'one\ntwo' }
  const a = formatFrontMatter(data, 'Body')
  assert.equal(a, formatFrontMatter({ ...data }, 'Body'))
  assert.ok(!a.includes('\r'))
  assert.deepEqual(Object.keys(parseFrontMatter(a).data), ['title', 'slug', 'tags', 'excerpt'])
})

test('a file edited on Windows is read with LF line endings', () => {
  const parsed = parseFrontMatter('---\r\ntitle: From Windows\r\n---\r\nLine one\r\nLine two\r\n')
  assert.deepEqual(parsed.data, { title: 'From Windows' })
  assert.equal(parsed.body, 'Line one\nLine two')
})

test('broken front matter is refused with a reason a person can act on', () => {
  assert.throws(() => parseFrontMatter('title: no markers\n'), FrontMatterError)
  assert.throws(() => parseFrontMatter('---\ntitle: never closed\n'), /no closing "---" line/)
  assert.throws(() => parseFrontMatter('---\ntitle: [unclosed\n---\n'), /YAML is not valid/)
  assert.throws(() => parseFrontMatter('---\ntitle: a\ntitle: b\n---\n'), /YAML is not valid/)
  assert.throws(() => parseFrontMatter('---\n- a list\n---\n'), /key: value/)
})
