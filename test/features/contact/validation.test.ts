// Checks that a mistake in the contact form comes back as a 422 that says what to fix, beside the field, with every word kept.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fieldErrorIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import {
  type ContactFields,
  contactVisitor,
  controlTagIn,
  GOOD_MESSAGE,
  inputValueIn,
  storedMessages,
  textareaIn,
} from '../../helpers/contact.ts'
import { mainOf } from '../../helpers/html.ts'

/** What eta's `<%=` writes for a value: the HTML a browser turns back into the exact text. */
const escaped = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')

const FIELDS = ['name', 'email', 'subject', 'message'] as const
type Field = (typeof FIELDS)[number]

/** Asserts every field shows what was typed; the message in the textarea, the others in value attributes. */
function assertKept(html: string, typed: Record<Field, string>) {
  for (const field of FIELDS) {
    const shown = field === 'message' ? textareaIn(html) : inputValueIn(html, field)
    assert.equal(shown, escaped(typed[field]), `${field} keeps what the visitor typed`)
  }
}

const cases: { what: string; fields: Partial<Record<Field, string>>; field: Field; says: RegExp }[] = [
  { what: 'a missing name', fields: { name: '' }, field: 'name', says: /Please tell me your name\./ },
  {
    what: 'a name of only spaces',
    fields: { name: '   ' },
    field: 'name',
    says: /Please tell me your name\./,
  },
  {
    what: 'a name over 100 characters',
    fields: { name: 'N'.repeat(101) },
    field: 'name',
    says: /Please keep your name under 100 characters\./,
  },
  {
    what: 'a missing email',
    fields: { email: '' },
    field: 'email',
    says: /Please give an email address so I can reply\./,
  },
  {
    what: 'an email without a domain',
    fields: { email: 'ada@' },
    field: 'email',
    says: /does not look like an email address\. It should look like you@example\.com\./,
  },
  {
    what: 'an email with a space in it',
    fields: { email: 'ada lovelace@example.com' },
    field: 'email',
    says: /does not look like an email address/,
  },
  {
    what: 'a subject over 150 characters',
    fields: { subject: 'S'.repeat(151) },
    field: 'subject',
    says: /Please keep the subject under 150 characters\./,
  },
  {
    what: 'a message under 10 characters',
    fields: { message: 'Call me' },
    field: 'message',
    says: /Please write a little more: at least 10 characters\./,
  },
  {
    what: 'a message over 5,000 characters',
    fields: { message: `${'All the details. '.repeat(294)}Thanks!` },
    field: 'message',
    says: /Please keep the message under 5,000 characters, or send the rest by email\./,
  },
]

for (const c of cases) {
  test(`${c.what} gets a 422 with the error beside the field, a summary at the top, and every value kept`, async (t) => {
    const { app, db } = await createTestApp(t)
    const typed = { ...GOOD_MESSAGE, ...c.fields }
    const res = await contactVisitor(app, db).send(typed)

    assert.equal(res.statusCode, 422)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.equal(res.headers['cache-control'], 'no-store')
    const main = mainOf(res.body)

    const error = fieldErrorIn(main, `contact-${c.field}`)
    assert.match(error ?? '', c.says)
    const control = controlTagIn(main, c.field) ?? ''
    assert.match(control, /aria-invalid="true"/)
    assert.match(control, new RegExp(`aria-describedby="[^"]*\\bcontact-${c.field}-error\\b[^"]*"`))
    // Only the field that is wrong is marked.
    for (const other of FIELDS.filter((f) => f !== c.field)) {
      assert.doesNotMatch(controlTagIn(main, other) ?? '', /aria-invalid/, `${other} is not marked invalid`)
    }

    const summary = /<div class="form-summary" role="alert">([\s\S]*?)<\/div>/.exec(main)?.[1] ?? ''
    assert.match(summary, /One thing needs fixing before the message can be sent/)
    assert.match(summary, new RegExp(`<a href="#contact-${c.field}">`))
    assert.ok(main.indexOf('form-summary') < main.indexOf('<form'), 'the summary comes before the form')

    assertKept(main, typed)
    assert.deepEqual(storedMessages(db), [], 'nothing is stored')
  })
}

