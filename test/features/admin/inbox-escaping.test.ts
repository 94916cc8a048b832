// Checks that nothing a visitor wrote becomes markup, a script or a mail header anywhere in the inbox.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Db } from '../../../src/db/client.ts'
import type { Message } from '../../../src/db/schema.ts'
import { replyHref } from '../../../src/features/admin/inbox/render.ts'
import { receiveMessage } from '../../../src/features/contact/service.ts'
import { isPlainEmail } from '../../../src/features/inbox/replies.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '</textarea><script>x</script>',
  '{{7*7}}<%= 7*7 %>',
]

function addMessage(
  db: Db,
  input: { name: string; email: string; subject: string; body: string },
  spam = false,
): Message {
  return receiveMessage(db, input, {
    ip: '"><script>ip()</script>',
    userAgent: '<img src=x onerror=ua()>',
    spam: { score: spam ? 9 : 0, reasons: spam ? ['<b onmouseover=r()>reason</b>'] : [], isSpam: spam },
  })
}

/** The raw payload, or any tag it carries, must never appear in the page as markup. */
function assertEscaped(html: string, payload: string, where: string) {
  assert.ok(!html.includes(payload) || !/[<>"]/.test(payload), `${where}: raw ${JSON.stringify(payload)}`)
  for (const tag of [
    '<script>alert(1)',
    '<img src=x',
    '<script>x',
    '<%= 7*7',
    '<b onmouseover',
    '<script>ip',
    '<img src=x onerror=ua',
  ]) {
    assert.ok(!html.includes(tag), `${where}: ${tag}`)
  }
  assert.ok(!/href="javascript:/i.test(html), `${where}: javascript: link`)
  assert.ok(!html.includes('>49<'), `${where}: a template expression was evaluated`)
}

test('XSS payloads in every field show as text in the list, the message, its title, search and the delete page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (const payload of PAYLOADS) {
    const inbox = addMessage(db, {
      name: payload,
      email: payload,
      subject: payload,
      body: `${payload}\n${payload}`,
    })
    const noSubject = addMessage(db, {
      name: payload,
      email: 'javascript:alert(1)',
      subject: '',
      body: payload,
    })
    const spam = addMessage(db, { name: payload, email: payload, subject: payload, body: payload }, true)

    for (const url of [
      '/admin/inbox',
      '/admin/inbox?folder=spam',
      `/admin/inbox?q=${encodeURIComponent(payload)}`,
      `/admin/inbox/${inbox.id}`,
      `/admin/inbox/${noSubject.id}`,
      `/admin/inbox/${spam.id}`,
      `/admin/inbox/${inbox.id}/delete`,
      `/admin/inbox/${noSubject.id}/delete`,
    ]) {
      const res = await author.get(url)
      assert.equal(res.statusCode, 200, url)
      assertEscaped(res.body, payload, url)
      const title = /<title>([^<]*)<\/title>/.exec(res.body)
      assert.ok(title, `${url}: the title is one text node`)
    }
    const detail = await author.get(`/admin/inbox/${inbox.id}`)
    assert.ok(detail.body.includes('&lt;') || !payload.includes('<'), 'the escaped text is there to read')
    assert.doesNotMatch(
      detail.body,
      /href="mailto:[^"]*(?:script|alert|onerror)/i,
      'no Reply link for a bad address',
    )
  }
  const list = await author.get('/admin/inbox')
  assert.match(list.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.match(list.body, /&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/)
  assert.match(list.body, /\{\{7\*7\}\}&lt;%= 7\*7 %&gt;/)
})

test('a message of a megabyte of mixed Unicode renders as plain text in the list and on its page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const chunk = 'Hello 👩‍💻 שלום \u202Egnp.exe\u202C zero\u200Bwidth 👨‍👩‍👧‍👦 <b>x</b> & ümlaut 中文\n'
  const body = chunk.repeat(Math.ceil(1_000_000 / chunk.length))
  assert.ok(body.length >= 1_000_000)
  // Inserted directly: the contact form's length limit is not what is being tested here.
  const m = receiveMessage(
    db,
    { name: '\u202Eevil\u202C 👩‍👩‍👦', email: 'u@example.com', subject: '', body },
    { ip: '', userAgent: '', spam: { score: 0, reasons: [], isSpam: false } },
  )
  const list = await author.get('/admin/inbox')
  assert.equal(list.statusCode, 200)
  assert.ok(!list.body.includes('<b>x</b>'))
  assert.match(
    list.body,
    /<bdi>\u202Eevil\u202C 👩‍👩‍👦<\/bdi>/,
    'names are isolated so a direction override cannot spill',
  )
  assert.ok(list.body.length < 100_000, 'the list shows only the start of a long message')

  const detail = await author.get(`/admin/inbox/${m.id}`)
  assert.equal(detail.statusCode, 200)
  assert.ok(!detail.body.includes('<b>x</b>'))
  assert.ok(
    detail.body.includes('&lt;b&gt;x&lt;/b&gt; &amp; ümlaut 中文\nHello 👩‍💻'),
    'the text and line breaks are kept',
  )
  assert.ok(detail.body.length > 1_000_000)

  const json = await author.get('/admin/inbox/export.json')
  assert.equal(JSON.parse(json.body)[0].message, body)
})

