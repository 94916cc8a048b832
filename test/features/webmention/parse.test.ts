// Checks reading a mention from its source page: kinds from microformats2, the author without a photo, hostile content made inert, and the link check.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { linksTo, MAX_CONTENT_CHARS, readMention } from '../../../src/features/webmention/parse.ts'
import { sanitizeRemoteHtml } from '../../../src/lib/remote-html.ts'
import { hEntryPage, htmlPage } from '../../helpers/mention-source.ts'

const TARGET = 'https://blog.example.com/posts/hello'
const SOURCE = 'https://alice.example/notes/1'
const page = { source: SOURCE, pageUrl: SOURCE, target: TARGET }

const HOSTILE = `<p onclick="steal()">Nice post!</p><script>alert(1)</script><img src="https://tracker.example/pixel.gif" onerror="alert(2)">
<a href="javascript:alert(3)">click me</a> <a href="/about" target="_blank" rel="follow">my about page</a>
<h2 id="main" class="site-header">Heading</h2><iframe src="https://evil.example"></iframe><style>body{display:none}</style>`

test('a reply with an h-entry is read as a reply with its author, date and sanitised content', () => {
  const html = hEntryPage(TARGET, {
    property: 'u-in-reply-to',
    authorName: 'Alice <b>Example</b>',
    contentHtml: HOSTILE,
  })
  const mention = readMention(html, page)
  assert.equal(mention.kind, 'reply')
  assert.equal(mention.authorName, 'Alice Example')
  assert.equal(mention.authorUrl, 'https://alice.example/')
  assert.equal(mention.publishedAt?.toISOString(), '2024-05-01T10:00:00.000Z')
  const content = mention.contentHtml
  assert.match(content, /<p>Nice post!<\/p>/)
  for (const inert of [
    '<script',
    'alert(1)',
    'onerror',
    'onclick',
    '<img',
    'tracker.example',
    'javascript:',
    '<iframe',
    '<style',
    'id="main"',
    'class=',
    'target=',
  ]) {
    assert.ok(!content.includes(inert), `${inert} is gone from ${content}`)
  }
  assert.match(
    content,
    /<a rel="nofollow ugc noopener">click me<\/a>/,
    'a javascript: link keeps its text and loses its href',
  )
  assert.match(
    content,
    /<a href="https:\/\/alice\.example\/about" rel="nofollow ugc noopener">my about page<\/a>/,
    'a relative link points at the source site, never at this one',
  )
  assert.ok(!mention.authorUrl.includes('me.jpg') && !content.includes('me.jpg'), 'no photo is kept')
})

test('like-of and repost-of the target are a like and a repost, with no content of their own', () => {
  const like = readMention(hEntryPage(TARGET, { property: 'u-like-of' }), page)
  assert.equal(like.kind, 'like')
  assert.equal(like.contentHtml, '')
  assert.equal(readMention(hEntryPage(TARGET, { property: 'u-repost-of' }), page).kind, 'repost')
})

test('in-reply-to another page makes a plain mention: only properties naming the target count', () => {
  const html = hEntryPage('https://elsewhere.example/post', { property: 'u-in-reply-to' }).replace(
    '<div class="e-content">',
    `<div class="e-content"><a href="${TARGET}">see also</a>`,
  )
  assert.equal(readMention(html, page).kind, 'mention')
})

test('a page without microformats is a mention titled by its <title> and signed by its host', () => {
  const html = htmlPage(`<p>Read <a href="${TARGET}">this</a>.</p>`, 'Links for May &amp; June <3')
  const mention = readMention(html, { ...page, source: 'https://www.bob.example/links' })
  assert.equal(mention.kind, 'mention')
  assert.equal(mention.authorName, 'bob.example')
  assert.equal(mention.authorUrl, 'https://www.bob.example')
  assert.equal(mention.contentHtml, '<p>Links for May &amp; June &lt;3</p>')
})

test('very long content is cut and kept as plain text', () => {
  const words = '<p><em>word</em> word word</p>'.repeat(1000)
  const mention = readMention(hEntryPage(TARGET, { property: 'u-in-reply-to', contentHtml: words }), page)
  assert.ok(mention.text.length <= MAX_CONTENT_CHARS, `${mention.text.length} characters`)
  assert.match(mention.contentHtml, /^<p>word word word [^<]*…<\/p>$/)
})

