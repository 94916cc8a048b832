// Checks a post's description: stored as the author typed it, derived from the text when shown, and the one-time conversion of old rows.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { migrateDatabase } from '../../../src/db/migrate.ts'
import { defineDerivedDescriptionSql } from '../../../src/features/content/descriptions.ts'
import { postForm as editorForm, signIn } from '../../helpers/admin.ts'
import { createTestApp, createTestDb } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { jsonLdOf, metaContent } from '../../helpers/html.ts'

/** The editor's fields for the post these tests describe. */
const postForm = (fields: Record<string, string> = {}): Record<string, string> =>
  editorForm({
    title: 'Cache headers',
    slug: 'cache-headers',
    body: 'Caches keep **copies** close to readers.\n\nThe second paragraph.',
    ...fields,
  })

const storedDescription = (db: Db, slug: string): string =>
  db.$client.prepare('select meta_description from posts where slug = ?').pluck().get(slug) as string

/** The description as the post page, its JSON-LD and the JSON feed show it. */
async function shownDescriptions(app: Awaited<ReturnType<typeof createTestApp>>['app'], slug: string) {
  const html = (await app.inject(`/posts/${slug}`)).body
  const feed = JSON.parse((await app.inject('/feed.json')).body) as { items: { summary?: string }[] }
  return {
    meta: metaContent(html, 'description'),
    og: metaContent(html, 'og:description'),
    jsonLd: (JSON.parse(jsonLdOf(html)) as { description?: string }).description,
    feed: feed.items[0]?.summary,
  }
}

test('a post saved with no description stores none, and is described by the start of its text', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const saved = await author.post('/admin/posts', postForm())
  assert.equal(saved.statusCode, 303)

  assert.equal(storedDescription(db, 'cache-headers'), '')
  const derived = 'Caches keep copies close to readers.'
  assert.deepEqual(await shownDescriptions(app, 'cache-headers'), {
    meta: derived,
    og: derived,
    jsonLd: derived,
    feed: derived,
  })
  const editor = (await author.get(String(saved.headers.location))).body
  assert.match(editor, /<textarea id="meta_description" name="meta_description"[^>]*><\/textarea>/)
  assert.match(editor, /Up to 300 characters \(about 160 show in search results\)/)
})

test('a typed description is stored as typed and shown instead of the text', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const typed = 'How long a browser may keep a page, & who decides.'
  const saved = await author.post('/admin/posts', postForm({ meta_description: `  ${typed}  ` }))
  assert.equal(saved.statusCode, 303)

  assert.equal(storedDescription(db, 'cache-headers'), typed)
  assert.deepEqual(await shownDescriptions(app, 'cache-headers'), {
    meta: 'How long a browser may keep a page, &amp; who decides.',
    og: 'How long a browser may keep a page, &amp; who decides.',
    jsonLd: typed,
    feed: typed,
  })
  const editor = (await author.get(String(saved.headers.location))).body
  assert.match(
    editor,
    /name="meta_description"[^>]*>How long a browser may keep a page, &amp; who decides\.<\/textarea>/,
  )
})

test('editing the text changes the description derived from it, and an excerpt comes first', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const saved = await author.post('/admin/posts', postForm())
  const editUrl = String(saved.headers.location).split('?')[0] as string

  const longer = `${'Every word counts here. '.repeat(10)}End.`
  assert.equal((await author.post(editUrl, postForm({ body: longer }))).statusCode, 303)
  // Cut at a word to 160 characters at most, ellipsis included.
  const cut = `${'Every word counts here. '.repeat(6)}Every word…`
  assert.ok(cut.length <= 160)
  assert.equal((await shownDescriptions(app, 'cache-headers')).meta, cut)

  await author.post(editUrl, postForm({ body: longer, excerpt: 'An *excerpt* first.' }))
  assert.equal((await shownDescriptions(app, 'cache-headers')).meta, 'An excerpt first.')
  assert.equal(storedDescription(db, 'cache-headers'), '')
})

