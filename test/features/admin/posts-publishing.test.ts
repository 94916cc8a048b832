// Checks the editor's publishing: the bar's state and one primary button, Publish… now or at a time (dialog or plain step), Reschedule…, Unpublish, Save, and what each confirms.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import sharp from 'sharp'
import type { Db } from '../../../src/db/client.ts'
import { saveUpload } from '../../../src/features/media/service.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { formatDateTime, toLocalInput } from '../../../src/lib/dates.ts'
import { postForm, type SignedIn, signIn } from '../../helpers/admin.ts'
import { createTestApp, rowCount } from '../../helpers/app.ts'
import { createPost, DAY, fromNow } from '../../helpers/fixtures.ts'
import { mainOf } from '../../helpers/html.ts'

const SITE = 'https://blog.example.com'

interface PostRow {
  status: string
  published_at: number | null
  title: string
  body_md: string
}
const rowOf = (db: Db, id: number) =>
  db.$client.prepare('select status, published_at, title, body_md from posts where id = ?').get(id) as PostRow

/** The editor's fields for a post as the page would send them, with the button's intent and choice. */
const sent = (fields: Record<string, string>) =>
  postForm({ title: 'Launch notes', body: 'What we shipped.', status: 'draft', ...fields })

/** The bar's buttons in order: [intent, label, primary]. */
const barButtons = (html: string): [string, string, boolean][] => {
  const bar = /<section class="editor-bar"[\s\S]*?<\/section>/.exec(html)?.[0] ?? ''
  return [...bar.matchAll(/<button type="submit" name="intent" value="([^"]+)"([^>]*)>([^<]*)</g)].map(
    (m) => [m[1] ?? '', m[3] ?? '', !(m[2] ?? '').includes('button-secondary')],
  )
}

/** The bar's state as a person reads it: "Scheduled for 4 December 2026, 14:05". */
const stateIn = (html: string): string =>
  (/<p class="editor-bar__state" id="post-state">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '')
    .replace(/<a [\s\S]*?<\/a>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim()

async function draft(db: Db) {
  return createPost(db, {
    title: 'Launch notes',
    bodyMd: 'What we shipped.',
    status: 'draft',
    publishedAt: undefined,
  })
}

async function editorOf(author: SignedIn, location: unknown) {
  const res = await author.get(String(location))
  assert.equal(res.statusCode, 200)
  return mainOf(res.body)
}

test('the bar says where a post stands and offers one primary button that says what it will do', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'Europe/Paris' })
  const at = new Date('2031-12-04T13:05:00Z')
  const drafted = await draft(db)
  const scheduled = createPost(db, { title: 'Later', status: 'scheduled', publishedAt: at })
  const published = createPost(db, { title: 'Out', publishedAt: new Date('2025-12-04T13:05:00Z') })

  const fresh = mainOf((await author.get('/admin/posts/new')).body)
  assert.equal(stateIn(fresh), 'Draft')
  assert.deepEqual(barButtons(fresh), [
    ['save', 'Save draft', false],
    ['preview', 'Preview', false],
    ['publish', 'Publish…', true],
  ])

  const draftPage = await editorOf(author, `/admin/posts/${drafted.id}`)
  assert.equal(stateIn(draftPage), 'Draft')
  assert.deepEqual(
    barButtons(draftPage).map(([intent]) => intent),
    ['save', 'preview', 'publish'],
  )

  const scheduledPage = await editorOf(author, `/admin/posts/${scheduled.id}`)
  assert.equal(stateIn(scheduledPage), `Scheduled for ${formatDateTime(at, 'Europe/Paris')}`)
  assert.equal(stateIn(scheduledPage), 'Scheduled for 4 December 2031, 14:05')
  assert.deepEqual(barButtons(scheduledPage), [
    ['save', 'Save', false],
    ['preview', 'Preview', false],
    ['publish', 'Reschedule…', true],
    ['unpublish', 'Unpublish', false],
  ])

  const publishedPage = await editorOf(author, `/admin/posts/${published.id}`)
  assert.equal(stateIn(publishedPage), 'Published 4 December 2025, 14:05')
  assert.deepEqual(barButtons(publishedPage), [
    ['save', 'Update', true],
    ['preview', 'Preview', false],
    ['unpublish', 'Unpublish', false],
  ])
  // A published post's date is a setting beside the text; it has no publish dialog.
  assert.doesNotMatch(publishedPage, /id="publish-dialog"/)
  assert.match(publishedPage, /<aside class="editor-layout__side"[\s\S]*id="published_at"[\s\S]*<\/aside>/)

  for (const page of [draftPage, scheduledPage, publishedPage]) {
    // Delete is never in the bar: it is the last thing in the settings, and still asks first.
    const bar = /<section class="editor-bar"[\s\S]*?<\/section>/.exec(page)?.[0] ?? ''
    assert.doesNotMatch(bar, /delete/i)
    assert.match(
      page,
      /<aside class="editor-layout__side"[\s\S]*href="\/admin\/posts\/\d+\/delete" class="danger-link">Delete this post…<\/a>[\s\S]*<\/aside>/,
    )
  }
})

