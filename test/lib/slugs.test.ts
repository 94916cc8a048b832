// Checks turning titles into URL slugs and finding a free one.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SLUG_PATTERN, slugify, uniqueSlug } from '../../src/lib/slugs.ts'

test('a title becomes a lower-case, hyphenated slug without punctuation', () => {
  assert.equal(slugify('Hello, World: Part 2!'), 'hello-world-part-2')
  assert.equal(slugify("Don't stop (yet)"), 'dont-stop-yet')
  assert.equal(slugify('  --Already-a-slug--  '), 'already-a-slug')
  assert.equal(slugify('Many     spaces'), 'many-spaces')
})

test('accents are folded into plain letters', () => {
  assert.equal(slugify('Crème brûlée à la carte'), 'creme-brulee-a-la-carte')
  assert.equal(slugify('Ñandú über façade'), 'nandu-uber-facade')
})

test('emoji are dropped', () => {
  assert.equal(slugify('🚀 Launch day 🎉'), 'launch-day')
})

test('input with nothing sluggable gives an empty slug', () => {
  assert.equal(slugify(''), '')
  assert.equal(slugify('!!! ??? ...'), '')
  assert.equal(slugify('🎉🎉'), '')
})

test('every slug fits the URL pattern and stays short', () => {
  for (const input of [
    'Hello, World',
    'Crème',
    'a'.repeat(300),
    `${'word '.repeat(40)}`,
    'C++ & C#',
    '1.5 / 2',
  ]) {
    const slug = slugify(input)
    assert.match(slug, SLUG_PATTERN, `${input} → ${slug}`)
    assert.ok(slug.length <= 80, `${slug.length} characters`)
  }
})

test('uniqueSlug returns the slug itself when it is free', () => {
  assert.equal(
    uniqueSlug('post', () => false),
    'post',
  )
})

test('uniqueSlug adds -2, -3 … until a free one is found', () => {
  const taken = new Set(['post', 'post-2'])
  assert.equal(
    uniqueSlug('post', (c) => taken.has(c)),
    'post-3',
  )
})

test('uniqueSlug gives "untitled" for an empty slug', () => {
  assert.equal(
    uniqueSlug('', () => false),
    'untitled',
  )
  assert.equal(
    uniqueSlug('', (c) => c === 'untitled'),
    'untitled-2',
  )
})

test('uniqueSlug keeps a long slug within the length limit when it adds a number', () => {
  const long = 'a'.repeat(80)
  const slug = uniqueSlug(long, (c) => c === long)
  assert.ok(slug.length <= 80, `${slug.length} characters`)
  assert.match(slug, /-2$/)
})
