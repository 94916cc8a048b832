// Checks savePost, the one code path that writes posts: validation, slugs, tags, series and redirects.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { savePost } from '../../../src/features/content/posts.ts'
import { createTestApp, createTestDb } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

const base = { kind: 'article' as const, bodyMd: 'Body.', status: 'published' as const }

/** The services refuse input with an error naming the form field to show the message beside. */
const refusedField =
  (field: string) =>
  (err: unknown): boolean =>
    err instanceof Error && (err as Error & { field?: string }).field === field

test('a post without a title, a link post without a URL and a scheduled post without a date are refused', (t) => {
  const { db } = createTestDb(t)
  assert.throws(() => savePost(db, { ...base, title: '   ' }), refusedField('title'))
  assert.throws(() => savePost(db, { ...base, title: 'Link', kind: 'link' }), refusedField('link_url'))
  assert.throws(
    () => savePost(db, { ...base, title: 'Later', status: 'scheduled' }),
    refusedField('published_at'),
  )
})

test('two posts with the same title get different slugs', (t) => {
  const { db } = createTestDb(t)
  const one = createPost(db, { title: 'Same title' })
  const two = createPost(db, { title: 'Same title' })
  assert.equal(one.slug, 'same-title')
  assert.equal(two.slug, 'same-title-2')
})

test('an explicit slug is cleaned up like a title', (t) => {
  const { db } = createTestDb(t)
  assert.equal(createPost(db, { title: 'Anything', slug: 'My Custom Slug!' }).slug, 'my-custom-slug')
})

test('a title that yields no slug still gets a working URL', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: '🎉🎉🎉' })
  assert.match(post.slug, /^[a-z0-9-]+$/)
  assert.equal((await app.inject(`/posts/${post.slug}`)).statusCode, 200)
})

test('repeated tag names are stored once', async (t) => {
  const { app, db } = await createTestApp(t)
  const post = createPost(db, { title: 'Tags', tags: ['SQLite', ' sqlite ', 'SQLite', ''] })
  const html = (await app.inject(`/posts/${post.slug}`)).body
  assert.equal((html.match(/class="tag" href="\/tags\/sqlite"/g) ?? []).length, 1)
})

test('a new post taking an old slug of a renamed post wins over the redirect', async (t) => {
  const { app, db } = await createTestApp(t)
  const first = createPost(db, { title: 'Shared name' })
  savePost(db, { ...base, title: 'Moved away', publishedAt: new Date(Date.now() - 1000) }, { id: first.id })
  assert.equal((await app.inject('/posts/shared-name')).statusCode, 301)

  const second = createPost(db, { title: 'Shared name' })

  assert.equal(second.slug, 'shared-name')
  const res = await app.inject('/posts/shared-name')
  assert.equal(res.statusCode, 200)
  assert.match(res.body, /<h1>Shared name<\/h1>/)
})

test('saving an unknown post id is refused', (t) => {
  const { db } = createTestDb(t)
  assert.throws(() => savePost(db, { ...base, title: 'Ghost' }, { id: 9999 }), refusedField('id'))
})
