// Checks that a full or read-only disk never throws away what a visitor or the author typed, and that /healthz says so.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Db } from '../../src/db/client.ts'
import { signIn } from '../helpers/admin.ts'
import { createTestApp } from '../helpers/app.ts'
import { contactVisitor, GOOD_MESSAGE, textareaIn } from '../helpers/contact.ts'

/** Disk full, as SQLite sees it: no free page left inside the file, and the file may not grow by one. */
function fillDisk(db: Db): void {
  // Migrations that rebuild a table leave free pages behind, which a write would reuse.
  db.$client.exec('VACUUM')
  const pages = db.$client.pragma('page_count', { simple: true }) as number
  db.$client.pragma(`max_page_count = ${pages}`)
}

/** Read-only storage, as SQLite sees it (tests run as root, so file permissions would not stop a write). */
const makeReadOnly = (db: Db) => db.$client.pragma('query_only = 1')

const count = (db: Db, table: string) => db.$client.prepare(`select count(*) from ${table}`).pluck().get()

/** Long enough to need a new page of its own. */
const LONG_MESSAGE = `Hello! ${'Our shop takes eight seconds to load on a phone. '.repeat(90)}`.slice(0, 4900)

test('a contact message sent while the disk is full gets the form back with every word and a 503 saying nothing was sent', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  await visitor.openForm()
  fillDisk(db)

  const res = await visitor.send({ ...GOOD_MESSAGE, message: LONG_MESSAGE })

  assert.equal(res.statusCode, 503)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.match(String(res.headers['retry-after']), /^\d+$/)
  assert.match(res.body, /disk holding the database is full/)
  assert.match(res.body, /not saved or sent/)
  assert.equal(textareaIn(res.body), LONG_MESSAGE, 'the message is given back as typed')
  assert.match(res.body, /value="Ada Lovelace"/)
  assert.equal(count(db, 'messages'), 0)

  const health = await app.inject('/healthz')
  assert.equal(health.statusCode, 503)
  assert.match((health.json() as { reason: string }).reason, /full/)
})

test('a contact message sent while storage is read-only gets the form back with a 503', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  await visitor.openForm()
  makeReadOnly(db)

  const res = await visitor.send(GOOD_MESSAGE)

  assert.equal(res.statusCode, 503)
  assert.match(res.body, /read-only/)
  assert.equal(textareaIn(res.body), GOOD_MESSAGE.message)
})

test('a post saved while storage is read-only keeps the editor with the text and says nothing was saved', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { csrf } = await author.csrfFrom('/admin/posts/new')
  makeReadOnly(db)

  const res = await author.post('/admin/posts', {
    _csrf: csrf,
    title: 'Notes on caching',
    kind: 'article',
    body: 'Every word of this draft matters to me.',
    status: 'draft',
  })

  assert.equal(res.statusCode, 503)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.match(res.body, /nothing was saved/)
  assert.match(res.body, /value="Notes on caching"/)
  assert.match(res.body, /Every word of this draft matters to me\./)
  db.$client.pragma('query_only = 0')
  assert.equal(count(db, 'posts'), 0)
})

test('a post saved while the disk is full keeps the editor with the text and says so', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { csrf } = await author.csrfFrom('/admin/posts/new')
  fillDisk(db)

  const body = `A long post. ${'Words that need pages of their own. '.repeat(300)}`
  const res = await author.post('/admin/posts', {
    _csrf: csrf,
    title: 'Long one',
    kind: 'article',
    body,
    status: 'draft',
  })

  assert.equal(res.statusCode, 503)
  assert.match(res.body, /disk holding the database is full/)
  assert.match(res.body, /Words that need pages of their own\./)
  assert.equal(count(db, 'posts'), 0)
})

test('a page saved while storage is read-only keeps the editor with the text and says nothing was saved', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { csrf } = await author.csrfFrom('/admin/pages/new')
  makeReadOnly(db)

  const res = await author.post('/admin/pages', {
    _csrf: csrf,
    title: 'About me',
    body: 'I build fast websites.',
    status: 'published',
  })

  assert.equal(res.statusCode, 503)
  assert.match(res.body, /nothing was saved/)
  assert.match(res.body, /I build fast websites\./)
})

test('any other form that fails on storage gets a 503 page saying nothing was saved, not the generic 500', async (t) => {
  const { app } = await createTestApp(t, { NODE_ENV: 'production' })
  app.post('/storage-fails', async () => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
  })

  const res = await app.inject({ method: 'POST', url: '/storage-fails', headers: { accept: 'text/html' } })

  assert.equal(res.statusCode, 503)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  assert.match(res.body, /Nothing was saved/)
  assert.match(String(res.headers['retry-after']), /^\d+$/)
})

test('/healthz is 200 again once a write succeeds after a failed one', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  await visitor.openForm()
  makeReadOnly(db)
  assert.equal((await visitor.send(GOOD_MESSAGE)).statusCode, 503)
  assert.equal((await app.inject('/healthz')).statusCode, 503)

  db.$client.pragma('query_only = 0')
  assert.equal((await visitor.send(GOOD_MESSAGE)).statusCode, 303)

  const health = await app.inject('/healthz')
  assert.equal(health.statusCode, 200)
  assert.equal((health.json() as { storage: string }).storage, 'ok')
})

test('/healthz reports a damaged database as 503 with the reason', async (t) => {
  const { app } = await createTestApp(t)
  app.get('/reads-a-damaged-page', async () => {
    throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' })
  })
  assert.equal((await app.inject('/reads-a-damaged-page')).statusCode, 503)

  const health = await app.inject('/healthz')

  assert.equal(health.statusCode, 503)
  assert.match((health.json() as { reason: string }).reason, /damaged/)
})

test('/healthz stays 200 on a LiteFS read replica, whose storage is read-only by design', async (t) => {
  const { app, db, config } = await createTestApp(t)
  writeFileSync(join(config.databasePath, '..', '.primary'), 'primary-machine')
  makeReadOnly(db)
  app.post('/replica-write', async () => {
    db.$client.exec("insert into tags (slug, name) values ('x', 'x')")
  })
  await app.inject({ method: 'POST', url: '/replica-write' })

  const health = await app.inject('/healthz')

  assert.equal(health.statusCode, 200)
})