test('Publish… without JavaScript shows the choice of now or a time on the page, and saves nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post('/admin/posts', sent({ intent: 'publish', body: 'Typed <b>text</b>.' }))
  assert.equal(res.statusCode, 200)
  const html = mainOf(res.body)
  assert.match(html, /<dialog id="publish-dialog"[^>]* open>/)
  assert.match(
    html,
    /<h2 id="publish-dialog-title">Publish “<span data-post-title>Launch notes<\/span>”<\/h2>/,
  )
  assert.match(
    html,
    /<input type="radio" id="publish-now" name="publish_when" value="now" checked autofocus>/,
  )
  assert.match(html, /<input type="radio" id="publish-later" name="publish_when" value="later">/)
  assert.match(html, /<button type="submit" name="intent" value="confirm-publish" id="confirm-publish"/)
  assert.match(html, /<textarea id="body" name="body"[^>]*>Typed &lt;b&gt;text&lt;\/b&gt;\.<\/textarea>/)
  assert.equal(rowCount(db, 'posts'), 0)
})

test('publishing now makes a draft public at once, ignores any time typed, and confirms with its address', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id, slug } = await draft(db)
  const before = Date.now()
  const res = await author.post(
    `/admin/posts/${id}`,
    // "Now" with a future time still typed in the field: the time only counts with "At a time".
    sent({
      intent: 'confirm-publish',
      publish_when: 'now',
      published_at: toLocalInput(fromNow(30 * DAY), 'UTC'),
    }),
  )
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/posts/${id}?done=post-published`)
  const row = rowOf(db, id)
  assert.equal(row.status, 'published')
  assert.ok(row.published_at !== null && row.published_at >= before && row.published_at <= Date.now())
  assert.equal((await app.inject(`/posts/${slug}`)).statusCode, 200)

  const html = await editorOf(author, res.headers.location)
  assert.match(
    html,
    new RegExp(
      `<div class="publish-done" id="publish-done" role="status">\\s*<p><strong>Post published\\.</strong>\\s*It is live at <a href="${SITE}/posts/${slug}">${SITE}/posts/${slug}</a>\\.`,
    ),
  )
  assert.match(stateIn(html), /^Published \d+ \w+ \d{4}, \d\d:\d\d$/)
  // The editor says it once: no flash repeating it above.
  assert.doesNotMatch(html, /class="flash"/)
})

test('publishing at a time schedules the post for that instant in the site timezone, and confirms when and where', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'America/New_York' })
  const { id, slug } = await draft(db)
  const year = new Date().getUTCFullYear() + 1
  const res = await author.post(
    `/admin/posts/${id}`,
    sent({ intent: 'confirm-publish', publish_when: 'later', published_at: `${year}-01-15T09:30` }),
  )
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, `/admin/posts/${id}?done=post-scheduled`)
  const row = rowOf(db, id)
  assert.equal(row.status, 'scheduled')
  assert.equal(new Date(row.published_at ?? 0).toISOString(), `${year}-01-15T14:30:00.000Z`)
  assert.equal((await app.inject(`/posts/${slug}`)).statusCode, 404, 'not public before its time')

  const html = await editorOf(author, res.headers.location)
  assert.equal(stateIn(html), `Scheduled for 15 January ${year}, 09:30`)
  assert.match(
    html,
    new RegExp(
      `<strong>Post scheduled\\.</strong>\\s*It goes live on 15 January ${year}, 09:30 \\(America/New_York \\(GMT-5\\)\\), at <span class="publish-done__url">${SITE}/posts/${slug}</span>\\.`,
    ),
  )
})

test('“At a time” without a time, or with one that has passed, asks again with the choice and the text kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id } = await draft(db)
  const before = rowOf(db, id)
  const cases: [string, RegExp][] = [
    ['', /Choose when the post goes live\./],
    [toLocalInput(fromNow(-DAY), 'UTC'), /must be in the future/],
  ]
  for (const [time, message] of cases) {
    const res = await author.post(
      `/admin/posts/${id}`,
      sent({
        intent: 'confirm-publish',
        publish_when: 'later',
        published_at: time,
        body: 'Edited, not saved.',
      }),
    )
    assert.equal(res.statusCode, 422, time)
    const html = mainOf(res.body)
    assert.match(html, /<dialog id="publish-dialog"[^>]* open>/)
    assert.match(html, /value="later" checked>/)
    assert.match(
      html,
      new RegExp(
        `<input id="published_at" name="published_at" type="datetime-local"[^>]* value="${time}" aria-invalid="true"`,
      ),
    )
    assert.match(/id="published_at-error">([^<]*)</.exec(html)?.[1] ?? '', message)
    assert.match(html, /<a href="#published_at">Publish date and time: /)
    assert.match(html, /<textarea id="body" name="body"[^>]*>Edited, not saved\.<\/textarea>/)
    assert.equal(stateIn(html), 'Draft', 'the bar shows the post as it is, not as asked')
  }
  assert.deepEqual(rowOf(db, id), before)
})

test('a choice that is neither “Now” nor “At a time” is refused, never guessed', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id } = await draft(db)
  for (const choice of [undefined, 'soon', 'now,later']) {
    const fields = sent({ intent: 'confirm-publish', published_at: toLocalInput(fromNow(DAY), 'UTC') })
    const res = await author.post(
      `/admin/posts/${id}`,
      choice === undefined ? fields : { ...fields, publish_when: choice },
    )
    assert.equal(res.statusCode, 422, String(choice))
    const html = mainOf(res.body)
    assert.match(html, /id="publish_when-error">Choose “Now” or “At a time”\.</)
    assert.match(html, /<a href="#publish-now">When to publish: /)
    assert.match(html, /<dialog id="publish-dialog"[^>]* open>/)
  }
  assert.equal(rowOf(db, id).status, 'draft')
})

test('Reschedule… moves a scheduled post to its new time, or publishes it now', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id, slug } = createPost(db, { title: 'Later', status: 'scheduled', publishedAt: fromNow(3 * DAY) })

  const step = mainOf(
    (await author.post(`/admin/posts/${id}`, sent({ title: 'Later', intent: 'publish' }))).body,
  )
  assert.match(step, /<h2 id="publish-dialog-title">Reschedule “<span data-post-title>Later<\/span>”<\/h2>/)
  assert.match(step, /value="later" checked>/, 'a scheduled post starts from its time')
  assert.equal(rowOf(db, id).status, 'scheduled')

  const newTime = toLocalInput(fromNow(10 * DAY), 'UTC')
  const moved = await author.post(
    `/admin/posts/${id}`,
    sent({ title: 'Later', intent: 'confirm-publish', publish_when: 'later', published_at: newTime }),
  )
  assert.equal(moved.headers.location, `/admin/posts/${id}?done=post-rescheduled`)
  assert.equal(rowOf(db, id).status, 'scheduled')
  assert.equal(toLocalInput(new Date(rowOf(db, id).published_at ?? 0), 'UTC'), newTime)
  assert.match(
    await editorOf(author, moved.headers.location),
    /<strong>Post rescheduled\.<\/strong>\s*It goes live on /,
  )

  const now = await author.post(
    `/admin/posts/${id}`,
    sent({ title: 'Later', intent: 'confirm-publish', publish_when: 'now' }),
  )
  assert.equal(now.headers.location, `/admin/posts/${id}?done=post-published`)
  assert.equal(rowOf(db, id).status, 'published')
  assert.equal((await app.inject(`/posts/${slug}`)).statusCode, 200)
})

test('Unpublish returns a published or scheduled post to draft and says what happened', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const live = createPost(db, { title: 'Live one' })
  const later = createPost(db, { title: 'Later one', status: 'scheduled', publishedAt: fromNow(DAY) })
  // Warm the page cache: unpublishing must not leave the public page behind.
  assert.equal((await app.inject(`/posts/${live.slug}`)).statusCode, 200)

  for (const post of [live, later]) {
    const editor = await author.get(`/admin/posts/${post.id}`)
    const published_at =
      /name="published_at" type="datetime-local"[^>]* value="([^"]*)"/.exec(editor.body)?.[1] ?? ''
    const title = post === live ? 'Live one' : 'Later one'
    const res = await author.post(
      `/admin/posts/${post.id}`,
      sent({ title, intent: 'unpublish', status: 'published', published_at }),
    )
    assert.equal(res.statusCode, 303)
    assert.equal(res.headers.location, `/admin/posts/${post.id}?done=post-unpublished`)
    assert.equal(rowOf(db, post.id).status, 'draft')
    assert.equal((await app.inject(`/posts/${post.slug}`)).statusCode, 404)
    const html = await editorOf(author, res.headers.location)
    assert.match(
      html,
      new RegExp(
        `<strong>Post unpublished\\.</strong>\\s*It is a draft again: <span class="publish-done__url">${SITE}/posts/${post.slug}</span> no longer shows it\\.`,
      ),
    )
    assert.equal(stateIn(html), 'Draft')
  }
})

test('Save draft, Save and Update keep a post where it is, whatever status the form carries', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const drafted = await draft(db)
  const at = fromNow(5 * DAY)
  const scheduled = createPost(db, { title: 'Later', status: 'scheduled', publishedAt: at })
  const exact = new Date('2025-03-04T05:06:07.089Z')
  const published = createPost(db, { title: 'Out', publishedAt: exact })

  const saveDraft = await author.post(
    `/admin/posts/${drafted.id}`,
    sent({ intent: 'save', status: 'published', body: 'Second draft.' }),
  )
  assert.equal(saveDraft.headers.location, `/admin/posts/${drafted.id}?done=post-saved`)
  assert.deepEqual(rowOf(db, drafted.id), {
    status: 'draft',
    published_at: null,
    title: 'Launch notes',
    body_md: 'Second draft.',
  })
  assert.equal((await app.inject(`/posts/${drafted.slug}`)).statusCode, 404)

  const save = await author.post(
    `/admin/posts/${scheduled.id}`,
    sent({
      title: 'Later',
      intent: 'save',
      status: 'draft',
      published_at: toLocalInput(at, 'UTC'),
      body: 'Fixed a typo.',
    }),
  )
  assert.equal(save.headers.location, `/admin/posts/${scheduled.id}?done=post-saved`)
  assert.deepEqual(rowOf(db, scheduled.id), {
    status: 'scheduled',
    published_at: at.getTime(),
    title: 'Later',
    body_md: 'Fixed a typo.',
  })

  const update = await author.post(
    `/admin/posts/${published.id}`,
    sent({
      title: 'Out',
      intent: 'save',
      status: 'draft',
      published_at: toLocalInput(exact, 'UTC'),
      body: 'Updated.',
    }),
  )
  assert.equal(update.headers.location, `/admin/posts/${published.id}?done=post-saved`)
  assert.deepEqual(rowOf(db, published.id), {
    status: 'published',
    published_at: exact.getTime(),
    title: 'Out',
    body_md: 'Updated.',
  })
  assert.match((await app.inject(`/posts/${published.slug}`)).body, /Updated\./)
})

test('a new post saved as a draft gets its row and stays private', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const res = await author.post('/admin/posts', sent({ intent: 'save', status: 'published' }))
  assert.equal(res.statusCode, 303)
  const id = Number(/\/admin\/posts\/(\d+)\?done=post-saved$/.exec(String(res.headers.location))?.[1])
  assert.equal(rowOf(db, id).status, 'draft')
  assert.equal((await app.inject('/posts/launch-notes')).statusCode, 404)
})

test('a button Folio does not know is refused with the text kept and nothing saved', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id } = await draft(db)
  const res = await author.post(`/admin/posts/${id}`, sent({ intent: 'archive', body: 'Kept <text>.' }))
  assert.equal(res.statusCode, 422)
  const html = mainOf(res.body)
  assert.match(html, /<a href="#post-form">Form: This form was sent by a button Folio does not know/)
  assert.match(html, /<textarea id="body" name="body"[^>]*>Kept &lt;text&gt;\.<\/textarea>/)
  assert.equal(rowOf(db, id).body_md, 'What we shipped.')
})

test('publishing, unpublishing and the publish step without a CSRF token are refused and change nothing', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const { id } = await draft(db)
  const live = createPost(db, { title: 'Live one' })
  const attempts: [string, Record<string, string>][] = [
    [`/admin/posts/${id}`, sent({ intent: 'confirm-publish', publish_when: 'now' })],
    [`/admin/posts/${id}`, sent({ intent: 'publish' })],
    ['/admin/posts', sent({ intent: 'confirm-publish', publish_when: 'now' })],
    [`/admin/posts/${live.id}`, sent({ title: 'Live one', intent: 'unpublish' })],
  ]
  for (const [url, fields] of attempts) {
    const res = await app.inject({
      method: 'POST',
      url,
      cookies: author.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams(fields).toString(),
    })
    assert.equal(res.statusCode, 403, `${url} ${fields.intent}`)
  }
  assert.equal(rowOf(db, id).status, 'draft')
  assert.equal(rowOf(db, live.id).status, 'published')
  assert.equal(rowCount(db, 'posts'), 2)
})

test('the preview is a page of the public site: its stylesheet, the article’s classes, highlighted code, anchors and srcset', async (t) => {
  const { app, db, config } = await createTestApp(t)
  const author = await signIn(app, db)
  const png = await sharp({ create: { width: 1000, height: 600, channels: 3, background: '#1f4fd1' } })
    .png()
    .toBuffer()
  const image = await saveUpload(db, config.mediaDir, {
    buffer: png,
    originalName: 'graph.png',
    alt: 'A graph',
  })
  const res = await author.post(
    '/admin/posts/preview',
    sent({
      body: `## Setting up\n\n![A graph](/media/${image.fileName})\n\n\`\`\`ts\nconst answer = 42\n\`\`\``,
    }),
  )
  assert.equal(res.statusCode, 200)
  assert.match(res.body, /^<!doctype html>/)
  assert.match(res.body, /<link rel="stylesheet" href="\/static\/css\/site\.[0-9a-f]+\.css">/)
  assert.doesNotMatch(res.body, /admin\.[0-9a-f]+\.css/)
  assert.match(res.body, /<meta name="color-scheme" content="light dark">/)
  assert.match(
    res.body,
    /<article class="wrap post post--article">\s*<header class="post__header">\s*<h1>Launch notes<\/h1>/,
  )
  assert.match(
    res.body,
    /<div class="prose post__body"><h2 id="setting-up">Setting up <a class="anchor" href="#setting-up"/,
  )
  assert.match(res.body, /<img [^>]*srcset="\/media\/[^"]+ 480w/)
  assert.match(res.body, /<code class="hljs language-ts"><span class="hljs-keyword">const<\/span>/)
  // Links in the preview open beside the editor, never inside it.
  assert.match(res.body, /<base target="_blank">/)
  assert.equal(rowCount(db, 'posts'), 0)
})
