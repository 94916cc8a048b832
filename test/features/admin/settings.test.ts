// Checks the admin's settings form: current values, validation, and changes showing on the site at once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getSettings, SETTINGS_LIMITS, saveSettings } from '../../../src/features/settings/service.ts'
import { encodeForm, signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { mainOf } from '../../helpers/html.ts'

/** Every field, as the form would post it with the default settings. */
const settingsForm = (fields: Record<string, string> = {}): Record<string, string> => ({
  site_title: 'Folio',
  tagline: 'Notes on building for the web',
  description: 'Articles and notes.',
  language: 'en',
  timezone: 'UTC',
  author_name: 'Sam Rivera',
  author_bio: 'I build websites.',
  intro: 'Hello there.',
  services_title: 'Need some help?',
  services: '- **Audits**',
  contact_intro: 'Write to me.',
  contact_thanks: 'Thanks! I reply within two working days.',
  posts_per_page: '10',
  social_label_0: '',
  social_url_0: '',
  ...fields,
})

const footerOf = (html: string): string => html.slice(html.indexOf('<footer'))

test('the settings form shows the current values, with a timezone list and room for more social links', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, {
    title: 'Sam builds',
    timezone: 'Europe/Lisbon',
    introMd: 'Hi, I am **Sam**.',
    postsPerPage: 7,
    socialLinks: [{ label: 'Mastodon', url: 'https://hachyderm.io/@sam' }],
  })
  const author = await signIn(app, db)

  const res = await author.get('/admin/settings')

  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'no-store')
  const main = mainOf(res.body)
  for (const legend of ['Site', 'Author', 'Home page', 'Contact', 'Social links'])
    assert.match(main, new RegExp(`<legend>${legend}</legend>`))
  assert.match(main, /name="site_title"[^>]*value="Sam builds"/)
  assert.match(main, /Hi, I am \*\*Sam\*\*\.<\/textarea>/)
  assert.match(main, /name="posts_per_page"[^>]*value="7"/)
  assert.match(main, /<option selected>Europe\/Lisbon<\/option>/)
  assert.match(main, /<option>UTC<\/option>/)
  assert.match(main, /<option>Pacific\/Auckland<\/option>/)
  assert.match(main, /name="social_label_0"[^>]*value="Mastodon"/)
  assert.match(main, /name="social_url_0"[^>]*value="https:\/\/hachyderm\.io\/@sam"/)
  assert.match(main, /name="social_url_3"[^>]*value=""/, 'three empty rows after the last link')
  assert.doesNotMatch(main, /name="social_url_4"/)
  assert.match(main, /Markdown: \*\*bold\*\*/)
})

test('a saved title and intro show on the public home page at once, the intro rendered and sanitized', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  assert.match((await app.inject('/')).body, /<title>Folio/)
  assert.match((await app.inject('/')).body, /Hey there!/, 'cached before the change')

  const res = await author.post(
    '/admin/settings',
    settingsForm({
      site_title: 'Sam builds',
      intro: 'Hello, I am **Sam**. <script>alert(1)</script>[Work with me](/work-with-me)',
    }),
    '/admin/settings',
  )

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/admin/settings?done=settings-saved')
  assert.match((await author.get('/admin/settings?done=settings-saved')).body, /Settings saved\./)
  const home = (await app.inject('/')).body
  assert.match(home, /<a class="site-title" href="\/"[^>]*>Sam builds<\/a>/)
  assert.match(home, /Hello, I am <strong>Sam<\/strong>\./)
  assert.match(home, /<a href="\/work-with-me">Work with me<\/a>/)
  assert.doesNotMatch(home, /alert\(1\)/)
  assert.doesNotMatch(home, /Hey there!/)
})

test('the services block and contact intro are rendered with the same Markdown pipeline', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  await author.post(
    '/admin/settings',
    settingsForm({
      services_title: 'Hire me',
      services: '- **Rescues** for slow sites',
      author_bio: 'Writes _a lot_.',
      contact_intro: 'Mail [me](https://example.com)',
    }),
    '/admin/settings',
  )

  const home = (await app.inject('/')).body
  assert.match(home, /<h2 id="services-title">Hire me<\/h2>/)
  assert.match(home, /<li><strong>Rescues<\/strong> for slow sites<\/li>/)
  const settings = getSettings(db)
  assert.equal(settings.authorBioHtml, '<p>Writes <em>a lot</em>.</p>')
  assert.equal(settings.contactIntroHtml, '<p>Mail <a href="https://example.com" rel="noopener">me</a></p>')
})