test('the services refuse a description over the limit the editor uses, whoever saves it', (t) => {
  const { db } = createTestDb(t)
  assert.throws(
    () => createPost(db, { title: 'Too long', metaDescription: 'd'.repeat(301) }),
    (error: Error & { field?: string }) => error.field === 'meta_description' && /300/.test(error.message),
  )
  assert.equal(createPost(db, { title: 'Just right', metaDescription: 'd'.repeat(300) }).slug, 'just-right')
})

const MIGRATIONS = join(import.meta.dirname, '../../../migrations')

/**
 * Runs migrations 0007 and 0008 again, as they ran on a database from before them: their SQL, with
 * the function migrateDatabase defines for them. (Forgetting their journal rows instead would make
 * drizzle re-run every later migration too, and those cannot apply twice.)
 */
function rerunConversion(db: Db): void {
  defineDerivedDescriptionSql(db)
  for (const tag of ['0007_typed_meta_descriptions', '0008_typed_page_descriptions']) {
    db.$client.exec(readFileSync(join(MIGRATIONS, `${tag}.sql`), 'utf8'))
  }
}

test('migrating a database from before typed descriptions empties the ones Folio derived, once', (t) => {
  const { db } = createTestDb(t)
  const setStored = db.$client.prepare('update posts set meta_description = ? where slug = ?')
  // Rows as the old savePost left them: the derived text stored when the author typed nothing.
  createPost(db, { title: 'Derived', bodyMd: 'Old **derived** text.\n\nMore.' })
  setStored.run('Old derived text.', 'derived')
  createPost(db, { title: 'From excerpt', bodyMd: 'Body.', excerptMd: 'The _excerpt_ line.' })
  setStored.run('The excerpt line.', 'from-excerpt')
  createPost(db, { title: 'Typed', bodyMd: 'Old derived text.', metaDescription: 'Written by hand.' })
  // Typed words that match the body but not the excerpt the rule reads first are the author's.
  createPost(db, { title: 'Typed body', bodyMd: 'Body words.', excerptMd: 'Excerpt.' })
  setStored.run('Body words.', 'typed-body')

  rerunConversion(db)

  const descriptions = db.$client
    .prepare('select slug, meta_description as d from posts order by slug')
    .all() as { slug: string; d: string }[]
  assert.deepEqual(descriptions, [
    { slug: 'derived', d: '' },
    { slug: 'from-excerpt', d: '' },
    { slug: 'typed', d: 'Written by hand.' },
    { slug: 'typed-body', d: 'Body words.' },
  ])

  // Once applied it never runs again: a description typed to match the text later is kept.
  setStored.run('Old derived text.', 'derived')
  migrateDatabase(db)
  assert.equal(storedDescription(db, 'derived'), 'Old derived text.')
})

test('a page stores the description its author typed, shows one derived from its text otherwise, and old derived ones are emptied once', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const fields = {
    title: 'Work with me',
    slug: 'work',
    body: 'I build **fast** sites for small teams.',
    status: 'published',
    nav_order: '',
    meta_description: '',
  }
  assert.equal((await author.post('/admin/pages', fields, '/admin/pages/new')).statusCode, 303)
  const stored = () =>
    db.$client.prepare("select meta_description from pages where slug = 'work'").pluck().get()
  assert.equal(stored(), '', 'nothing typed, nothing stored')
  assert.equal(
    metaContent((await app.inject('/work')).body, 'description'),
    'I build fast sites for small teams.',
  )
  const edit = (await author.get('/admin/pages')).body.match(/href="(\/admin\/pages\/\d+)"/)?.[1] ?? ''
  assert.match(
    (await author.get(edit)).body,
    /name="meta_description"[^>]*>|<textarea[^>]*name="meta_description"[^>]*><\/textarea>/,
  )

  const typed = { ...fields, meta_description: 'Hire me for a fast site.' }
  assert.equal((await author.post(edit, typed, edit)).statusCode, 303)
  assert.equal(stored(), 'Hire me for a fast site.')
  assert.equal(metaContent((await app.inject('/work')).body, 'description'), 'Hire me for a fast site.')

  // A row as the old savePage left it: the derived text stored when the author typed nothing.
  db.$client
    .prepare("update pages set meta_description = 'I build fast sites for small teams.' where slug = 'work'")
    .run()
  rerunConversion(db)
  assert.equal(stored(), '')
})
