// Checks what a visitor sees before sending: the way to /contact, the form, its limits, and the hidden defences.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { STATIC_DIR } from '../../../src/app.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { snapshotDb } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { contactVisitor, controlTagIn, inputValueIn } from '../../helpers/contact.ts'
import { mainOf, metaContent, scriptTags } from '../../helpers/html.ts'

test('the home page links to the contact form from the services block and from the header', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({ url: '/', headers: { accept: 'text/html' } })
  assert.equal(res.statusCode, 200)
  const services = /<aside class="services"[\s\S]*?<\/aside>/.exec(res.body)?.[0] ?? ''
  assert.match(services, /Need some help\?/)
  assert.match(services, /<a class="button" href="\/contact">Get in touch<\/a>/)
  const header = /<header class="site-header">[\s\S]*?<\/header>/.exec(res.body)?.[0] ?? ''
  assert.match(header, /<a href="\/contact">Contact<\/a>/)
})

test('/contact shows the contact intro the author wrote in the settings, rendered from Markdown', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { contactIntroMd: 'I answer **every** message within a day.' })
  const res = await app.inject({ url: '/contact' })
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/html/)
  const main = mainOf(res.body)
  assert.match(main, /<h1>Get in touch<\/h1>/)
  assert.match(main, /I answer <strong>every<\/strong> message within a day\./)
  assert.match(res.body, /<a href="\/contact" aria-current="page">Contact<\/a>/)
})

test('the form asks for a name, an email, an optional subject and a message, with help before sending', async (t) => {
  const { app } = await createTestApp(t)
  const main = mainOf((await app.inject({ url: '/contact' })).body)
  assert.match(main, /<form class="contact-form" method="post" action="\/contact"/)

  const name = controlTagIn(main, 'name') ?? ''
  assert.match(name, /type="text"/)
  assert.match(name, / required/)
  assert.match(name, /maxlength="100"/)

  const email = controlTagIn(main, 'email') ?? ''
  assert.match(email, /type="email"/)
  assert.match(email, / required/)
  assert.match(email, /maxlength="254"/)

  const subject = controlTagIn(main, 'subject') ?? ''
  assert.match(subject, /maxlength="150"/)
  assert.doesNotMatch(subject, / required/)
  assert.match(main, /Subject <span class="optional">\(optional\)<\/span>/)

  const message = controlTagIn(main, 'message') ?? ''
  assert.match(message, /^<textarea/)
  assert.match(message, / required/)
  assert.match(message, /maxlength="5000"/)
  assert.match(main, /Between 10 and 5,000 characters/)

  // Every control has a visible label pointing at it.
  for (const field of ['name', 'email', 'subject', 'message']) {
    assert.match(controlTagIn(main, field) ?? '', new RegExp(`id="contact-${field}"`))
    assert.match(main, new RegExp(`<label for="contact-${field}">`))
  }
  assert.match(main, /<button type="submit">Send message<\/button>/)
})

test('the form carries a CSRF token and a signed timestamp in hidden fields', async (t) => {
  const { app, db } = await createTestApp(t)
  const { res, csrf, ts } = await contactVisitor(app, db).openForm()
  assert.match(res.body, /<input type="hidden" name="_csrf" value="[^"]+">/)
  assert.ok(csrf.length > 20)
  const [time, signature] = ts.split('.')
  assert.ok(Math.abs(Number(time) - Date.now()) < 60_000, 'the timestamp is the time the form was served')
  assert.ok((signature ?? '').length > 20, 'the timestamp is signed')
})

test('the honeypot field is hidden from people and from assistive technology, and never required', async (t) => {
  const { app } = await createTestApp(t)
  const main = mainOf((await app.inject({ url: '/contact' })).body)
  const container = /<div class="hp-field" aria-hidden="true">([\s\S]*?)<\/div>/.exec(main)?.[1] ?? ''
  const honeypot = controlTagIn(container, 'website') ?? ''
  assert.ok(honeypot, 'the website field sits inside an aria-hidden container')
  assert.match(honeypot, /tabindex="-1"/)
  assert.match(honeypot, /autocomplete="off"/)
  assert.doesNotMatch(honeypot, /required/)
  assert.equal(inputValueIn(main, 'website'), '')
  // Off-screen rather than display:none, which some bots detect and skip.
  const css = readFileSync(join(STATIC_DIR, 'css', 'site.css'), 'utf8')
  assert.match(css, /\.hp-field\s*\{[^}]*position:\s*absolute[^}]*\}/)
})

test('the contact form is never cached, because it carries a per-visitor token', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({ url: '/contact' })
  assert.equal(res.headers['cache-control'], 'no-store')
})

test('the contact form works without JavaScript: the page ships no script', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({ url: '/contact' })
  assert.deepEqual(scriptTags(res.body), [])
})

test('opening the contact form writes nothing to the database', async (t) => {
  const { app, db } = await createTestApp(t)
  await app.ready()
  const before = snapshotDb(db)
  await contactVisitor(app, db).openForm()
  await app.inject({ method: 'HEAD', url: '/contact' })
  assert.deepEqual(snapshotDb(db), before)
})

test('the thanks page says what happens next and is kept out of search engines', async (t) => {
  const { app } = await createTestApp(t)
  const res = await app.inject({ url: '/contact/thanks' })
  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.match(main, /<h1>Thanks for your message<\/h1>/)
  assert.match(
    main,
    /<p>It has arrived safely, and I will read it soon\. Replies usually go out within two working days, to the email address you gave\.<\/p>/,
  )
  assert.match(main, /<a href="\/">home page<\/a>/)
  assert.equal(metaContent(res.body, 'robots'), 'noindex')
})
