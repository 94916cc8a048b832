// Checks `rerender`: every stored post, page, series description and Markdown setting through today's pipeline, HTML only.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import { rerenderEverything } from '../../../src/features/content/rerender.ts'
import { getSettings, saveSettings } from '../../../src/features/settings/service.ts'
import { createTestDb, rowCount } from '../../helpers/app.ts'
import { createPage, createPost } from '../../helpers/fixtures.ts'
import { runCliAsync } from '../../helpers/processes.ts'

const TOO_DEEP = `${'> '.repeat(120)}quoted far too deep`

const column = (db: Db, sql: string, id: number): string => db.$client.prepare(sql).pluck().get(id) as string

/** Content whose stored HTML an older pipeline made: what `rerender` is for. */
function staleSite(db: Db) {
  const post = createPost(db, {
    title: 'Pictured',
    bodyMd: '![A cat](/media/cat.jpg)\n*Mia on the sofa*\n\nZanzibar is where she sleeps.',
    series: 'Cats',
  })
  const pageId = createPage(db, { title: 'About', slug: 'about', bodyMd: 'I *make* websites.' })
  saveSettings(db, { introMd: 'Hello *there*' })
  const sql = db.$client
  sql
    .prepare(`update posts set body_html = '<p>old</p>', excerpt_html = '<p>old</p>' where id = ?`)
    .run(post.id)
  sql.prepare(`update posts_fts set body = 'stale' where rowid = ?`).run(post.id)
  sql.prepare(`update pages set body_html = '<p>old</p>' where id = ?`).run(pageId)
  sql.prepare(`update series set description_md = 'All about **cats**', description_html = ''`).run()
  sql.prepare(`update settings set value = '"<p>old</p>"' where key = 'introHtml'`).run()
  return { post, pageId }
}

const stamps = (db: Db) =>
  db.$client.prepare('select id, updated_at from posts union all select -id, updated_at from pages').all()

test('rerender stores fresh HTML for posts, pages, series and settings, without touching updated_at or revisions', async (t: TestContext) => {
  const { db } = createTestDb(t)
  const { post, pageId } = staleSite(db)
  const before = stamps(db)

  const report = await rerenderEverything(db)
  assert.deepEqual(
    { posts: report.posts, pages: report.pages, series: report.series, failures: report.failures },
    { posts: 1, pages: 1, series: 1, failures: [] },
  )
  assert.equal(report.settings, Object.keys(getSettings(db)).filter((key) => key.endsWith('Md')).length)
  assert.equal(report.changed, 4)
  assert.ok(report.milliseconds >= 0)

  const bodyHtml = column(db, 'select body_html from posts where id = ?', post.id)
  assert.match(
    bodyHtml,
    /<figure><img [^>]*alt="A cat"[^>]*><figcaption>Mia on the sofa<\/figcaption><\/figure>/,
  )
  assert.match(column(db, 'select excerpt_html from posts where id = ?', post.id), /<figure>/)
  assert.match(column(db, 'select body from posts_fts where rowid = ?', post.id), /Zanzibar/)
  assert.equal(
    column(db, 'select body_html from pages where id = ?', pageId),
    '<p>I <em>make</em> websites.</p>',
  )
  assert.equal(
    db.$client.prepare('select description_html from series').pluck().get(),
    '<p>All about <strong>cats</strong></p>',
  )
  assert.equal(getSettings(db).introHtml, '<p>Hello <em>there</em></p>')
  assert.deepEqual(stamps(db), before)
  assert.equal(rowCount(db, 'post_revisions'), 0)

  const again = await rerenderEverything(db)
  assert.equal(again.changed, 0, 'a second run finds nothing to change')
})

test('a post whose Markdown now breaks a limit is reported by slug and keeps its HTML; the rest is rendered', async (t: TestContext) => {
  const { db } = createTestDb(t)
  const fine = createPost(db, { title: 'Fine', bodyMd: 'Plain *text*.' })
  const deep = createPost(db, { title: 'Deep quotes', bodyMd: 'Short for now.' })
  db.$client
    .prepare(`update posts set body_md = ?, body_html = '<p>as it was</p>' where id = ?`)
    .run(TOO_DEEP, deep.id)
  db.$client.prepare(`update posts set body_html = '<p>old</p>' where id = ?`).run(fine.id)

  const report = await rerenderEverything(db)
  assert.equal(report.failures.length, 1)
  assert.deepEqual(
    { ...report.failures[0], message: undefined },
    { kind: 'post', name: deep.slug, message: undefined },
  )
  assert.match(report.failures[0]?.message ?? '', /more than 100 levels deep/)
  assert.equal(column(db, 'select body_html from posts where id = ?', deep.id), '<p>as it was</p>')
  assert.equal(column(db, 'select body_html from posts where id = ?', fine.id), '<p>Plain <em>text</em>.</p>')
})

test('npm run cli -- rerender prints the counts and time, and exits 1 naming a post it had to leave', async (t: TestContext) => {
  const { db, dir } = createTestDb(t)
  const { post } = staleSite(db)
  const env = { DATABASE_PATH: `${dir}/folio.db`, MEDIA_DIR: `${dir}/media` }

  const ok = await runCliAsync(['rerender'], env)
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(
    ok.stdout,
    /Re-rendered 1 post, 1 page, 1 series description and \d+ Markdown settings in \d+\.\ds; 4 changed\./,
  )
  assert.match(column(db, 'select body_html from posts where id = ?', post.id), /<figcaption>Mia on the sofa/)

  const deep = createPost(db, { title: 'Deep quotes', bodyMd: 'Short for now.' })
  db.$client.prepare('update posts set body_md = ? where id = ?').run(TOO_DEEP, deep.id)
  const failed = await runCliAsync(['rerender'], env)
  assert.equal(failed.status, 1)
  assert.match(failed.stdout, /Re-rendered 2 posts/)
  assert.match(failed.stderr, new RegExp(`Left as it was: post "${deep.slug}": .*100 levels deep`))
})
