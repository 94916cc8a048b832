// Checks exporting the inbox: download headers, RFC 4180 CSV, spreadsheet formula neutralising, and the JSON shape.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { Db } from '../../../src/db/client.ts'
import { type Message, messages } from '../../../src/db/schema.ts'
import { receiveMessage } from '../../../src/features/contact/service.ts'
import { toCsv } from '../../../src/features/inbox/export.ts'
import { neutraliseFormula } from '../../../src/lib/csv-cells.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const CLEAN = { score: 0, reasons: [], isSpam: false }

function addMessage(
  db: Db,
  input: Partial<{ name: string; email: string; subject: string; body: string }> = {},
  options: { at?: Date; spam?: { score: number; reasons: string[]; isSpam: boolean } } = {},
): Message {
  return receiveMessage(
    db,
    {
      name: input.name ?? 'Jane Doe',
      email: input.email ?? 'jane@example.com',
      subject: input.subject ?? 'A project',
      body: input.body ?? 'Hello, I would like to talk about a project.',
    },
    { ip: '203.0.113.7', userAgent: 'test', spam: options.spam ?? CLEAN },
    options.at ?? new Date(),
  )
}

/** A minimal RFC 4180 reader, to check the writer's output round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += ch
  }
  return rows
}

test('the CSV writer quotes every field, doubles quotes and ends records with CRLF', () => {
  assert.equal(toCsv([['a', 'say "hi"', 'two\nlines', '']]), '"a","say ""hi""","two\nlines",""\r\n')
})

test('a field a spreadsheet would run as a formula gets a leading apostrophe', () => {
  for (const risky of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=cmd', '\r=cmd', '=HYPERLINK("http://x","y")']) {
    assert.equal(neutraliseFormula(risky), `'${risky}`, JSON.stringify(risky))
  }
  for (const safe of ['Jane', ' =1', 'a=b', '', '1-2']) assert.equal(neutraliseFormula(safe), safe)
})

test('the CSV export downloads every message as an attachment, quoted and with formulas neutralised', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const first = addMessage(
    db,
    {
      name: '=HYPERLINK("http://evil.example","Click")',
      subject: 'Quote "this", please',
      body: 'Line one\r\nLine two, with a comma',
    },
    { at: new Date('2026-03-01T09:00:00Z') },
  )
  const second = addMessage(
    db,
    { name: '@attacker', email: 'spam@example.com', subject: '-2+3', body: '+cmd' },
    {
      at: new Date('2026-03-02T09:00:00Z'),
      spam: { score: 7, reasons: ['2 links', 'spam phrases: crypto'], isSpam: true },
    },
  )
  db.update(messages).set({ readAt: new Date() }).where(eq(messages.id, first.id)).run()

  const res = await author.get('/admin/inbox/export.csv')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  assert.match(
    String(res.headers['content-disposition']),
    /^attachment; filename="messages-\d{4}-\d{2}-\d{2}\.csv"$/,
  )
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.ok(
    res.body.startsWith(
      '\uFEFF"id","received_at","folder","read","name","email","subject","message","spam_score","spam_reasons","ip"\r\n',
    ),
  )
  assert.ok(res.body.endsWith('\r\n'))

  const rows = parseCsv(res.body.slice(1))
  assert.equal(rows.length, 3)
  assert.deepEqual(rows[1], [
    String(first.id),
    '2026-03-01T09:00:00.000Z',
    'inbox',
    'true',
    `'=HYPERLINK("http://evil.example","Click")`,
    'jane@example.com',
    'Quote "this", please',
    'Line one\r\nLine two, with a comma',
    '0',
    '',
    '203.0.113.7',
  ])
  assert.deepEqual(rows[2], [
    String(second.id),
    '2026-03-02T09:00:00.000Z',
    'spam',
    'false',
    `'@attacker`,
    'spam@example.com',
    `'-2+3`,
    `'+cmd`,
    '7',
    '2 links; spam phrases: crypto',
    '203.0.113.7',
  ])
  assert.match(res.body, /"Quote ""this"", please"/)
})

test('the JSON export is an array of messages with ISO dates, booleans and reason lists', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(
    db,
    { name: '</script><script>alert(1)</script>', body: 'Hi "there"\nbye' },
    {
      at: new Date('2026-03-01T09:00:00Z'),
      spam: { score: 5, reasons: ['form timestamp missing or forged'], isSpam: true },
    },
  )
  const res = await author.get('/admin/inbox/export.json')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  assert.match(
    String(res.headers['content-disposition']),
    /^attachment; filename="messages-\d{4}-\d{2}-\d{2}\.json"$/,
  )
  const data = JSON.parse(res.body)
  assert.deepEqual(data, [
    {
      id: m.id,
      received_at: '2026-03-01T09:00:00.000Z',
      folder: 'spam',
      read: false,
      name: '</script><script>alert(1)</script>',
      email: 'jane@example.com',
      subject: 'A project',
      message: 'Hi "there"\nbye',
      spam_score: 5,
      spam_reasons: ['form timestamp missing or forged'],
      ip: '203.0.113.7',
    },
  ])
})

test('an export can be limited to one folder, and an empty inbox exports just the header or []', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const empty = await author.get('/admin/inbox/export.json')
  assert.deepEqual(JSON.parse(empty.body), [])
  const emptyCsv = await author.get('/admin/inbox/export.csv')
  assert.equal(parseCsv(emptyCsv.body.slice(1)).length, 1)

  const kept = addMessage(db, { subject: 'Keep' })
  addMessage(db, { subject: 'Junk' }, { spam: { score: 9, reasons: [], isSpam: true } })
  const inboxOnly = await author.get('/admin/inbox/export.json?folder=inbox')
  assert.deepEqual(
    JSON.parse(inboxOnly.body).map((m: { id: number }) => m.id),
    [kept.id],
  )
  assert.match(
    String(inboxOnly.headers['content-disposition']),
    /filename="messages-inbox-\d{4}-\d{2}-\d{2}\.json"/,
  )
  const spamCsv = await author.get('/admin/inbox/export.csv?folder=spam')
  assert.equal(parseCsv(spamCsv.body.slice(1)).length, 2)
  const all = await author.get('/admin/inbox/export.json?folder=bogus')
  assert.equal(JSON.parse(all.body).length, 2, 'an unknown folder exports everything')
})
