// Checks where the subscribe form appears (home, every post, /subscribe) and that it is not offered without SMTP.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { snapshotDb } from '../../helpers/admin.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { mainOf, scriptTags } from '../../helpers/html.ts'
import { folioApp, newsletterApp, subscriberRows, subscribeVisitor } from './public-visitor.ts'

const FORM = /<form class="subscribe-form" method="post" action="\/subscribe" novalidate>/

/** The subscribe form's hidden fields and its one visible field, as the page has them. */
function formIn(html: string) {
  const form = /<form class="subscribe-form"[\s\S]*?<\/form>/.exec(html)?.[0] ?? ''
  return {
    form,
    ts: /name="ts" value="([^"]*)"/.exec(form)?.[1],
    email: /<input[^>]*name="email"[^>]*>/.exec(form)?.[0],
    honeypot: /<input[^>]*name="website"[^>]*tabindex="-1"[^>]*>/.exec(form)?.[0],
  }
}

test('with SMTP configured, the home page and every post offer the subscribe form, with no script and no cookie', async (t) => {
  const { app, db } = await newsletterApp(t)
  const article = createPost(db, { title: 'A long article', daysAgo: 2 })
  const link = createPost(db, { title: 'A link', kind: 'link', linkUrl: 'https://example.org/', daysAgo: 1 })

  for (const url of ['/', `/posts/${article.slug}`, `/posts/${link.slug}`]) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, url)
    const main = mainOf(res.body)
    assert.match(main, FORM, `${url} has the form`)
    assert.match(main, /<h2 id="subscribe-title" class="subscribe__title">Get new posts by email<\/h2>/)
    const form = formIn(main)
    assert.match(form.ts ?? '', /^\d+\.[\w-]+$/, 'a signed timestamp')
    assert.match(form.email ?? '', /type="email"/)
    assert.match(form.email ?? '', /autocomplete="email"/)
    assert.ok(form.honeypot, 'the honeypot is there, out of the tab order')
    assert.doesNotMatch(form.form, /name="_csrf"/, 'a cached page carries no per-visitor token')
    assert.equal(res.headers['set-cookie'], undefined)
    assert.deepEqual(
      scriptTags(res.body).filter((tag) => !tag.includes('application/ld+json')),
      [],
    )
  }
})

test('the form on shared pages is stamped with the hour it was rendered in, so its bytes and ETag stay the same between renders', async (t) => {
  const { app, db } = await newsletterApp(t)
  createPost(db, { title: 'A post' })
  const before = Date.now()
  const res = await app.inject('/')
  const issued = Number(formIn(res.body).ts?.split('.')[0])
  const hour = 60 * 60 * 1000
  assert.equal(issued % hour, 0)
  assert.ok(issued <= before && before - issued < hour)
  // The /subscribe page, shared by no cache, carries the exact time.
  const own = Number(formIn((await app.inject('/subscribe')).body).ts?.split('.')[0])
  assert.ok(own >= before)
})

test('without SMTP configured there is no form anywhere, and /subscribe says there is no newsletter (404)', async (t) => {
  const { app, db } = await folioApp(t)
  const post = createPost(db, { title: 'A post' })
  for (const url of ['/', `/posts/${post.slug}`]) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200)
    assert.doesNotMatch(res.body, /subscribe/i, `${url} has no subscribe form`)
  }
  for (const url of ['/subscribe', '/subscribe/thanks']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 404, url)
    assert.match(mainOf(res.body), /No newsletter here/)
    assert.match(mainOf(res.body), /does not send its posts by email/)
  }
  const posted = await subscribeVisitor(app, db).subscribe({ email: 'reader@example.com' })
  assert.equal(posted.statusCode, 404)
  assert.equal(subscriberRows(db).length, 0)
  assert.equal(db.$client.prepare('select count(*) from outbox').pluck().get(), 0)
})

test('the author can switch the form off even with SMTP configured', async (t) => {
  const { app, db } = await newsletterApp(t)
  saveSettings(db, { newsletterEnabled: false })
  const home = await app.inject('/')
  assert.doesNotMatch(home.body, FORM)
  assert.equal((await app.inject('/subscribe')).statusCode, 404)
})

test('/subscribe shows the form with a label, a hint, and links to the feeds; it is never cached', async (t) => {
  const { app } = await newsletterApp(t)
  const res = await app.inject('/subscribe')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'no-store')
  const main = mainOf(res.body)
  assert.match(main, /<h1>Subscribe<\/h1>/)
  assert.match(main, FORM)
  assert.match(main, /<label for="subscribe-email">Your email<\/label>/)
  assert.match(main, /aria-describedby="subscribe-email-help"/)
  assert.match(main, /one-click unsubscribe link/)
  assert.match(main, /href="\/feed.xml"/)
  assert.doesNotMatch(main, /subscribe-title/, 'the page has its own heading, not the box heading')
})

test('on a post, the subscribe form comes after the words of the article', async (t) => {
  const { app, db } = await newsletterApp(t)
  const post = createPost(db, { title: 'Reading to the end', bodyMd: 'Only paragraph.' })
  const res = await app.inject(`/posts/${post.slug}`)
  assert.equal(res.statusCode, 200)
  const main = mainOf(res.body)
  assert.ok(
    main.indexOf('Only paragraph.') < main.indexOf('subscribe-form'),
    'the form comes after the article',
  )
})

test('opening /subscribe and /subscribe/thanks writes nothing', async (t) => {
  const { app, db } = await newsletterApp(t)
  const before = snapshotDb(db)
  for (const url of ['/subscribe', '/subscribe/thanks', '/']) {
    assert.equal((await app.inject(url)).statusCode, 200, url)
  }
  assert.deepEqual(snapshotDb(db), before)
})
