// Checks the one place Markdown becomes HTML: sanitizing, highlighting, headings, links, images and excerpts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { visibleText } from '../../src/lib/html-text.ts'
import { htmlToText, readingMinutes, renderBody, renderMarkdown } from '../../src/lib/markdown.ts'
import { truncateText } from '../../src/lib/text.ts'

const hostile: readonly [string, string][] = [
  ['a script tag', 'Hello <script>alert(1)</script> world'],
  ['a script tag split to dodge filters', '<scr<script>ipt>alert(1)</script>'],
  ['an onerror attribute', 'Hi <img src=x onerror="alert(1)">'],
  ['an onclick attribute', '<div onclick="alert(1)">click me</div>'],
  ['an svg onload', '<svg onload=alert(1)><circle r="1"/></svg>'],
  ['a javascript: Markdown link', '[click](javascript:alert(1))'],
  ['a mixed-case javascript: link', '[click](JaVaScRiPt:alert(1))'],
  ['an entity-encoded javascript: link', '<a href="&#106;avascript:alert(1)">x</a>'],
  ['a javascript: HTML link', '<a href="javascript:alert(1)">x</a>'],
  ['a vbscript: link', '<a href="vbscript:msgbox(1)">x</a>'],
  ['a data: URL in a Markdown image', '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
  ['a data: URL in an HTML image', '<img src="data:text/html;base64,PHNjcmlwdD4=">'],
  ['an iframe', '<iframe src="https://evil.example"></iframe>'],
  ['an object and an embed', '<object data="x.swf"></object><embed src="x.swf">'],
  ['a form', '<form action="https://evil.example"><input name="password"></form>'],
  ['a style attribute', '<p style="background:url(javascript:alert(1))">styled</p>'],
  ['a style tag', '<style>body{display:none}</style>'],
  ['a meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example">'],
  ['a protocol-relative link', '[x](//evil.example/path)'],
  ['a script in an image caption', '![x](/media/x.png)\n*<script>alert(1)</script>*'],
  ['a javascript: link in an image caption', '![x](/media/x.png)\n*[see](javascript:alert(1))*'],
]

for (const [label, input] of hostile) {
  test(`${label} never survives Markdown rendering`, () => {
    const html = renderMarkdown(input).toLowerCase()
    assert.doesNotMatch(html, /<script|<iframe|<object|<embed|<form|<input|<style|<meta|<svg/, html)
    assert.doesNotMatch(html, /\son[a-z]+\s*=/, `no event handler attribute: ${html}`)
    assert.doesNotMatch(html, /javascript:|vbscript:|data:/, `no dangerous URL: ${html}`)
    assert.doesNotMatch(html, /\sstyle\s*=/, `no style attribute: ${html}`)
    assert.doesNotMatch(html, /href="\/\//, `no protocol-relative link: ${html}`)
  })
}

test('harmless HTML the author writes is kept', () => {
  const html = renderMarkdown(
    '<details><summary>More</summary>\n\nHidden *text*\n</details>\n\n<kbd>Ctrl</kbd>',
  )
  assert.match(html, /<details>/)
  assert.match(html, /<summary>More<\/summary>/)
  assert.match(html, /<kbd>Ctrl<\/kbd>/)
})

test('code blocks are highlighted and reachable by keyboard', () => {
  const html = renderMarkdown('```js\nconst answer = 42\n```')
  assert.match(html, /<pre tabindex="0"><code class="hljs language-js">/)
  assert.match(html, /<span class="hljs-keyword">const<\/span>/)
  assert.match(html, /<span class="hljs-number">42<\/span>/)
})

test('a code block in an unknown language is still escaped and shown', () => {
  const html = renderMarkdown('```nosuchlang\nif (a < b && c > d) {}\n```')
  assert.match(html, /<pre tabindex="0">/)
  assert.match(html, /a &lt; b &amp;&amp; c &gt; d/)
})

test('HTML inside a code block is shown as text', () => {
  const html = renderMarkdown('```html\n<script>alert(1)</script>\n```')
  assert.doesNotMatch(html, /<script/)
  assert.match(html, /&lt;/)
})

test('headings get an id and an anchor link, and "# h1" becomes an h2', () => {
  const html = renderMarkdown('# Getting started\n\n### Install it')
  assert.match(html, /<h2 id="getting-started">Getting started <a class="anchor" href="#getting-started"/)
  assert.match(html, /<h3 id="install-it">Install it <a class="anchor" href="#install-it"/)
  assert.doesNotMatch(html, /<h1/)
})

test('duplicate headings get unique ids within a document', () => {
  const html = renderMarkdown('## Setup\n\ntext\n\n## Setup\n\ntext\n\n## Setup')
  const ids = [...html.matchAll(/<h2 id="([^"]+)"/g)].map((m) => m[1])
  assert.equal(ids.length, 3)
  assert.equal(new Set(ids).size, 3, `unique ids: ${ids.join(', ')}`)
})

test('heading ids start afresh in each document', () => {
  renderMarkdown('## Setup')
  assert.match(renderMarkdown('## Setup'), /<h2 id="setup">/)
})

test('external links get rel="noopener" and local ones do not', () => {
  const html = renderMarkdown(
    '[out](https://example.com/a) [home](/posts/x) [top](#intro) [mail](mailto:me@example.com)',
  )
  assert.match(html, /<a href="https:\/\/example.com\/a" rel="noopener">out<\/a>/)
  assert.match(html, /<a href="\/posts\/x">home<\/a>/)
  assert.match(html, /<a href="#intro">top<\/a>/)
  assert.match(html, /<a href="mailto:me@example.com">mail<\/a>/)
})

test('images load lazily and always have alt text', () => {
  const markdown = renderMarkdown('![A cat](/media/cat.jpg)')
  assert.match(markdown, /<img[^>]*loading="lazy"/)
  assert.match(markdown, /<img[^>]*alt="A cat"/)
  assert.match(markdown, /<img[^>]*src="\/media\/cat.jpg"/)
  const raw = renderMarkdown('<img src="/media/dog.jpg">')
  assert.match(raw, /<img[^>]*loading="lazy"/)
  assert.match(raw, /<img[^>]*alt=""/)
})

test('an image alone in its paragraph with an italic line under it becomes a figure with that caption', () => {
  const html = renderMarkdown(
    '![A cat asleep](/media/cat.jpg)\n*Mia & the <sofa>, by [Sam](https://sam.example)*',
  )
  assert.match(
    html,
    /^<figure><img [^>]*alt="A cat asleep"[^>]*\/?><figcaption>Mia &amp; the &lt;sofa&gt;, by <a href="https:\/\/sam.example" rel="noopener">Sam<\/a><\/figcaption><\/figure>$/,
  )
  assert.match(
    renderMarkdown('![A cat](/media/cat.jpg)\n_Underscores work too_'),
    /<figcaption>Underscores work too<\/figcaption>/,
  )
  const linked = renderMarkdown('[![A cat](/media/cat.jpg)](/media/big.jpg)\n*Click to enlarge*')
  assert.match(
    linked,
    /^<figure><a href="\/media\/big.jpg"><img [^>]*><\/a><figcaption>Click to enlarge<\/figcaption><\/figure>$/,
  )
})

test('an image inside a sentence, or with a paragraph between it and the italics, is no figure', () => {
  for (const markdown of [
    'See ![a cat](/media/cat.jpg) here\n*and this is emphasis*',
    '![a cat](/media/cat.jpg)\n\n*A separate paragraph*',
    '![a cat](/media/cat.jpg)\n*Caption* and more words',
    '![a cat](/media/cat.jpg)',
  ]) {
    const html = renderMarkdown(markdown)
    assert.doesNotMatch(html, /<figure|<figcaption/, markdown)
    assert.match(html, /<p>[\s\S]*<img [^>]*alt="a cat"/, markdown)
  }
})

test('HTML typed into a caption is shown as text, not interpreted', () => {
  const html = renderMarkdown('![x](/media/x.png)\n*<b>bold</b> <img src=x onerror=alert(1)>*')
  assert.match(
    html,
    /<figcaption>&lt;b&gt;bold&lt;\/b&gt; &lt;img src=x onerror=alert\(1\)&gt;<\/figcaption>/,
  )
  assert.equal((html.match(/<img/g) ?? []).length, 1)
})

test("an image without alt text of its own takes the library's, and its own alt text wins", () => {
  const images = (src: string) =>
    src === '/media/x.webp' ? { alt: 'A "quoted" <chart>', width: 800, height: 400 } : undefined
  assert.match(renderMarkdown('![](/media/x.webp)', { images }), /alt="A &quot;quoted&quot; &lt;chart&gt;"/)
  assert.match(renderMarkdown('![Mine](/media/x.webp)', { images }), /alt="Mine"/)
  assert.match(renderMarkdown('![](/media/other.webp)', { images }), /alt=""/)
})

test('empty Markdown renders as nothing', () => {
  assert.equal(renderMarkdown(''), '')
  assert.equal(renderMarkdown('   \n  '), '')
})

test("the author's excerpt wins over a more marker and the first paragraph", () => {
  const body = renderBody('First paragraph.\n\n<!--more-->\n\nRest.', 'My *own* summary.')
  assert.equal(body.excerptHtml, '<p>My <em>own</em> summary.</p>')
  assert.equal(body.hasMore, true)
})

test('without an excerpt, the part before <!--more--> is the excerpt', () => {
  const body = renderBody('Intro one.\n\nIntro two.\n\n<!--more-->\n\nThe rest of it.')
  assert.match(body.excerptHtml, /Intro one\./)
  assert.match(body.excerptHtml, /Intro two\./)
  assert.doesNotMatch(body.excerptHtml, /The rest/)
  assert.equal(body.hasMore, true)
  assert.doesNotMatch(body.html, /more/, 'the marker itself is not shown')
  assert.match(body.html, /The rest of it\./)
})

test('a more marker with spaces inside still counts', () => {
  const body = renderBody('Before.\n\n<!-- more -->\n\nAfter.')
  assert.equal(body.excerptHtml, '<p>Before.</p>')
  assert.equal(body.hasMore, true)
})

test('a more marker at the very end leaves nothing more to read', () => {
  const body = renderBody('Everything.\n\n<!--more-->\n')
  assert.equal(body.hasMore, false)
})

test('without an excerpt or a marker, the first paragraph is the excerpt', () => {
  const body = renderBody('## A heading first\n\nThe first paragraph.\n\nThe second paragraph.')
  assert.equal(body.excerptHtml, '<p>The first paragraph.</p>')
  assert.equal(body.hasMore, true)
})

test('a one-paragraph post has nothing more to read', () => {
  const body = renderBody('Just this.')
  assert.equal(body.excerptHtml, '<p>Just this.</p>')
  assert.equal(body.hasMore, false)
})

test('the excerpt is sanitized like the body', () => {
  const body = renderBody('Body.', 'Look <img src=x onerror=alert(1)> <script>alert(2)</script>')
  assert.doesNotMatch(body.excerptHtml, /onerror|<script/)
})

test('reading time is one minute at least and grows with the word count', () => {
  assert.equal(readingMinutes(''), 1)
  assert.equal(readingMinutes('a few words'), 1)
  assert.equal(readingMinutes('word '.repeat(2300)), 10)
  assert.equal(renderBody('word '.repeat(1150)).readingMinutes, 5)
})

test('htmlToText gives the visible text without heading anchors', () => {
  const html = renderMarkdown('## Title\n\nSome **bold** &amp; `<code>`.')
  assert.equal(htmlToText(html), 'Title Some bold & <code>.')
})

test('the text of stored HTML reads the same without the parser as with it', () => {
  const sources = [
    '## Title\n\nSome **bold** &amp; `<code>` and &lt;b&gt; typed &amp;lt; as text.',
    '> A "quote" with \'apostrophes\', &mdash; dashes &nbsp; and &#169; entities.\n\n- one\n- two<br>three',
    '| a | b |\n|---|---|\n| 1 < 2 | x > y |\n\n<details><summary>More</summary>Hidden &amp; shown</details>',
    '![A <cat> & "dog"](/media/cat.png "Title > here")\n*Caption with <b>tags</b>*\n\n```js\nif (a < b && c > d) {}\n```',
    ...hostile.map(([, source]) => source),
  ]
  for (const source of sources) {
    const html = renderMarkdown(source)
    assert.equal(visibleText(html), htmlToText(html), source)
  }
})

test('truncateText cuts at a word boundary and adds an ellipsis', () => {
  assert.equal(truncateText('short', 10), 'short')
  const cut = truncateText('The quick brown fox jumps over the lazy dog', 20)
  assert.ok(cut.length <= 20, cut)
  assert.ok(cut.endsWith('…'), cut)
  assert.doesNotMatch(cut, /\s…$/)
})
