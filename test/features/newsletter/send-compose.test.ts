// Checks a post as a newsletter email: absolute URLs, inline styles, readable code, a plain-text part, each copy's own unsubscribe link.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  COMPOSE_IN_PLACE_MAX_CHARS,
  composeIssue,
  composeIssueBounded,
  type IssuePost,
  personalizeIssue,
  UNSUBSCRIBE_PLACEHOLDER,
} from '../../../src/features/newsletter/compose.ts'
import { renderMarkdown } from '../../../src/lib/markdown.ts'

const SITE = { title: 'Sam Writes', siteUrl: 'https://blog.example.com', language: 'en' }

const article = (fields: Partial<IssuePost> = {}): IssuePost => ({
  kind: 'article',
  slug: 'caching-notes',
  title: 'Caching notes',
  bodyHtml: renderMarkdown('Hello.'),
  quoteHtml: '',
  linkUrl: null,
  ...fields,
})

test('every link and image in the email is absolute, srcset and heading anchors are gone', () => {
  const bodyHtml = [
    '<h2 id="intro">Intro <a class="anchor" href="#intro">#</a></h2>',
    '<p><a href="/posts/other">root-relative</a> <a href="sibling">relative</a> <a href="#intro">fragment</a>',
    ' <a href="https://elsewhere.example/x">absolute</a> <a href="mailto:sam@example.com">mail</a></p>',
    '<figure><img src="/media/photo.jpg" srcset="/media/photo-640.webp 640w, /media/photo-1280.webp 1280w"',
    ' sizes="100vw" alt="A photo" width="1280" height="720" loading="lazy" decoding="async"></figure>',
    '<picture><source srcset="/media/p.avif" type="image/avif"><img src="/media/p.jpg" alt="Pictured"></picture>',
  ].join('')
  const { html } = composeIssue(
    article({ bodyHtml, image: { url: '/media/feature.jpg', alt: 'Feature' } }),
    SITE,
  )

  assert.match(html, /href="https:\/\/blog\.example\.com\/posts\/other"/)
  assert.match(html, /href="https:\/\/blog\.example\.com\/posts\/sibling"/)
  assert.match(html, /href="https:\/\/blog\.example\.com\/posts\/caching-notes#intro"/)
  assert.match(html, /href="https:\/\/elsewhere\.example\/x"/)
  assert.match(html, /href="mailto:sam@example\.com"/)
  assert.match(html, /<img[^>]*src="https:\/\/blog\.example\.com\/media\/photo\.jpg"/)
  assert.match(html, /<img[^>]*src="https:\/\/blog\.example\.com\/media\/feature\.jpg"[^>]*alt="Feature"/)
  assert.match(
    html,
    /<img alt="Pictured" src="https:\/\/blog\.example\.com\/media\/p\.jpg"/,
    'a <picture> is its <img>',
  )
  assert.doesNotMatch(html, /srcset|sizes=|loading=|class="anchor"|<picture|<source/)
  // Nothing relative is left anywhere.
  for (const [, url] of html.matchAll(/(?:href|src)="([^"]*)"/g))
    assert.match(url ?? '', /^(https:|mailto:)/, `${url} is absolute`)
  assert.match(
    html,
    /<h1[^>]*><a href="https:\/\/blog\.example\.com\/posts\/caching-notes"[^>]*>Caching notes<\/a>/,
  )
})

test('styles are inline, images fit the screen, and code blocks wrap in a monospace font', () => {
  const bodyHtml = renderMarkdown(
    '![Diagram](/media/d.png)\n\n```js\nconst answer = 42 // a comment that is long enough to need wrapping on a phone\n```\n\n> Quoted\n',
  )
  const { html } = composeIssue(article({ bodyHtml }), SITE)
  assert.doesNotMatch(html, /<style/i, 'no stylesheet for clients to drop')
  assert.match(html, /<img[^>]*style="[^"]*max-width: 100%/)
  const pre = /<pre style="([^"]*)"/.exec(html)?.[1] ?? ''
  assert.match(pre, /white-space: pre-wrap/)
  assert.match(pre, /overflow-x: auto/)
  assert.match(pre, /background: #f6f8fa/)
  assert.match(/<pre[^>]*><code[^>]*style="([^"]*)"/.exec(html)?.[1] ?? '', /monospace/)
  assert.match(html, /<span class="hljs-keyword" style="color: #[0-9a-f]{6};">const<\/span>/)
  assert.match(html, /<blockquote style="[^"]*border-left/)
  assert.match(html, /<div class="email" style="max-width: 640px;/)
})