test('several mistakes at once are all listed, in the order of the form, each linking to its field', async (t) => {
  const { app, db } = await createTestApp(t)
  const typed = { name: '', email: 'not an email', subject: 'Hi', message: 'Short' }
  const res = await contactVisitor(app, db).send(typed)
  assert.equal(res.statusCode, 422)
  const main = mainOf(res.body)
  assert.match(main, /3 things need fixing before the message can be sent/)
  const links = [...main.matchAll(/<li><a href="#(contact-[a-z]+)">/g)].map((m) => m[1])
  assert.deepEqual(links, ['contact-name', 'contact-email', 'contact-message'])
  for (const id of links) assert.match(main, new RegExp(`id="${id}"`), `${id} exists to jump to`)
  assertKept(main, typed)
})

test('a form with a field missing altogether (not even empty) gets the same friendly message, not a schema error', {}, async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const res = await visitor.send({ subject: 'Only a subject' })
  assert.equal(res.statusCode, 422)
  const main = mainOf(res.body)
  assert.match(fieldErrorIn(main, 'contact-name') ?? '', /Please tell me your name\./)
  assert.match(fieldErrorIn(main, 'contact-email') ?? '', /Please give an email address/)
  assert.match(fieldErrorIn(main, 'contact-message') ?? '', /Please write a little more/)
  assert.doesNotMatch(main, /Invalid input|expected string/)
})

test('what the visitor typed is stored trimmed, and a valid message with an empty subject is accepted', async (t) => {
  const { app, db } = await createTestApp(t)
  const res = await contactVisitor(app, db).send({
    name: '  Ada Lovelace ',
    email: ' ada@example.com ',
    subject: '',
    message: '\n  Could you review our checkout for accessibility?  \n',
  })
  assert.equal(res.statusCode, 303)
  const [stored] = storedMessages(db)
  assert.equal(stored?.name, 'Ada Lovelace')
  assert.equal(stored?.email, 'ada@example.com')
  assert.equal(stored?.subject, '')
  assert.equal(stored?.body, 'Could you review our checkout for accessibility?')
})

test('a message of exactly 5,000 characters, and a name of exactly 100, are accepted', async (t) => {
  const { app, db } = await createTestApp(t)
  const message = 'é'.repeat(5000)
  const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE, name: 'N'.repeat(100), message })
  assert.equal(res.statusCode, 303)
  assert.equal(storedMessages(db)[0]?.body, message)
})

// ---- Nothing a visitor sends is rendered unescaped (invariant 2), on every page that gives the form back.

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  'javascript:alert(1)',
  '</textarea><script>alert(1)</script>',
  '&lt;b&gt; already escaped &amp; twice',
]

for (const payload of PAYLOADS) {
  test(`a re-rendered form shows ${JSON.stringify(payload)} as text in every field, never as markup`, async (t) => {
    const { app, db } = await createTestApp(t)
    const typed: ContactFields = {
      name: payload,
      email: `bad${payload}`,
      subject: payload,
      message: `Hello, this is my message: ${payload}`,
    }
    const res = await contactVisitor(app, db).send(typed)
    assert.equal(res.statusCode, 422)
    assert.ok(fieldErrorIn(res.body, 'contact-email'), 'the bad email is why the form came back')
    assertKept(mainOf(res.body), typed as Record<Field, string>)
    assertNoRawPayload(res.body, payload)
  })
}

/** The raw markup never appears, no visitor text reaches an href, and there is still just one textarea. */
function assertNoRawPayload(html: string, payload: string) {
  if (/[<>"']/.test(payload)) assert.ok(!html.includes(payload), 'the payload never appears unescaped')
  assert.doesNotMatch(html, /<script>alert|<img src=x|<svg onload|href="javascript:/i)
  assert.equal(html.match(/<textarea/g)?.length, 1)
  assert.equal(html.match(/<\/textarea>/g)?.length, 1)
}

test('a form given back for a missing CSRF token also shows the payloads as text', async (t) => {
  const { app, db } = await createTestApp(t)
  const payload = '"><img src=x onerror=alert(1)></textarea><script>alert(1)</script>'
  const typed = { name: payload, email: 'ada@example.com', subject: payload, message: payload }
  const res = await contactVisitor(app, db).send({ ...typed, _csrf: '' })
  assert.equal(res.statusCode, 403)
  assertKept(mainOf(res.body), typed)
  assertNoRawPayload(res.body, payload)
})
