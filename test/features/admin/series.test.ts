// Checks the admin's series screens: the list, creating, renaming, the description, reordering parts, deleting, and bad input.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../src/db/client.ts'
import { fieldErrorIn, type SignedIn, signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, DAY, fromNow } from '../../helpers/fixtures.ts'
import { mainOf } from '../../helpers/html.ts'

interface SeriesRow {
  id: number
  slug: string
  title: string
  description_md: string
  description_html: string
}

const seriesNamed = (db: Db, title: string): SeriesRow =>
  db.$client.prepare('select * from series where title = ?').get(title) as SeriesRow

const partsOf = (db: Db, seriesId: number): { id: number; series_part: number }[] =>
  db.$client
    .prepare('select id, series_part from posts where series_id = ? order by series_part, id')
    .all(seriesId) as { id: number; series_part: number }[]

/** Every series and each post's place in one: what a refused form must leave as it was. */
const contentOf = (db: Db): string =>
  JSON.stringify([
    db.$client.prepare('select * from series order by id').all(),
    db.$client.prepare('select id, title, series_id, series_part from posts order by id').all(),
  ])

/** A series "Fastify from scratch" of three published parts, A, B and C, in that order. */
function threeParts(db: Db) {
  const a = createPost(db, { title: 'Alpha', series: 'Fastify from scratch', seriesPart: 1, daysAgo: 3 })
  const b = createPost(db, { title: 'Bravo', series: 'Fastify from scratch', seriesPart: 2, daysAgo: 2 })
  const c = createPost(db, { title: 'Charlie', series: 'Fastify from scratch', seriesPart: 3, daysAgo: 1 })
  return { a, b, c, series: seriesNamed(db, 'Fastify from scratch') }
}

/** The editor form as loaded: title, slug, description, every part's number and the shown ids. */
function editorForm(row: SeriesRow, parts: readonly { id: number }[], fields: Record<string, string> = {}) {
  const form: Record<string, string> = {
    title: row.title,
    slug: row.slug,
    description: row.description_md,
    parts: parts.map((p) => p.id).join(','),
  }
  parts.forEach((part, i) => {
    form[`part_${part.id}`] = String(i + 1)
  })
  return { ...form, ...fields }
}

/** Titles in the order the public series page lists them. */
async function publicOrder(app: FastifyInstance, slug: string): Promise<string[]> {
  const res = await app.inject(`/series/${slug}`)
  assert.equal(res.statusCode, 200)
  return ['Alpha', 'Bravo', 'Charlie']
    .map((title) => ({ title, at: mainOf(res.body).indexOf(`>${title}</a>`) }))
    .filter((p) => p.at > -1)
    .sort((x, y) => x.at - y.at)
    .map((p) => p.title)
}

const partLabel = async (app: FastifyInstance, slug: string): Promise<string | undefined> =>
  /<p class="series-label"><a [^>]*>([^<]*)<\/a>/.exec((await app.inject(`/posts/${slug}`)).body)?.[1]

async function save(author: SignedIn, id: number, fields: Record<string, string>) {
  return author.post(`/admin/series/${id}`, fields, `/admin/series/${id}`)
}

test('the series list shows every series with its number of parts, its public page and an edit link', async (t) => {
  const { app, db } = await createTestApp(t)
  const { series } = threeParts(db)
  createPost(db, { title: 'Draft part', series: 'Fastify from scratch', status: 'draft' })
  createPost(db, { title: 'Only a draft', series: 'Unfinished ideas', status: 'draft' })
  const unfinished = seriesNamed(db, 'Unfinished ideas')
  const author = await signIn(app, db)

  const res = await author.get('/admin/series')

  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(main, /href="\/admin\/series\/new"[^>]*>New series</)
  assert.match(main, new RegExp(`<a href="/admin/series/${series.id}">Fastify from scratch</a>`))
  assert.match(main, /4 parts <span class="muted">\(1 not public yet\)<\/span>/)
  assert.match(main, /<a href="\/series\/fastify-from-scratch">\/series\/fastify-from-scratch<\/a>/)
  assert.match(main, new RegExp(`<a href="/admin/series/${unfinished.id}">Unfinished ideas</a>`))
  assert.match(main, /1 part <span class="muted">\(1 not public yet\)/)
  assert.match(main, /<code>\/series\/unfinished-ideas<\/code>/, 'no link to a page that would 404')
  assert.match(res.body, /<a href="\/admin\/series" aria-current="page">Series<\/a>/)
})