test('the thanks text saved in the settings is what /contact/thanks says, rendered from Markdown', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const form = mainOf((await author.get('/admin/settings')).body)
  assert.match(form, /<label for="contact_thanks">Thanks message<\/label>/)
  assert.match(form, /within two working days, to the email address you gave\.<\/textarea>/)

  const saved = await author.post(
    '/admin/settings',
    settingsForm({ contact_thanks: 'Got it! I reply **within a week**.' }),
    '/admin/settings',
  )

  assert.equal(saved.statusCode, 303)
  const thanks = mainOf((await app.inject('/contact/thanks')).body)
  assert.match(thanks, /<p>Got it! I reply <strong>within a week<\/strong>\.<\/p>/)
  assert.doesNotMatch(thanks, /two working days/)
})

test('hostile HTML in the thanks text is removed before it reaches the thanks page', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const saved = await author.post(
    '/admin/settings',
    settingsForm({
      contact_thanks:
        'Thanks!<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) <iframe src="https://evil.example"></iframe>',
    }),
    '/admin/settings',
  )

  assert.equal(saved.statusCode, 303)
  const thanks = mainOf((await app.inject('/contact/thanks')).body)
  assert.match(thanks, /Thanks!/)
  assert.doesNotMatch(thanks, /<script|onerror|javascript:|<iframe/i)
})

test('the thanks text is held to its limit', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const over = await author.post(
    '/admin/settings',
    settingsForm({ contact_thanks: 'x'.repeat(SETTINGS_LIMITS.contactThanksMd + 1) }),
    '/admin/settings',
  )

  assert.equal(over.statusCode, 422)
  assert.match(over.body, /id="contact_thanks-error">Keep this under 5,000 characters\./)
  assert.match(getSettings(db).contactThanksMd, /two working days/)
})

test('bad settings are refused with 422, a message beside each field, and the input kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/settings',
    settingsForm({
      site_title: '   ',
      timezone: 'Mars/Olympus_Mons',
      posts_per_page: '0',
      tagline: 'Kept <b>tagline</b>',
      intro: 'Kept intro',
      social_label_0: 'Evil',
      social_url_0: 'javascript:alert(1)',
      social_label_1: 'Blog',
      social_url_1: 'ftp://example.com',
    }),
    '/admin/settings',
  )

  assert.equal(res.statusCode, 422)
  const main = mainOf(res.body)
  assert.match(main, /id="error-summary-title">The settings were not saved\. Fix these 5 fields:<\/h2>/)
  assert.match(main, /id="site_title-error">Enter a site title\./)
  assert.match(
    main,
    /name="site_title"[^>]*aria-invalid="true" aria-describedby="site_title-help site_title-error"/,
  )
  assert.match(main, /id="timezone-error">Choose a timezone from the list\./)
  assert.match(main, /id="posts_per_page-error">Enter how many posts a page shows/)
  assert.match(main, /id="social_url_0-error">Enter a full web address starting with https:\/\//)
  assert.match(main, /id="social_url_1-error">Enter a full web address/)
  assert.match(main, /name="tagline"[^>]*value="Kept &lt;b&gt;tagline&lt;\/b&gt;"/)
  assert.match(main, /Kept intro<\/textarea>/)
  assert.match(main, /name="posts_per_page"[^>]*value="0"/)
  assert.match(main, /name="social_label_0"[^>]*value="Evil"/)
  assert.match(main, /name="social_url_0"[^>]*value="javascript:alert\(1\)"/)
  assert.doesNotMatch(main, /<option selected>Mars/, 'an unknown timezone is not offered')
  assert.equal(getSettings(db).title, 'Folio', 'nothing was saved')
  assert.doesNotMatch((await app.inject('/')).body, /Kept/)
})

