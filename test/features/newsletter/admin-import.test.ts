// Checks importing and exporting subscribers as CSV from the admin: header variants, what each line became, unsubscribed addresses left alone, refused files, the export and its round trip.
import assert from 'node:assert/strict'
import { type TestContext, test } from 'node:test'
import { parse } from 'csv-parse/sync'
import { eq } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.ts'
import { type SubscriberStatus, subscribers } from '../../../src/db/schema.ts'
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../../src/features/newsletter/import-file.ts'
import { type SignedIn, signIn, snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

/** Every subscriber row as it stands: a refused request leaves it as it was (sessions still record the author's activity). */
const subscribersNow = (db: Db) => JSON.stringify(db.select().from(subscribers).all())

const BASE = new Date('2026-03-01T12:00:00Z')

function addRow(db: Db, email: string, status: SubscriberStatus) {
  db.insert(subscribers)
    .values({
      email,
      status,
      createdAt: BASE,
      confirmedAt: status === 'confirmed' ? BASE : null,
      unsubscribedAt: status === 'unsubscribed' ? BASE : null,
    })
    .run()
}

const statusOf = (db: Db, email: string) =>
  db.select({ status: subscribers.status }).from(subscribers).where(eq(subscribers.email, email)).get()
    ?.status

const allRows = (db: Db) =>
  db
    .select({ email: subscribers.email, status: subscribers.status, source: subscribers.source })
    .from(subscribers)
    .orderBy(subscribers.email)
    .all()

/** A multipart/form-data body as a browser would send it, serialised by the platform's own FormData. */
async function multipart(
  fields: Record<string, string>,
  file?: { name: string; type: string; data: Buffer },
) {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  if (file) form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name)
  const encoded = new Response(form)
  return {
    payload: Buffer.from(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? '',
  }
}

async function setUp(t: TestContext) {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  /** Posts the import form as the author with `text` as the file, and a real CSRF token unless `csrf` is given. */
  const upload = async (
    text: string | Buffer | undefined,
    options: { csrf?: string; name?: string } = {},
  ) => {
    const csrf = options.csrf ?? (await author.csrfFrom('/admin/subscribers')).csrf
    const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
    const body = await multipart(
      { _csrf: csrf },
      data ? { name: options.name ?? 'list.csv', type: 'text/csv', data } : undefined,
    )
    return app.inject({
      method: 'POST',
      url: '/admin/subscribers/import',
      cookies: author.cookies,
      headers: { 'content-type': body.contentType, accept: 'text/html' },
      payload: body.payload,
    })
  }
  return { app, db, author, upload }
}

/** The import form's error message (views/partials/field-error.eta), or undefined. */
const fileErrorIn = (html: string): string | undefined =>
  /<p class="field-error" id="file-error">([^<]*)<\/p>/.exec(html)?.[1]

const summaryIn = (html: string): string[] =>
  [...html.matchAll(/<li><strong>([^<]*)<\/strong> ([^<]*)<\/li>/g)].map((m) => `${m[1]} ${m[2]}`)

test('a file with an email column adds its addresses as confirmed imports and reports what it did', async (t) => {
  const { db, upload } = await setUp(t)
  addRow(db, 'here@example.com', 'confirmed')
  addRow(db, 'waiting@example.com', 'pending')
  addRow(db, 'left@example.com', 'unsubscribed')
  const csv = [
    'Name,Email Address,Notes',
    'Ada,ada@example.com,first',
    '"Hopper, Grace",GRACE@Example.com,"said yes, at the meetup"',
    'Here,here@example.com,',
    'Waiting,waiting@example.com,',
    'Left,left@example.com,',
    'Twice,ada@example.com,',
    'Broken,not-an-address,',
    ',,',
    'Empty,,',
  ].join('\r\n')
  const res = await upload(csv)
  assert.equal(res.statusCode, 200, res.body)
  assert.match(res.body, /<h1>Import finished<\/h1>/)
  assert.deepEqual(summaryIn(res.body), [
    '2 new subscribers added, subscribed from now on.',
    '1 address was waiting to confirm and is subscribed now.',
    '2 addresses were on the list already (or listed twice in the file), left as they were.',
    '1 address skipped: they unsubscribed, and only they can subscribe again.',
    '2 lines were not email addresses.',
  ])
  // Line numbers are the file's own, so the author can find them.
  assert.match(res.body, /<tr><td>6<\/td><td class="inbox-address"><bdi>left@example\.com<\/bdi><\/td><\/tr>/)
  assert.match(res.body, /<tr><td>8<\/td><td><bdi>not-an-address<\/bdi><\/td><\/tr>/)
  assert.match(res.body, /<tr><td>10<\/td><td><bdi>\(empty\)<\/bdi><\/td><\/tr>/)
  assert.deepEqual(allRows(db), [
    { email: 'ada@example.com', status: 'confirmed', source: 'import' },
    { email: 'grace@example.com', status: 'confirmed', source: 'import' },
    { email: 'here@example.com', status: 'confirmed', source: 'form' },
    { email: 'left@example.com', status: 'unsubscribed', source: 'form' },
    { email: 'waiting@example.com', status: 'confirmed', source: 'form' },
  ])
})

test('header variants, semicolons, tabs, a byte order mark, display names and headerless files all work', async (t) => {
  const { db, upload } = await setUp(t)
  const files = [
    ['email\none@example.com\n', 'one@example.com'],
    ['\uFEFFE-mail;Name\ntwo@example.com;Two\n', 'two@example.com'],
    ['Name\tEMAIL\nThree\tthree@example.com\n', 'three@example.com'],
    ['four@example.com\nfive@example.com\n', 'five@example.com'],
    ['Jane Doe,Jane Doe <six@example.com>\n', 'six@example.com'],
    ['Subscribers\nseven@example.com\n', 'seven@example.com'],
  ] as const
  for (const [csv, expected] of files) {
    const res = await upload(csv)
    assert.equal(res.statusCode, 200, `${JSON.stringify(csv)}: ${res.body.slice(0, 300)}`)
    assert.equal(statusOf(db, expected), 'confirmed', JSON.stringify(csv))
  }
  assert.equal(statusOf(db, 'four@example.com'), 'confirmed', 'a headerless file keeps its first line')
  assert.equal(allRows(db).length, 7)
})

test('rows that another service’s export marks as unsubscribed or unconfirmed are left out', async (t) => {
  const { db, upload } = await setUp(t)
  const res = await upload(
    [
      'email,status',
      'active@example.com,subscribed',
      'gone@example.com,unsubscribed',
      'never@example.com,unconfirmed',
      'plain@example.com,',
    ].join('\n'),
  )
  assert.equal(res.statusCode, 200)
  assert.match(
    res.body,
    /<strong>2 rows<\/strong> skipped: the file marks them as unsubscribed or unconfirmed/,
  )
  assert.deepEqual(
    allRows(db).map((r) => r.email),
    ['active@example.com', 'plain@example.com'],
  )
  const ghost = await upload('id,email,subscribed_to_emails\n1,g1@example.com,true\n2,g2@example.com,false\n')
  assert.equal(ghost.statusCode, 200)
  assert.equal(statusOf(db, 'g1@example.com'), 'confirmed')
  assert.equal(statusOf(db, 'g2@example.com'), undefined)
})

test('a file that is not a CSV, empty, garbled, without addresses, too long or too big is refused whole with a message', async (t) => {
  const { db, upload } = await setUp(t)
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  )
  const xlsx = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(64)])
  const manyRows = `email\n${Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `r${i}@example.com`).join('\n')}\n`
  const huge = `email\n${'a'.repeat(MAX_IMPORT_BYTES + 10)}\n`
  const cases = [
    { what: 'no file', file: undefined, status: 422, message: /Choose a CSV file to import/ },
    { what: 'an empty file', file: '', status: 422, message: /Choose a CSV file to import/ },
    { what: 'an image', file: png, status: 415, message: /not a CSV file: it holds binary data/ },
    { what: 'a workbook', file: xlsx, status: 415, message: /spreadsheet workbook \(\.xlsx\)/ },
    {
      what: 'unclosed quotes',
      file: 'email\n"a@example.com\n',
      status: 422,
      message: /could not be read as CSV near line/,
    },
    {
      what: 'no addresses',
      file: 'name\nAda\nGrace\n',
      status: 422,
      message: /No email addresses were found/,
    },
    { what: 'too many rows', file: manyRows, status: 413, message: /more than 20,000 rows/ },
    { what: 'too big', file: huge, status: 413, message: /larger than 2\.0 MB/ },
  ]
  for (const c of cases) {
    const before = subscribersNow(db)
    const res = await upload(c.file)
    assert.equal(res.statusCode, c.status, `${c.what}: ${res.body.slice(0, 200)}`)
    assert.match(String(res.headers['content-type']), /^text\/html/, c.what)
    assert.match(fileErrorIn(res.body) ?? '', c.message, c.what)
    assert.match(res.body, /Nothing was imported\./, c.what)
    assert.equal(subscribersNow(db), before, c.what)
  }
})

