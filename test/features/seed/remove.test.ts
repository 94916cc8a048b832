// Checks `seed --remove`: exactly what seed created goes, the author's own writing and edits stay.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { savePage } from '../../../src/features/content/pages.ts'
import {
  loadPostContent,
  revisionAsInput,
  savePostWithRevision,
} from '../../../src/features/content/revisions.ts'
import { seedDemoContent } from '../../../src/features/seed/demo.ts'
import { removeSeededContent } from '../../../src/features/seed/remove.ts'
import { DEFAULT_SETTINGS, getSettings, saveSettings } from '../../../src/features/settings/service.ts'
import { createTestDb, rowCount } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { runCliAsync } from '../../helpers/processes.ts'

const column = (db: Db, query: string): unknown[] => db.$client.prepare(query).pluck().all()

/** The settings that seed's persona changes, as a new site has them. */
const defaultsOf = (keys: readonly string[]) =>
  Object.fromEntries(keys.map((key) => [key, DEFAULT_SETTINGS[key as keyof typeof DEFAULT_SETTINGS]]))

test('seed --remove deletes what seed created, keeps the author’s own post and page, a seeded post they edited and a setting they changed', async (t) => {
  const { db, dir, path } = createTestDb(t)
  const env = { DATABASE_PATH: path, MEDIA_DIR: join(dir, 'media') }
  const seeded = await runCliAsync(['seed', '--posts', '30'], env)
  assert.equal(seeded.status, 0, seeded.stderr)
  assert.match(seeded.stdout, /seed --remove/)
  assert.equal(rowCount(db, 'posts'), 30)
  assert.equal(getSettings(db).title, 'Sam Rivera')
  const seededTags = column(db, 'select name from tags') as string[]
  const seededSeries = column(db, 'select title from series') as string[]
  assert.ok(seededSeries.length >= 3)

  // The author writes their own post (with a tag seed also created) and page…
  const ownTag = seededTags[0] ?? ''
  const own = createPost(db, { title: 'My own first post', tags: [ownTag, 'mine'] })
  createPage(db, { title: 'Now', slug: 'now', navOrder: 3 })
  // …edits one seeded post in the editor (a save with a revision) and the seeded Uses page…
  const editedId = db.$client.prepare("select id from posts where kind = 'link' order by id").pluck().get()
  const edited = loadPostContent(db, Number(editedId))
  assert.ok(edited)
  const input = revisionAsInput({ ...edited, bodyMd: `${edited.bodyMd}\n\nMy own note.` }, edited)
  savePostWithRevision(db, input, { id: edited.id, now: new Date() })
  const uses = db.$client.prepare("select id, title, body_md from pages where slug = 'uses'").get() as {
    id: number
    title: string
    body_md: string
  }
  savePage(
    db,
    { title: uses.title, slug: 'uses', bodyMd: `${uses.body_md} Updated.`, status: 'draft', navOrder: null },
    { id: uses.id },
  )
  // …and changes the tagline.
  saveSettings(db, { tagline: 'Notes from my own desk' })

  const removed = await runCliAsync(['seed', '--remove'], env)
  assert.equal(removed.status, 0, removed.stderr)
  assert.match(removed.stdout, /Removed what seed created: 29 posts, 2 pages, /)
  assert.match(removed.stdout, new RegExp(`Kept 1 post you edited: “${edited.title}”`))
  assert.match(removed.stdout, /Kept 1 page you edited: “Uses”/)
  assert.match(removed.stdout, /Kept the settings you changed since seeding: tagline\./)

  assert.deepEqual(column(db, 'select id from posts order by id'), [edited.id, own.id])
  assert.match(String(column(db, `select body_md from posts where id = ${edited.id}`)[0]), /My own note\./)
  assert.deepEqual(column(db, 'select slug from pages order by slug'), ['now', 'uses'])
  // Tags and series stay only where a remaining post uses them.
  const tagsLeft = column(db, 'select name from tags order by name') as string[]
  assert.ok(tagsLeft.includes(ownTag) && tagsLeft.includes('mine'))
  assert.deepEqual(
    column(db, 'select count(*) from tags where id not in (select tag_id from post_tags)'),
    [0],
  )
  assert.deepEqual(
    column(
      db,
      'select count(*) from series where id not in (select series_id from posts where series_id is not null)',
    ),
    [0],
  )
  assert.ok(rowCount(db, 'series') < seededSeries.length)
  // The search index lost the removed posts too.
  assert.equal(rowCount(db, 'posts_fts'), 2)

  const settings = getSettings(db)
  const persona = [
    'title',
    'description',
    'authorName',
    'authorBioMd',
    'introMd',
    'servicesMd',
    'socialLinks',
  ]
  assert.deepEqual(
    Object.fromEntries(persona.map((key) => [key, settings[key as keyof typeof settings]])),
    defaultsOf(persona),
  )
  assert.equal(settings.tagline, 'Notes from my own desk')
  assert.doesNotMatch(settings.introHtml, /Sam/)
  assert.deepEqual(column(db, "select key from settings where key = 'seedRecord'"), [])

  const again = await runCliAsync(['seed', '--remove'], env)
  assert.equal(again.status, 0, again.stderr)
  assert.match(again.stdout, /Nothing to remove/)
  assert.equal(rowCount(db, 'posts'), 2)
})

test('seeding twice and removing once takes both runs away, and the site is as it was', (t) => {
  const { db } = createTestDb(t)
  const mine = createPost(db, { title: 'Written before any seed', tags: ['sqlite'] })
  const before = {
    tags: column(db, 'select slug from tags order by slug'),
    settings: getSettings(db),
  }
  seedDemoContent(db, { posts: 20 })
  seedDemoContent(db, { posts: 15 })
  assert.equal(rowCount(db, 'posts'), 36)

  const result = removeSeededContent(db)
  assert.equal(result.batches, 2)
  assert.equal(result.removed.posts, 35)
  assert.deepEqual(result.kept.posts, [])
  assert.deepEqual(column(db, 'select id from posts'), [mine.id])
  assert.deepEqual(column(db, 'select slug from tags order by slug'), before.tags)
  assert.equal(rowCount(db, 'pages'), 0)
  assert.equal(rowCount(db, 'series'), 0)
  assert.deepEqual(getSettings(db), before.settings)
})

test('settings the author set before seeding come back, not the defaults', (t) => {
  const { db } = createTestDb(t)
  saveSettings(db, { title: 'Field notes', authorName: 'Alex Kim' })
  seedDemoContent(db, { posts: 5 })
  assert.equal(getSettings(db).title, 'Sam Rivera')
  const result = removeSeededContent(db)
  assert.equal(getSettings(db).title, 'Field notes')
  assert.equal(getSettings(db).authorName, 'Alex Kim')
  assert.equal(getSettings(db).introMd, DEFAULT_SETTINGS.introMd)
  assert.ok(result.removed.settings >= 3)
})