test('a refused save lists every bad field at the top, each linking to its field', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/settings',
    settingsForm({ language: 'not a language', social_label_0: 'Blog', social_url_0: 'ftp://example.com' }),
    '/admin/settings',
  )

  assert.equal(res.statusCode, 422)
  const main = mainOf(res.body)
  const summary =
    /<div class="form-error error-summary" role="alert" id="error-summary" tabindex="-1"[^>]*>([\s\S]*?)<\/div>/.exec(
      main,
    )?.[1] ?? ''
  assert.match(summary, /The settings were not saved\. Fix these 2 fields:/)
  const links = [...summary.matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]])
  assert.deepEqual(links, [
    ['language', 'Language: Enter a language code like en, fr or en-GB.'],
    ['social_url_0', 'Address of link 1: Enter a full web address starting with https:// (or http://).'],
  ])
  for (const [id] of links)
    assert.match(main, new RegExp(`<(input|select|textarea) id="${id}"`), `#${id} exists`)
  assert.doesNotMatch(main, /Fix the fields marked below/)
})

test('a half-filled social row, a bad language and 51 posts per page are explained', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/settings',
    settingsForm({
      language: 'english please',
      posts_per_page: '51',
      author_name: '',
      social_label_2: 'GitHub',
      social_url_3: 'https://example.com',
    }),
    '/admin/settings',
  )

  assert.equal(res.statusCode, 422)
  assert.match(res.body, /id="language-error">Enter a language code like en, fr or en-GB\./)
  assert.match(res.body, /id="posts_per_page-error">/)
  assert.match(res.body, /id="author_name-error">Enter the author/)
  assert.match(res.body, /id="social_url_2-error">Enter the link’s address, or clear its label/)
  assert.match(res.body, /id="social_label_3-error">Give this link a label/)
  assert.match(res.body, /name="social_url_3"[^>]*value="https:\/\/example.com"/)
})

test('social links skip empty rows and show in the public footer, in order', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post(
    '/admin/settings',
    settingsForm({
      social_label_0: '',
      social_url_0: '',
      social_label_1: 'Mastodon',
      social_url_1: 'https://hachyderm.io/@sam',
      social_label_2: '  ',
      social_url_2: '  ',
      social_label_4: 'GitHub',
      social_url_4: 'https://github.com/sam',
    }),
    '/admin/settings',
  )

  assert.equal(res.statusCode, 303)
  assert.deepEqual(getSettings(db).socialLinks, [
    { label: 'Mastodon', url: 'https://hachyderm.io/@sam' },
    { label: 'GitHub', url: 'https://github.com/sam' },
  ])
  const footer = footerOf((await app.inject('/')).body)
  assert.match(footer, /<a href="https:\/\/hachyderm\.io\/@sam" rel="me noopener">Mastodon<\/a>/)
  assert.match(footer, /<a href="https:\/\/github\.com\/sam" rel="me noopener">GitHub<\/a>/)
  assert.ok(footer.indexOf('Mastodon') < footer.indexOf('GitHub'))
  const form = mainOf((await author.get('/admin/settings')).body)
  assert.match(form, /name="social_label_1"[^>]*value="GitHub"/, 'the form shows the links without the gaps')
})

test('posting settings without the form token is refused with 403 and saves nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  await author.get('/admin/settings')

  const res = await app.inject({
    method: 'POST',
    url: '/admin/settings',
    cookies: author.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: encodeForm(settingsForm({ site_title: 'Hijacked' })),
  })

  assert.equal(res.statusCode, 403)
  assert.match(res.body, /nothing was changed/)
  assert.equal(getSettings(db).title, 'Folio')
  assert.doesNotMatch((await app.inject('/')).body, /Hijacked/)
})