test('the title and site name are escaped, and the subject is one safe line', () => {
  const { html, text, subject } = composeIssue(
    article({ title: 'Tags <script>alert(1)</script>\r\nBcc: x@evil.example' }),
    {
      ...SITE,
      title: 'Sam & "Co" <b>',
    },
  )
  assert.doesNotMatch(html, /<script>|<b>/)
  assert.match(html, /Tags &lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.match(html, /Sam &amp; &quot;Co&quot; &lt;b&gt;/)
  assert.equal(subject, 'Tags <script>alert(1)</script> Bcc: x@evil.example')
  assert.match(text, /^Tags <script>/, 'plain text is text: nothing to escape')
})

test('the plain-text part has the post, its links and the unsubscribe line', () => {
  const bodyHtml = renderMarkdown('First paragraph with [a link](/posts/other).\n\n## Next\n\nMore text.')
  const { text } = composeIssue(article({ bodyHtml }), SITE)
  assert.match(text, /^Caching notes\nhttps:\/\/blog\.example\.com\/posts\/caching-notes\n/)
  assert.match(text, /First paragraph with a link \[https:\/\/blog\.example\.com\/posts\/other\]\./)
  assert.match(text, /\nNext\n/)
  assert.doesNotMatch(text, /<[a-z]/i)
  assert.match(text, new RegExp(`Unsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}`))
})

test('a link post names where it links and keeps its quoted passage', () => {
  const { html, text } = composeIssue(
    article({
      kind: 'link',
      linkUrl: 'https://www.example.org/article',
      bodyHtml: renderMarkdown('Worth a read.'),
      quoteHtml: renderMarkdown('The quoted passage.'),
    }),
    SITE,
  )
  assert.match(html, /Link to <a href="https:\/\/www\.example\.org\/article"[^>]*>example\.org<\/a>/)
  assert.match(html, /<blockquote[^>]*>[\s\S]*The quoted passage\.[\s\S]*<\/blockquote>/)
  assert.match(text, /The quoted passage\./)
})

test("each copy carries its reader's own unsubscribe link, in both parts", () => {
  const issue = composeIssue(article(), SITE)
  assert.equal(issue.html.split(UNSUBSCRIBE_PLACEHOLDER).length, 2, 'one placeholder in the HTML footer')
  const url = 'https://blog.example.com/unsubscribe?token=7.abc_DEF-1'
  const copy = personalizeIssue(issue, url)
  assert.ok(!copy.html.includes(UNSUBSCRIBE_PLACEHOLDER) && !copy.text.includes(UNSUBSCRIBE_PLACEHOLDER))
  assert.match(
    copy.html,
    /<a href="https:\/\/blog\.example\.com\/unsubscribe\?token=7\.abc_DEF-1"[^>]*>Unsubscribe<\/a>/,
  )
  assert.match(copy.text, /Unsubscribe: https:\/\/blog\.example\.com\/unsubscribe\?token=7\.abc_DEF-1/)
})

test('a long post is composed on a worker thread, to the same email', async () => {
  let md = ''
  while (md.length < COMPOSE_IN_PLACE_MAX_CHARS)
    md += '## A heading\n\nA paragraph with [a link](/posts/x).\n\n```js\nconst x = 1\n```\n\n'
  const post = article({ bodyHtml: renderMarkdown(md) })
  assert.ok(post.bodyHtml.length > COMPOSE_IN_PLACE_MAX_CHARS)
  const offThread = await composeIssueBounded(post, SITE)
  assert.deepEqual(offThread, composeIssue(post, SITE))
})
