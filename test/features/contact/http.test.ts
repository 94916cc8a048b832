// Checks POST /contact against what clients really send: Content-Type spellings, other body types, oversized bodies; never a 500.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { encodeForm } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { contactVisitor, GOOD_MESSAGE, signedTimestamp, storedMessages } from '../../helpers/contact.ts'
import { mainOf } from '../../helpers/html.ts'

for (const contentType of [
  'application/x-www-form-urlencoded',
  'Application/X-WWW-Form-Urlencoded',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded;charset=UTF-8',
  'application/x-www-form-urlencoded ; charset=utf-8',
]) {
  test(`a form sent as ${JSON.stringify(contentType)} is read and stored`, async (t) => {
    const { app, db } = await createTestApp(t)
    const res = await contactVisitor(app, db).send(
      { ...GOOD_MESSAGE, message: 'Ünïcödé survives: café, 日本語, emoji 🎉.' },
      { headers: { 'content-type': contentType } },
    )
    assert.equal(res.statusCode, 303)
    const [stored] = storedMessages(db)
    assert.equal(stored?.name, GOOD_MESSAGE.name)
    assert.equal(stored?.body, 'Ünïcödé survives: café, 日本語, emoji 🎉.')
  })
}

test('a JSON body is refused with a helpful HTML 415, not JSON, and stores nothing: no route reads JSON', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf } = await visitor.openForm()
  const res = await visitor.sendBody(
    'application/json',
    JSON.stringify({ ...GOOD_MESSAGE, _csrf: csrf, ts: signedTimestamp(db) }),
  )
  assert.equal(res.statusCode, 415)
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/)
  assert.doesNotMatch(res.body, /"statusCode"|^\{/)
  assert.match(res.body, /Use the form on the page/)
  assert.deepEqual(storedMessages(db), [])
})

for (const [what, payload] of [
  ['malformed JSON', '{"name": "Ada",'],
  ['an empty JSON body', ''],
  ['a JSON string', '"hello"'],
  ['JSON null', 'null'],
  ['a JSON array', '[1, 2, 3]'],
] as const) {
  test(`${what} sent to /contact gets a 4xx page, not a 500, and stores nothing`, async (t) => {
    const { app, db } = await createTestApp(t)
    const visitor = contactVisitor(app, db)
    await visitor.openForm()
    const res = await visitor.sendBody('application/json', payload)
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.deepEqual(storedMessages(db), [])
  })
}

test('a JSON body with a valid token and fields that are not strings gets a 415, not a 500', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf } = await visitor.openForm()
  const res = await visitor.sendBody(
    'application/json',
    JSON.stringify({
      _csrf: csrf,
      ts: signedTimestamp(db),
      name: { $ne: null },
      email: ['ada@example.com'],
      subject: 42,
      message: { toString: 'x' },
    }),
  )
  assert.equal(res.statusCode, 415)
  assert.deepEqual(storedMessages(db), [])
})

for (const [what, contentType, payload] of [
  ['text/plain', 'text/plain', 'name=Ada&email=ada@example.com&message=hello there friend'],
  [
    'multipart/form-data',
    'multipart/form-data; boundary=x',
    '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda\r\n--x--\r\n',
  ],
  ['an unknown type', 'application/x-folio-unknown', 'whatever'],
] as const) {
  test(`a body sent as ${what} is refused with a 4xx and stores nothing`, async (t) => {
    const { app, db } = await createTestApp(t)
    const visitor = contactVisitor(app, db)
    await visitor.openForm()
    const res = await visitor.sendBody(contentType, payload)
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`)
    assert.deepEqual(storedMessages(db), [])
  })
}

test('a POST with no body at all gives the form back with a 403, not a 500', async (t) => {
  const { app, db } = await createTestApp(t)
  const res = await contactVisitor(app, db).inject({ method: 'POST', url: '/contact' })
  assert.equal(res.statusCode, 403)
  assert.match(mainOf(res.body), /please press Send again/)
})

test('a repeated field keeps its first value', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const { csrf } = await visitor.openForm()
  const res = await visitor.inject({
    method: 'POST',
    url: '/contact',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm({
      ...GOOD_MESSAGE,
      name: ['Ada Lovelace', 'Someone Else'],
      _csrf: csrf,
      ts: signedTimestamp(db),
    }),
  })
  assert.equal(res.statusCode, 303)
  assert.equal(storedMessages(db)[0]?.name, 'Ada Lovelace')
})

// Far over any sensible limit for a 5,000-character message, whatever the exact limit is set to.
for (const [what, size] of [
  ['of 8 MB', 8 * 1024 * 1024],
  ['of 20 MB', 20 * 1024 * 1024],
] as const) {
  test(`a body ${what} gets a 413 HTML page, not a 500, and stores nothing`, async (t) => {
    const { app, db } = await createTestApp(t)
    const res = await contactVisitor(app, db).send({ ...GOOD_MESSAGE, message: 'x'.repeat(size) })
    assert.equal(res.statusCode, 413)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.match(res.body, /<h1>Too large<\/h1>/)
    assert.deepEqual(storedMessages(db), [])
  })
}

test('control characters and broken percent-encoding in a form never cause a 500', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db)
  const odd = await visitor.send({
    ...GOOD_MESSAGE,
    subject: 'right-to-left \u202E override and a \uFEFF byte-order mark',
    message: 'A NUL \u0000 here, a bell \u0007 there, and a lone surrogate \uD800 too.',
  })
  assert.equal(odd.statusCode, 303)
  assert.equal(storedMessages(db).length, 1)

  const { csrf } = await visitor.openForm()
  const broken = await visitor.inject({
    method: 'POST',
    url: '/contact',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(csrf)}&ts=${encodeURIComponent(signedTimestamp(db))}&name=%ZZ&email=%E0%A4%A&message=%`,
  })
  assert.ok(broken.statusCode >= 400 && broken.statusCode < 500, `status ${broken.statusCode}`)
  assert.equal(storedMessages(db).length, 1)
})