test('an author given as a bare URL is linked and named by its host', () => {
  const html = htmlPage(
    `<div class="h-entry"><a class="u-author" href="https://carol.example/">Carol</a><a class="u-in-reply-to" href="${TARGET}">re</a><p class="e-content">Hi</p></div>`,
  )
  const mention = readMention(html, page)
  assert.equal(mention.authorUrl, 'https://carol.example/')
  assert.equal(mention.authorName, 'carol.example')
})

test('a link counts when an <a> or <img> names the exact target, relative links resolved against the page', () => {
  const base = 'https://blog.example.com/elsewhere/page'
  assert.ok(linksTo('<a href="/posts/hello">x</a>', base, TARGET), 'a relative link')
  assert.ok(linksTo(`<a href="${TARGET}?a=1&amp;b=2">x</a>`, base, `${TARGET}?a=1&b=2`), 'entities decoded')
  assert.ok(linksTo(`<img src="${TARGET}">`, base, TARGET))
  assert.ok(
    !linksTo(`<link rel="canonical" href="${TARGET}">`, base, TARGET),
    'a <link> in the head is not a link to it',
  )
  assert.ok(
    !linksTo(`<script>"<a href=\\"${TARGET}\\">"</script><!-- <a href="${TARGET}"> -->`, base, TARGET),
  )
  assert.ok(!linksTo(`<p>${TARGET}</p>`, base, TARGET), 'the URL as text is not a link')
  assert.ok(!linksTo(`<a href="${TARGET}-and-more">x</a>`, base, TARGET), 'only the exact URL')
  assert.ok(!linksTo('<a href="">x</a>', TARGET, TARGET), 'an empty href is no link to the page itself')
})

test('remote HTML keeps the posts’ formatting but never an image, an id or a script', () => {
  const html = sanitizeRemoteHtml(
    '<blockquote><p>Quoted <code>code</code></p></blockquote><figure><img src="x.png"><figcaption>Cap</figcaption></figure><svg><script>1</script></svg>',
    'https://alice.example/',
  )
  assert.equal(
    html,
    '<blockquote><p>Quoted <code>code</code></p></blockquote><figure><figcaption>Cap</figcaption></figure>',
  )
})

test('a stranger’s headings become paragraphs and links lose title and aria-label: what a reader sees is what is said', () => {
  const html = sanitizeRemoteHtml(
    '<h2>Need some help?</h2><a href="https://x.example/" aria-label="Official support" title="Support">win</a>',
    SOURCE,
  )
  assert.equal(html, '<p>Need some help?</p><a href="https://x.example/" rel="nofollow ugc noopener">win</a>')
})

test('on a feed page, the entry that responds to the target speaks, not the first one; a feed about other things is a mention', () => {
  const entry = (inner: string) => `<article class="h-entry">${inner}</article>`
  const feed = (entries: string) =>
    htmlPage(`<title>Alice’s notes</title><div class="h-feed">${entries}</div>`)
  const html = feed(
    entry('<p class="e-content">Unrelated: my garden this spring.</p>') +
      entry(
        `<a class="p-author h-card" href="https://alice.example/">Alice</a><div class="e-content"><p>Replying to <a href="${TARGET}">this</a>.</p></div>`,
      ),
  )
  const mention = readMention(html, page)
  assert.match(mention.contentHtml, /Replying to/)
  assert.equal(mention.authorName, 'Alice')

  const unrelated = feed(
    entry('<p class="e-content">One.</p>') + entry('<p class="e-content">Two.</p>'),
  ).replace('</div>', `</div><a href="${TARGET}">linked in the sidebar</a>`)
  const fallback = readMention(unrelated, page)
  assert.equal(fallback.kind, 'mention')
  assert.doesNotMatch(fallback.contentHtml, /One|Two/, 'no unrelated entry speaks for the page')
})

test('a date more than a day in the future is not believed', () => {
  const html = hEntryPage(TARGET, { property: 'u-in-reply-to' }).replace(
    /datetime="[^"]+"/,
    'datetime="2999-01-01T00:00:00Z"',
  )
  assert.equal(readMention(html, page).publishedAt, null)
})
