// Checks turning whatever a visitor types into a safe FTS5 query, against a real FTS5 index.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { searchPosts } from '../../../src/features/search/queries.ts'
import { MAX_QUERY_LENGTH, MAX_TERMS, parseSearchQuery } from '../../../src/features/search/query.ts'
import { createTestDb } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

test('FTS5 syntax on its own gives no query at all', () => {
  for (const input of ['"', '""', '*', ':', '-', '^', '(', ')', '+', '   ', '', '"*"']) {
    assert.equal(parseSearchQuery(input).match, null, JSON.stringify(input))
  }
})

test('operators and column filters become plain quoted words', () => {
  assert.equal(parseSearchQuery('AND OR NOT').match, '"AND" "OR" "NOT"')
  assert.equal(parseSearchQuery('NEAR(').match, '"NEAR"')
  assert.equal(parseSearchQuery('NEAR(a b)').match, '"NEAR" "a" "b"')
  assert.equal(parseSearchQuery('title:secret').match, '"title" "secret"')
  assert.equal(parseSearchQuery('-draft').match, '"draft"')
  assert.equal(parseSearchQuery('a AND').match, '"a" "AND"')
})

test('a quoted phrase stays a phrase, even when the closing quote is missing', () => {
  assert.equal(parseSearchQuery('"static site"').match, '"static site"')
  assert.equal(parseSearchQuery('"static site').match, '"static site"')
  assert.equal(parseSearchQuery('fast "static site" builds').match, '"fast" "static site" "builds"')
})

test('a trailing star asks for a prefix match', () => {
  assert.equal(parseSearchQuery('optim*').match, '"optim"*')
  assert.equal(parseSearchQuery('optim *').match, '"optim"')
})

test('unicode words are kept', () => {
  assert.equal(parseSearchQuery('café naïve').match, '"café" "naïve"')
  assert.equal(parseSearchQuery('日本語').match, '"日本語"')
})

test('a 5,000-character query is cut short and says so', () => {
  const parsed = parseSearchQuery('x'.repeat(5000))
  assert.equal(parsed.truncated, true)
  assert.ok(parsed.match !== null)
  assert.ok(parsed.match.length <= MAX_QUERY_LENGTH + 3)
  assert.equal(parseSearchQuery('short').truncated, false)
})

test('a query with many words is bounded', () => {
  const parsed = parseSearchQuery(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '))
  assert.ok(parsed.match !== null)
  assert.ok(parsed.match.split(' ').length <= MAX_TERMS, parsed.match)
  assert.ok(parsed.droppedTerms > 0)
  assert.equal(parseSearchQuery('a b c d e f g h i j').droppedTerms, 10 - MAX_TERMS)
})

test('a one-letter prefix is searched as a whole word and reported, longer ones stay prefixes', () => {
  const parsed = parseSearchQuery('a* op* é*')
  assert.equal(parsed.match, '"a" "op"* "é"')
  assert.deepEqual(parsed.shortPrefixes, ['a', 'é'])
  assert.deepEqual(parseSearchQuery('optim*').shortPrefixes, [])
})

test('no input, however hostile, makes the FTS5 query fail', (t) => {
  const { db } = createTestDb(t)
  createPost(db, { title: 'Optimising SQLite', bodyMd: 'A static site with a fast search.' })
  const inputs = [
    '"',
    '*',
    'NEAR(',
    'NEAR(a b, 3)',
    'AND OR NOT',
    'a AND',
    'OR',
    ':',
    'title:',
    '-',
    '- - -',
    '"unterminated',
    '""""',
    '*optim',
    'optim**',
    '^start',
    '{title body}: x',
    '(a OR b) AND NOT c',
    'x'.repeat(5000),
    'ünïcödé 日本語 😀',
    'a\u0000b',
    "O'Reilly; DROP TABLE posts; --",
  ]
  for (const input of inputs) {
    const { match } = parseSearchQuery(input)
    if (match === null) continue
    assert.doesNotThrow(
      () => searchPosts(db, match, new Date(), { limit: 10, offset: 0 }),
      JSON.stringify(input),
    )
  }
  const found = searchPosts(db, parseSearchQuery('optim*').match ?? '', new Date(), { limit: 10, offset: 0 })
  assert.equal(found.total, 1)
})

test('a term asked for twice is searched once, and leaves room for another word', () => {
  assert.equal(parseSearchQuery('ta* TA* ta* ta*').match, '"ta"*')
  assert.equal(parseSearchQuery('cache Cache cache').match, '"cache"')
  const many = parseSearchQuery(`${'sqlite '.repeat(20)}wal`)
  assert.equal(many.match, '"sqlite" "wal"')
  assert.equal(many.droppedTerms, 0)
  assert.equal(parseSearchQuery('"ta" ta*').match, '"ta" "ta"*', 'a word and a prefix are different terms')
})