test('the settings page sends a signed-out visitor to sign in, and refuses their posts', async (t) => {
  const { app, db } = await createTestApp(t)

  const res = await app.inject('/admin/settings')
  const post = await app.inject({
    method: 'POST',
    url: '/admin/settings',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm(settingsForm({ site_title: 'Hijacked' })),
  })

  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/login?next=${encodeURIComponent('/admin/settings')}`)
  assert.ok(post.statusCode === 401 || post.statusCode === 403, `got ${post.statusCode}`)
  assert.equal(getSettings(db).title, 'Folio')
})

test('a settings post with fields missing gets plain messages, not a crash', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const res = await author.post('/admin/settings', {}, '/admin/settings')

  assert.equal(res.statusCode, 422)
  assert.match(res.body, /id="site_title-error">Enter a site title\./)
  assert.match(res.body, /id="timezone-error">Choose a timezone from the list\./)
  assert.doesNotMatch(res.body, /Invalid input/)
  assert.equal(getSettings(db).title, 'Folio')
})

test('a nested-blockquote bomb in a Markdown setting is a 422 beside that field, the text kept, the server still answering', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const bomb = `${'>'.repeat(5000)} x`

  const [res, health] = await Promise.all([
    author.post(
      '/admin/settings',
      settingsForm({ site_title: 'Kept title', intro: bomb }),
      '/admin/settings',
    ),
    app.inject('/healthz'),
  ])

  assert.equal(health.statusCode, 200)
  assert.equal(res.statusCode, 422)
  assert.match(String(res.headers['content-type']), /^text\/html/)
  const main = mainOf(res.body)
  assert.match(main, /id="intro-error">This text nests quotes or lists more than 100 levels deep/)
  assert.match(main, /name="intro"[^>]*aria-invalid="true"/)
  assert.ok(main.includes(`${'&gt;'.repeat(5000)} x</textarea>`), 'the typed text is kept')
  assert.match(main, /name="site_title"[^>]*value="Kept title"/)
  assert.equal(getSettings(db).title, 'Folio', 'nothing was saved')
  assert.equal((await app.inject('/')).statusCode, 200, 'the server answers the next request')
})

test('saving settings whose Markdown is slow to parse does not hold up the server', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  // A quarter of a second of parsing each on this thread: together they would stall every request.
  const slow = '<*~'.repeat(1666)
  const form = settingsForm({ author_bio: slow, intro: slow, services: slow })
  // A first save starts the Markdown worker, so what follows measures only the render.
  assert.equal(
    (await author.post('/admin/settings', settingsForm({ intro: 'Warm *up*' }), '/admin/settings'))
      .statusCode,
    303,
  )

  let longestGap = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    longestGap = Math.max(longestGap, now - last)
    last = now
  }, 5)
  const res = await author.post('/admin/settings', form, '/admin/settings')
  // One more tick, so a stall that ended with the response is measured too.
  await new Promise((resolve) => setTimeout(resolve, 20))
  clearInterval(timer)

  assert.equal(res.statusCode, 303)
  assert.equal(getSettings(db).introMd, slow)
  assert.ok(longestGap < 300, `the event loop stalled for ${Math.round(longestGap)} ms`)
})

test('the form holds each setting to the service’s limit, in its maxlength and when saved', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)

  const main = mainOf((await author.get('/admin/settings')).body)
  const inputs: [string, number][] = [
    ['site_title', SETTINGS_LIMITS.title],
    ['tagline', SETTINGS_LIMITS.tagline],
    ['description', SETTINGS_LIMITS.description],
    ['language', SETTINGS_LIMITS.language],
    ['author_name', SETTINGS_LIMITS.authorName],
    ['services_title', SETTINGS_LIMITS.servicesTitle],
    ['social_label_0', SETTINGS_LIMITS.socialLabel],
  ]
  for (const [name, max] of inputs) assert.match(main, new RegExp(`name="${name}"[^>]*maxlength="${max}"`))
  assert.match(main, new RegExp(`name="posts_per_page"[^>]*max="${SETTINGS_LIMITS.postsPerPage}"`))

  const over = await author.post(
    '/admin/settings',
    settingsForm({
      tagline: 'x'.repeat(SETTINGS_LIMITS.tagline + 1),
      intro: 'x'.repeat(SETTINGS_LIMITS.introMd + 1),
    }),
    '/admin/settings',
  )
  assert.equal(over.statusCode, 422)
  assert.match(over.body, /id="tagline-error">Keep this under 160 characters\./)
  assert.match(over.body, /id="intro-error">Keep this under 10,000 characters\./)

  const atLimit = await author.post(
    '/admin/settings',
    settingsForm({
      tagline: 't'.repeat(SETTINGS_LIMITS.tagline),
      intro: 'i'.repeat(SETTINGS_LIMITS.introMd),
    }),
    '/admin/settings',
  )
  assert.equal(atLimit.statusCode, 303)
  assert.equal(getSettings(db).tagline.length, SETTINGS_LIMITS.tagline)
  assert.equal(getSettings(db).introMd.length, SETTINGS_LIMITS.introMd)
})
