// Checks that an impossible publish date on the post editor is a field error, never a 500, and keeps what was typed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { signIn } from '../../helpers/admin.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost, DAY, fromNow } from '../../helpers/fixtures.ts'

function scheduledForm(publishedAt: string): Record<string, string> {
  return {
    title: 'Kept title <&>',
    slug: '',
    kind: 'article',
    body: 'Kept body text that took an hour to write.',
    excerpt: 'Kept excerpt',
    link_url: '',
    quote: '',
    tags: 'kept-tag, other-tag',
    series: 'Kept series',
    series_part: '',
    meta_description: 'Kept description',
    status: 'scheduled',
    published_at: publishedAt,
  }
}

const countPosts = (db: { $client: { prepare(sql: string): { get(): unknown } } }): number =>
  (db.$client.prepare('select count(*) as n from posts').get() as { n: number }).n

const IMPOSSIBLE = [
  ['a day February does not have', '2026-02-30T10:00'],
  ['words instead of a date', 'next tuesday'],
  ['a thirteenth month', '2026-13-01T10:00'],
  ['a five-digit year', '99999-01-01T00:00'],
  ['a 25th hour', '2026-03-01T25:00'],
  ['an empty date on a scheduled post', ''],
] as const

for (const [label, value] of IMPOSSIBLE) {
  test(`a new scheduled post with ${label} re-renders the editor with a date error and the text kept`, async (t) => {
    const { app, db } = await createTestApp(t)
    const author = await signIn(app, db)
    const res = await author.post('/admin/posts', scheduledForm(value), '/admin/posts/new')
    assert.equal(res.statusCode, 422)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.match(res.body, /<a href="#published_at"/, 'the error summary links to the date field')
    assert.match(
      res.body,
      /id="published_at"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="published_at"/,
    )
    assert.match(res.body, /value="Kept title &lt;&amp;&gt;"/)
    assert.match(res.body, />Kept body text that took an hour to write\.</)
    assert.match(res.body, /value="kept-tag, other-tag"/)
    assert.match(res.body, /value="Kept series"/)
    assert.match(res.body, /Kept description/)
    assert.match(res.body, /Enter a date and time that exists|Choose when the post goes live/)
    assert.equal(countPosts(db), 0)
  })
}

test('an impossible date on an existing post leaves the stored post unchanged and keeps the edit', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  const post = createPost(db, { title: 'Stored title', status: 'scheduled', publishedAt: fromNow(DAY) })
  const before = db.$client.prepare('select * from posts where id = ?').get(post.id)
  const res = await author.post(
    `/admin/posts/${post.id}`,
    scheduledForm('2026-02-30T10:00'),
    `/admin/posts/${post.id}`,
  )
  assert.equal(res.statusCode, 422)
  assert.match(res.body, /value="Kept title &lt;&amp;&gt;"/)
  assert.deepEqual(db.$client.prepare('select * from posts where id = ?').get(post.id), before)
})

test('a leap day that exists is scheduled, read in the site timezone', async (t) => {
  const { app, db } = await createTestApp(t)
  const author = await signIn(app, db)
  saveSettings(db, { timezone: 'Pacific/Auckland' })
  const res = await author.post('/admin/posts', scheduledForm('2028-02-29T10:00'), '/admin/posts/new')
  assert.equal(res.statusCode, 303)
  const stored = db.$client.prepare('select status, published_at as at from posts').get() as {
    status: string
    at: number
  }
  assert.equal(stored.status, 'scheduled')
  // New Zealand daylight time is UTC+13 in February.
  assert.equal(new Date(stored.at).toISOString(), '2028-02-28T21:00:00.000Z')
})