test('Reply is a mailto: link to a plain address with the subject encoded', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const m = addMessage(db, {
    name: 'Jane',
    email: "jane.o'neil+work@example.co.uk",
    subject: 'Rates & dates? 50% off #1',
    body: 'Hello there.',
  })
  const res = await author.get(`/admin/inbox/${m.id}`)
  const href =
    "mailto:jane.o'neil%2Bwork@example.co.uk?subject=Re%3A%20Rates%20%26%20dates%3F%2050%25%20off%20%231"
  assert.equal(replyHref(m), href)
  // Without SMTP, the Reply button is the same link with the visitor's message quoted in its body.
  const button = `<a class="button" href="${href.replace("'", '&#39;')}&amp;body=%0D%0A%0D%0AOn%20`
  assert.ok(res.body.includes(button), 'the Reply button')
  assert.ok(res.body.includes('wrote%3A%0D%0A%3E%20Hello%20there.">Reply</a>'), 'the quoted message')

  assert.equal(replyHref({ email: 'a@b.io', subject: '' }), 'mailto:a@b.io?subject=Re%3A%20Your%20message')
  assert.equal(replyHref({ email: 'a@b.io', subject: 'Re: hello' }), 'mailto:a@b.io?subject=Re%3A%20hello')
  assert.equal(
    replyHref({ email: 'a@b.io', subject: 'Hi\r\nBcc: victim@example.com' }),
    'mailto:a@b.io?subject=Re%3A%20Hi%20Bcc%3A%20victim%40example.com',
    'line breaks cannot start a new header',
  )
})

test('an address that is not a plain email gets no mailto: link and shows as text', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (const email of [
    'x@y.com?bcc=z',
    'a?bcc=evil@x.com',
    'javascript:alert(1)',
    'javascript:alert(1)//@example.com',
    'jane@example.com\r\nBcc: z@y.com',
    'a@b.com&body=hi',
    'a@b.com#x',
    'mailto:a@b.com',
    '"quoted"@example.com',
    'no-at-sign',
  ]) {
    assert.equal(isPlainEmail(email), false, email)
    assert.equal(replyHref({ email, subject: 'x' }), null, email)
    const m = addMessage(db, { name: 'N', email, subject: 'S', body: 'Body text.' })
    const res = await author.get(`/admin/inbox/${m.id}`)
    assert.equal(res.statusCode, 200)
    assert.doesNotMatch(res.body, /href="mailto:/, email)
    assert.doesNotMatch(res.body, />Reply</, email)
    assert.match(res.body, /there is no Reply button/)
  }
  for (const email of ['jane@example.com', 'a.b-c_d+e@sub.example.org', "o'neil@example.ie"]) {
    assert.equal(isPlainEmail(email), true, email)
  }
})

test('spreadsheet formulas and markup in exports stay inert text', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  for (const payload of PAYLOADS)
    addMessage(db, { name: payload, email: payload, subject: payload, body: payload })
  const csv = await author.get('/admin/inbox/export.csv')
  assert.equal(csv.statusCode, 200)
  assert.match(String(csv.headers['content-type']), /^text\/csv/)
  assert.match(
    String(csv.headers['content-disposition']),
    /^attachment;/,
    'downloaded, never shown as a page',
  )
  assert.ok(
    csv.body.includes('"""><img src=x onerror=alert(1)>"'),
    'quotes are doubled inside a quoted field',
  )
  const json = await author.get('/admin/inbox/export.json')
  const data = JSON.parse(json.body) as { name: string }[]
  assert.deepEqual(
    data.map((m) => m.name),
    PAYLOADS,
  )
})