test('an import without a CSRF token is refused with 403 and stores nothing', async (t) => {
  const { db, upload } = await setUp(t)
  const before = snapshotDb(db)
  const res = await upload('email\nforged@example.com\n', { csrf: 'forged-token' })
  assert.equal(res.statusCode, 403)
  assert.deepEqual(snapshotDb(db), before)
})

test('a hostile value in a file is escaped in the import report', async (t) => {
  const { upload } = await setUp(t)
  const res = await upload('email\n<script>alert(1)</script>\nok@example.com\n', {
    name: '<img src=x onerror=alert(2)>.csv',
  })
  assert.equal(res.statusCode, 200)
  assert.doesNotMatch(res.body, /<script>alert|<img src=x/)
  assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.match(res.body, /&lt;img src=x onerror=alert\(2\)&gt;\.csv/)
})

async function exported(author: SignedIn) {
  const res = await author.get('/admin/subscribers.csv')
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/)
  assert.match(
    String(res.headers['content-disposition']),
    /^attachment; filename="subscribers-\d{4}-\d{2}-\d{2}\.csv"$/,
  )
  assert.equal(res.headers['cache-control'], 'no-store')
  return res.body
}

test('the export lists every address with status, source and dates, spreadsheet formulas neutralised', async (t) => {
  const { db, author } = await setUp(t)
  addRow(db, 'one@example.com', 'confirmed')
  addRow(db, '-dash@example.com', 'confirmed')
  addRow(db, '=cmd|calc@x.example', 'pending')
  addRow(db, 'left@example.com', 'unsubscribed')
  const before = snapshotDb(db)
  const body = await exported(author)
  assert.deepEqual(snapshotDb(db), before, 'the download writes nothing')
  assert.ok(body.startsWith('\uFEFF'), 'a byte order mark for Excel')
  const rows = parse(body, { bom: true, columns: true }) as Record<string, string>[]
  assert.deepEqual(
    rows.map((r) => [r.email, r.status, r.source]),
    [
      ['one@example.com', 'confirmed', 'form'],
      ["'-dash@example.com", 'confirmed', 'form'],
      ["'=cmd|calc@x.example", 'pending', 'form'],
      ['left@example.com', 'unsubscribed', 'form'],
    ],
  )
  assert.equal(rows[0]?.created, BASE.toISOString())
  assert.equal(rows[0]?.confirmed, BASE.toISOString())
  assert.equal(rows[3]?.unsubscribed, BASE.toISOString())
  assert.equal(rows[3]?.confirmed, '')
})

test('an export imported into another site brings the confirmed addresses and none of the others', async (t) => {
  const source = await setUp(t)
  addRow(source.db, 'one@example.com', 'confirmed')
  addRow(source.db, '-dash@example.com', 'confirmed')
  addRow(source.db, 'waiting@example.com', 'pending')
  addRow(source.db, 'left@example.com', 'unsubscribed')
  const csv = await exported(source.author)

  const target = await setUp(t)
  const res = await target.upload(csv, { name: 'subscribers-2026-03-01.csv' })
  assert.equal(res.statusCode, 200, res.body)
  assert.deepEqual(allRows(target.db), [
    { email: '-dash@example.com', status: 'confirmed', source: 'import' },
    { email: 'one@example.com', status: 'confirmed', source: 'import' },
  ])
  // Importing the same file again adds nobody twice.
  const again = await target.upload(csv)
  assert.match(again.body, /<strong>0 new subscribers<\/strong> added/)
  assert.match(again.body, /<strong>2 addresses<\/strong> were on the list already/)
  assert.equal(allRows(target.db).length, 2)
})