test('a new series is created from its form and listed, with its description rendered', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const form = await author.get('/admin/series/new')
  assert.equal(form.statusCode, 200)
  assert.match(form.body, /name="_csrf"/)
  assert.match(form.body, /name="title"/)

  const res = await author.post(
    '/admin/series',
    { title: 'Rust for web developers', slug: '', description: 'A **gentle** start.' },
    '/admin/series/new',
  )

  assert.equal(res.statusCode, 303)
  const row = seriesNamed(db, 'Rust for web developers')
  assert.equal(res.headers.location, `/admin/series/${row.id}?done=series-created`)
  assert.equal(row.slug, 'rust-for-web-developers')
  assert.equal(row.description_html.trim(), '<p>A <strong>gentle</strong> start.</p>')
  const editor = await author.get(String(res.headers.location))
  assert.match(editor.body, /Series created\./)
  assert.match(editor.body, /No posts are in this series yet/)
  const list = await author.get('/admin/series')
  assert.match(mainOf(list.body), /Rust for web developers<\/a><\/td>\s*<td>0 parts/)
})

test('renaming a series changes its public page and every part’s label, even after they were cached', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, series } = threeParts(db)
  const author = await signIn(app, db)
  assert.equal((await app.inject('/series/fastify-from-scratch')).statusCode, 200)
  assert.equal(await partLabel(app, a.slug), 'Part 1 of 3 in Fastify from scratch')

  const res = await save(
    author,
    series.id,
    editorForm(series, [{ id: a.id }], { title: 'Fastify, the whole story', slug: 'fastify-story' }),
  )

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/series/${series.id}?done=series-saved`)
  const page = await app.inject('/series/fastify-story')
  assert.equal(page.statusCode, 200)
  assert.match(mainOf(page.body), /<h1[^>]*>Fastify, the whole story<\/h1>/)
  assert.equal((await app.inject('/series/fastify-from-scratch')).statusCode, 404)
  assert.equal(await partLabel(app, a.slug), 'Part 1 of 3 in Fastify, the whole story')
})

test('the description’s Markdown shows on the public page, and HTML typed into it never runs there', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, series } = threeParts(db)
  const author = await signIn(app, db)
  const description =
    'Read these **in order**.\n\n<script>alert("owned")</script>\n\n<img src=x onerror="alert(1)">'

  const res = await save(author, series.id, editorForm(series, [a], { description }))

  assert.equal(res.statusCode, 303)
  const main = mainOf((await app.inject('/series/fastify-from-scratch')).body)
  assert.match(main, /<div class="prose lede"><p>Read these <strong>in order<\/strong>\.<\/p>/)
  assert.doesNotMatch(main, /<script/i)
  assert.doesNotMatch(main, /onerror/i)
  const editor = await author.get(`/admin/series/${series.id}`)
  assert.match(
    editor.body,
    /&lt;script&gt;alert\(&quot;owned&quot;\)&lt;\/script&gt;/,
    'the editor keeps it as typed',
  )
})

test('numbering the parts reorders the public series page and each post’s “Part N of M”', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, b, c, series } = threeParts(db)
  const author = await signIn(app, db)
  assert.deepEqual(await publicOrder(app, series.slug), ['Alpha', 'Bravo', 'Charlie'])

  const res = await save(
    author,
    series.id,
    editorForm(series, [a, b, c], { [`part_${a.id}`]: '3', [`part_${b.id}`]: '1', [`part_${c.id}`]: '2' }),
  )

  assert.equal(res.statusCode, 303)
  assert.deepEqual(await publicOrder(app, series.slug), ['Bravo', 'Charlie', 'Alpha'])
  assert.equal(await partLabel(app, b.slug), 'Part 1 of 3 in Fastify from scratch')
  assert.equal(await partLabel(app, c.slug), 'Part 2 of 3 in Fastify from scratch')
  assert.equal(await partLabel(app, a.slug), 'Part 3 of 3 in Fastify from scratch')
  const editor = mainOf((await author.get(`/admin/series/${series.id}`)).body)
  assert.ok(editor.indexOf('>Bravo</a>') < editor.indexOf('>Charlie</a>'), 'the editor lists the new order')
  assert.ok(editor.indexOf('>Charlie</a>') < editor.indexOf('>Alpha</a>'))
})

test('saving renumbers the parts 1 to N, ties in their current order, drafts and scheduled parts shown by state', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, b, c, series } = threeParts(db)
  const draft = createPost(db, { title: 'Delta draft', series: 'Fastify from scratch', status: 'draft' })
  const later = createPost(db, {
    title: 'Echo scheduled',
    series: 'Fastify from scratch',
    status: 'scheduled',
    publishedAt: fromNow(3 * DAY),
  })
  const author = await signIn(app, db)
  const editor = mainOf((await author.get(`/admin/series/${series.id}`)).body)
  assert.match(editor, /Delta draft<\/a>\s*<span class="status status--draft">Draft<\/span>/)
  assert.match(editor, /Echo scheduled<\/a>\s*<span class="status status--scheduled">Scheduled<\/span>/)
  assert.match(editor, /Alpha<\/a>\s*<span class="status status--published">Published<\/span>/)
  assert.match(editor, /Readers see 3 of 5 parts/)

  const parts = [a, b, c, draft, later]
  const res = await save(
    author,
    series.id,
    editorForm(series, parts, {
      [`part_${a.id}`]: '40',
      [`part_${b.id}`]: '7',
      [`part_${c.id}`]: '7',
      [`part_${draft.id}`]: '1',
      [`part_${later.id}`]: '999',
    }),
  )

  assert.equal(res.statusCode, 303)
  assert.deepEqual(partsOf(db, series.id), [
    { id: draft.id, series_part: 1 },
    { id: b.id, series_part: 2 },
    { id: c.id, series_part: 3 },
    { id: a.id, series_part: 4 },
    { id: later.id, series_part: 5 },
  ])
})

test('deleting a series asks first, then keeps its posts outside any series', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, b, c, series } = threeParts(db)
  const author = await signIn(app, db)
  const editor = await author.get(`/admin/series/${series.id}`)
  assert.doesNotMatch(editor.body, /<button[^>]*class="button-danger"/, 'no delete button beside Save')
  assert.match(editor.body, new RegExp(`href="/admin/series/${series.id}/delete"`))

  const before = snapshotDb(db)
  await author.get('/admin/series')
  await author.get(`/admin/series/${series.id}`)
  const confirm = await author.get(`/admin/series/${series.id}/delete`)
  assert.equal(confirm.statusCode, 200)
  assert.match(confirm.body, /Its 3 posts stay as they are/)
  assert.deepEqual(snapshotDb(db), before, 'the list, the editor and the confirmation page write nothing')

  const res = await author.post(`/admin/series/${series.id}/delete`, {}, `/admin/series/${series.id}/delete`)

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/series?done=series-deleted')
  assert.match((await author.get(String(res.headers.location))).body, /Series deleted\./)
  assert.equal(db.$client.prepare('select count(*) from series').pluck().get(), 0)
  const kept = db.$client.prepare('select id, series_id, series_part from posts order by id').all() as {
    id: number
    series_id: number | null
    series_part: number | null
  }[]
  assert.deepEqual(
    kept.map((p) => [p.id, p.series_id, p.series_part]),
    [a, b, c].map((p) => [p.id, null, null]),
  )
  assert.equal((await app.inject(`/posts/${a.slug}`)).statusCode, 200)
  assert.equal(await partLabel(app, a.slug), undefined)
  assert.equal((await app.inject('/series/fastify-from-scratch')).statusCode, 404)
})

test('an empty title or a taken address is refused with 422, and everything typed is kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, b, c, series } = threeParts(db)
  createPost(db, { title: 'Other', series: 'Rust basics' })
  const author = await signIn(app, db)
  const before = contentOf(db)

  const untitled = await save(
    author,
    series.id,
    editorForm(series, [a, b, c], { title: '  ', description: 'Kept *text*', [`part_${c.id}`]: '1' }),
  )
  assert.equal(untitled.statusCode, 422)
  assert.ok(fieldErrorIn(untitled.body, 'title'))
  assert.match(untitled.body, /<a href="#title">Title: /, 'the error summary links to the field')
  assert.match(untitled.body, />\nKept \*text\*<\/textarea>/)
  assert.match(untitled.body, new RegExp(`id="part_${c.id}" name="part_${c.id}"[^>]*value="1"`))

  const taken = await save(author, series.id, editorForm(series, [a, b, c], { slug: 'Rust Basics' }))
  assert.equal(taken.statusCode, 422)
  assert.match(
    fieldErrorIn(taken.body, 'slug') ?? '',
    /“Rust basics” already uses the address \/series\/rust-basics/,
  )
  assert.match(taken.body, /id="slug" name="slug"[^>]*value="Rust Basics"/)

  const created = await author.post('/admin/series', { title: 'Rust basics', slug: '', description: '' })
  assert.equal(created.statusCode, 422)
  assert.ok(fieldErrorIn(created.body, 'slug'))
  assert.match(created.body, /id="title" name="title"[^>]*value="Rust basics"/)

  const symbols = await author.post('/admin/series', { title: '???', slug: '', description: 'Kept.' })
  assert.equal(symbols.statusCode, 422)
  assert.match(fieldErrorIn(symbols.body, 'title') ?? '', /at least one letter or digit/)
  assert.match(symbols.body, />\nKept\.<\/textarea>/)
  assert.equal(contentOf(db), before, 'nothing was saved')
})

test('a part number that is not a whole number from 1 to 999 is refused with 422, the numbers kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, b, c, series } = threeParts(db)
  const author = await signIn(app, db)
  const before = contentOf(db)

  for (const bad of ['', 'two', '0', '1000', '2.5', '-1', '1e2']) {
    const res = await save(
      author,
      series.id,
      editorForm(series, [a, b, c], {
        title: 'Renamed meanwhile',
        [`part_${a.id}`]: '3',
        [`part_${b.id}`]: bad,
      }),
    )
    assert.equal(res.statusCode, 422, `part number ${JSON.stringify(bad)}`)
    assert.match(fieldErrorIn(res.body, `part_${b.id}`) ?? '', /whole number from 1 to 999/)
    assert.match(res.body, new RegExp(`<a href="#part_${b.id}">Part “Bravo”: `))
    assert.match(res.body, new RegExp(`id="part_${a.id}" name="part_${a.id}"[^>]*value="3"`))
    assert.match(res.body, /id="title" name="title"[^>]*value="Renamed meanwhile"/)
  }
  assert.equal(contentOf(db), before, 'nothing was saved')
})

test('a post that is not in the series is refused, one that left it since the form was loaded is ignored', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, b, c, series } = threeParts(db)
  const outsider = createPost(db, { title: 'Outsider', series: 'Another series' })
  const author = await signIn(app, db)
  const before = contentOf(db)

  for (const name of [`part_${outsider.id}`, 'part_abc', 'part_0']) {
    const res = await save(author, series.id, editorForm(series, [a, b, c], { [name]: '1' }))
    assert.equal(res.statusCode, 422, name)
    assert.match(res.body, /<a href="#parts">Series: The form sent a part that is not in this series/)
  }
  assert.equal(contentOf(db), before)

  // Another tab moves Charlie out of the series after this form was loaded.
  db.$client.prepare('update posts set series_id = null, series_part = null where id = ?').run(c.id)
  const res = await save(
    author,
    series.id,
    editorForm(series, [a, b, c], { [`part_${a.id}`]: '2', [`part_${b.id}`]: '1', [`part_${c.id}`]: '3' }),
  )
  assert.equal(res.statusCode, 303)
  assert.deepEqual(partsOf(db, series.id), [
    { id: b.id, series_part: 1 },
    { id: a.id, series_part: 2 },
  ])
  const charlie = db.$client.prepare('select series_id from posts where id = ?').get(c.id) as {
    series_id: number | null
  }
  assert.equal(charlie.series_id, null, 'the part that left stays out')
})

test('a description nested thousands of levels deep is refused with 422, never a 500', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, series } = threeParts(db)
  const author = await signIn(app, db)
  const bomb = `${'>'.repeat(5000)} deep`

  const res = await save(
    author,
    series.id,
    editorForm(series, [a], { title: 'Still typed', description: bomb }),
  )

  assert.equal(res.statusCode, 422)
  assert.match(fieldErrorIn(res.body, 'description') ?? '', /nests quotes or lists more than 100 levels/)
  assert.match(res.body, /<a href="#description">Description: /)
  assert.ok(res.body.includes(`&gt;&gt;&gt;&gt;&gt;`), 'the description is kept')
  assert.match(res.body, /value="Still typed"/)
  assert.equal(seriesNamed(db, 'Fastify from scratch').description_md, '')

  const created = await author.post('/admin/series', { title: 'Bombs', slug: '', description: bomb })
  assert.equal(created.statusCode, 422)
  assert.equal(seriesNamed(db, 'Bombs'), undefined)
})

test('a series form without its CSRF token is refused and changes nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, series } = threeParts(db)
  const author = await signIn(app, db)
  const before = contentOf(db)

  const create = await author.post('/admin/series', { title: 'Forged', _csrf: '' })
  const edit = await save(author, series.id, editorForm(series, [a], { title: 'Forged', _csrf: 'forged' }))
  const del = await author.post(`/admin/series/${series.id}/delete`, { _csrf: '' })

  assert.deepEqual([create.statusCode, edit.statusCode, del.statusCode], [403, 403, 403])
  assert.equal(contentOf(db), before)
})

test('the series screens send a signed-out visitor to the login page and refuse their forms', async (t) => {
  const { app, db } = await createTestApp(t)
  const { series } = threeParts(db)

  for (const url of ['/admin/series', '/admin/series/new', `/admin/series/${series.id}`]) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 303, url)
    assert.equal(res.headers.location, `/admin/login?next=${encodeURIComponent(url)}`)
  }
  const post = await app.inject({
    method: 'POST',
    url: `/admin/series/${series.id}/delete`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  })
  assert.ok(post.statusCode === 401 || post.statusCode === 403, `refused with ${post.statusCode}`)
  assert.ok(seriesNamed(db, 'Fastify from scratch'))
})

test('an address that names no series gets the admin’s 404 page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  for (const url of [
    '/admin/series/999',
    '/admin/series/abc',
    '/admin/series/1e3',
    '/admin/series/0/delete',
  ]) {
    const res = await author.get(url)
    assert.equal(res.statusCode, 404, url)
    assert.match(res.body, /Series not found/)
  }
  const res = await author.post('/admin/series/999', { title: 'Ghost' }, '/admin/series')
  assert.equal(res.statusCode, 404)
})

test('a post saved from the editor after its series was renamed stays in that series', async (t) => {
  const { app, db } = await createTestApp(t)
  const { a, series } = threeParts(db)
  const author = await signIn(app, db)
  const renamed = await save(
    author,
    series.id,
    editorForm(series, [a], { title: 'Fastify, the whole story' }),
  )
  assert.equal(renamed.statusCode, 303)

  // The editor shows the series by its new title, and sends that title back.
  const res = await author.post(
    `/admin/posts/${a.id}`,
    {
      title: 'Alpha',
      slug: a.slug,
      kind: 'article',
      body: 'Still part one.',
      excerpt: '',
      link_url: '',
      tags: '',
      series: 'Fastify, the whole story',
      series_part: '1',
      status: 'published',
      published_at: '',
    },
    `/admin/posts/${a.id}`,
  )

  assert.equal(res.statusCode, 303)
  assert.equal(db.$client.prepare('select count(*) from series').pluck().get(), 1, 'no second series')
  assert.ok(
    partsOf(db, series.id).some((part) => part.id === a.id),
    'the post is still a part of the series',
  )
})
