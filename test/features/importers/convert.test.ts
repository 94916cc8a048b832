// Checks what imported WordPress and Ghost bodies become: clean Markdown that renders through Folio's one pipeline.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bodyToHtml, convertBody } from '../../../src/features/importers/convert.ts'
import { renderBody, renderMarkdown } from '../../../src/lib/markdown.ts'

const wordpress = (body: string, context = {}) => convertBody(body, 'wordpress', context)
const page = (markdown: string) => renderMarkdown(markdown)

test('a WordPress body: a blank line starts a paragraph and a single line break is a <br>, but not in code', () => {
  const { markdown } = wordpress(
    'First line\nsecond line\n\nNext paragraph\n\n<pre>keep\nthese\n\nlines</pre>',
  )
  const html = page(markdown)
  assert.match(html, /<p>First line<br \/>second line<\/p>/)
  assert.match(html, /<p>Next paragraph<\/p>/)
  assert.match(html, /<pre[^>]*><code[^>]*>keep\nthese\n\nlines/)
  assert.doesNotMatch(html, /keep<br/)
})

test('block-editor comments disappear and the HTML between them stays', () => {
  const body =
    '<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">Setup</h3>\n<!-- /wp:heading -->\n\n' +
    '<!-- wp:list -->\n<ul><li>one</li><li>two</li></ul>\n<!-- /wp:list -->'
  const { markdown } = wordpress(body)
  assert.equal(markdown, '### Setup\n\n- one\n- two')
  assert.doesNotMatch(markdown, /wp:/)
})

test('[caption] becomes the image with its caption under it, rendered as a figure', () => {
  const trailing = wordpress(
    '[caption id="attachment_9" align="aligncenter" width="300"]<a href="https://old.example/pic.jpg"><img src="https://old.example/pic-300x200.jpg" alt="A heron" width="300" /></a> A heron at <em>dawn</em>[/caption]',
  )
  assert.equal(
    trailing.markdown,
    '[![A heron](https://old.example/pic-300x200.jpg)](https://old.example/pic.jpg)\n*A heron at _dawn_*',
  )
  assert.match(
    page(trailing.markdown),
    /<figure><a [^>]*><img [^>]*alt="A heron"[^>]*\/><\/a><figcaption>A heron at <em>dawn<\/em><\/figcaption><\/figure>/,
  )

  const attribute = wordpress(
    '[caption id="" caption="Old style"]<img src="/wp-content/uploads/x.png" alt="" />[/caption]',
  )
  assert.equal(attribute.markdown, '![](/wp-content/uploads/x.png)\n*Old style*')
  assert.deepEqual(attribute.unconvertedShortcodes, [])
})

test('[gallery] shows its images one after another: by ids, or the entry’s attached images', () => {
  const attachmentUrls = { '11': 'https://old.example/a.jpg', '12': 'https://old.example/b.jpg' }
  const byIds = wordpress('Look:\n\n[gallery ids="12, 11" columns="2"]', { attachmentUrls })
  assert.equal(byIds.markdown, 'Look:\n\n![](https://old.example/b.jpg)\n\n![](https://old.example/a.jpg)')

  const attached = wordpress('[gallery]', { attachedImages: ['https://old.example/c.jpg'] })
  assert.equal(attached.markdown, '![](https://old.example/c.jpg)')

  const unknown = wordpress('[gallery ids="99"]', { attachmentUrls })
  assert.match(unknown.markdown, /\\\[gallery ids="99"\\\]/)
  assert.deepEqual(unknown.unconvertedShortcodes, ['[gallery ids="99"]'])
})

test('[code] and [sourcecode] become fenced code that keeps its language and its < and &', () => {
  const cases = [
    ['[code lang="php"]\n<?php echo "a & b"; ?>\n[/code]', 'php', '<?php echo "a & b"; ?>'],
    ['[sourcecode language="python"]print(1 < 2)[/sourcecode]', 'python', 'print(1 < 2)'],
    ['[code language=js]const a = 1[/code]', 'js', 'const a = 1'],
    ['[php]echo &lt;b&gt;;[/php]', 'php', 'echo <b>;'],
  ] as const
  for (const [body, language, code] of cases) {
    const { markdown } = wordpress(body)
    assert.equal(markdown, `\`\`\`${language}\n${code}\n\`\`\``, body)
    assert.match(page(markdown), new RegExp(`<code class="hljs language-${language}">`))
  }
  const inside = wordpress('[code]\n[gallery] is a shortcode\n[/code]')
  assert.equal(inside.markdown, '```\n[gallery] is a shortcode\n```')
})

test('code blocks keep their language from language-x, lang-x, WordPress’s code block and brush: x', () => {
  const cases = [
    ['<pre><code class="language-rust">fn main() {}</code></pre>', 'rust'],
    ['<pre class="lang-sql"><code>select 1;</code></pre>', 'sql'],
    ['<pre class="wp-block-code"><code lang="bash">ls -la</code></pre>', 'bash'],
    ['<pre class="brush: ruby; title: ; notranslate">puts 1</pre>', 'ruby'],
  ] as const
  for (const [html, language] of cases) {
    const { markdown } = convertBody(html, 'html')
    assert.match(markdown, new RegExp(`^\`\`\`${language}\\n`), html)
    assert.match(page(markdown), new RegExp(`class="hljs language-${language}"`))
  }
  const fenced = convertBody('<pre><code>```\ninside\n```</code></pre>', 'html').markdown
  assert.equal(fenced, '````\n```\ninside\n```\n````')
})

test('embeds become links to what they played: YouTube players become watch URLs', () => {
  const body = [
    'https://www.youtube.com/watch?v=abc123XYZ_-',
    '[embed]https://vimeo.com/76979871[/embed]',
    '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="A song"></iframe>',
    '<figure class="wp-block-embed is-provider-twitter"><div class="wp-block-embed__wrapper">\nhttps://twitter.com/x/status/1\n</div><figcaption>Said it</figcaption></figure>',
    '[audio mp3="https://old.example/wp-content/uploads/talk.mp3"][/audio]',
    '[video]https://old.example/wp-content/uploads/walk.webm[/video]',
    '[video src="https://old.example/clip.mp4"]',
    '[audio https://old.example/wp-content/uploads/song.mp3]',
  ].join('\n\n')
  const { markdown, unconvertedShortcodes } = wordpress(body)
  assert.deepEqual(unconvertedShortcodes, [])
  assert.equal(
    markdown,
    [
      '[https://www.youtube.com/watch?v=abc123XYZ\\_-](https://www.youtube.com/watch?v=abc123XYZ_-)',
      '[https://vimeo.com/76979871](https://vimeo.com/76979871)',
      '[A song](https://www.youtube.com/watch?v=dQw4w9WgXcQ)',
      '[https://twitter.com/x/status/1](https://twitter.com/x/status/1)',
      '*Said it*',
      '[Audio: talk.mp3](https://old.example/wp-content/uploads/talk.mp3)',
      '[Video: walk.webm](https://old.example/wp-content/uploads/walk.webm)',
      '[Video: clip.mp4](https://old.example/clip.mp4)',
      '[Audio: song.mp3](https://old.example/wp-content/uploads/song.mp3)',
    ].join('\n\n'),
  )
  assert.match(
    page(markdown),
    /<a href="https:\/\/www\.youtube\.com\/watch\?v=dQw4w9WgXcQ" rel="noopener">A song<\/a>/,
  )
})

test('a simple table becomes a GFM table; one with merged cells is kept as HTML and listed', () => {
  const simple = convertBody(
    '<table><thead><tr><th>Name</th><th>Size</th></tr></thead><tbody><tr><td>a|b</td><td><del>1</del> 2</td></tr></tbody></table>',
    'html',
  )
  assert.equal(simple.markdown, '| Name | Size |\n| --- | --- |\n| a\\|b | ~~1~~ 2 |')
  assert.deepEqual(simple.keptHtml, [])
  assert.match(page(simple.markdown), /<table[^>]*>\s*<thead>\s*<tr>\s*<th>Name<\/th>/)

  const merged = convertBody(
    '<table><tr><td colspan="2">wide</td></tr><tr><td>a</td><td>b</td></tr></table>',
    'html',
  )
  assert.match(merged.markdown, /^<table>.*colspan="2".*<\/table>$/s)
  assert.deepEqual(merged.keptHtml, ['table'])
  assert.match(page(merged.markdown), /<td colspan="2">wide<\/td>/)
})

test('HTML with no Markdown equivalent is kept as HTML and named in keptHtml', () => {
  const { markdown, keptHtml, removed } = convertBody(
    '<p>E = mc<sup>2</sup>, press <kbd>Ctrl</kbd></p><details><summary>More</summary><p>Hidden\n\nlines</p></details>',
    'html',
  )
  assert.deepEqual(keptHtml, ['details', 'kbd', 'sup'])
  assert.deepEqual(removed, [])
  assert.match(markdown, /^E = mc<sup>2<\/sup>, press <kbd>Ctrl<\/kbd>$/m)
  const html = page(markdown)
  assert.match(html, /<details><summary>More<\/summary><p>Hidden/)
  assert.match(html, /<sup>2<\/sup>/)
})

test('what no reader would see is left out and named in removed: script, style, forms, players with nothing to link to', () => {
  const { markdown, keptHtml, removed } = convertBody(
    [
      '<p>Before.</p><script>track()</script><style>p { color: red }</style>',
      '<form action="/subscribe"><p>Sign up</p><input name="email"><button>Go</button></form>',
      '<svg viewBox="0 0 10 10"><path d="M0 0h10"/></svg><object data="/old.swf"></object>',
      '<iframe src="javascript:alert(1)"></iframe><video controls><source src="clip.mp4"></video>',
      '<p>After, <iframe src="https://www.youtube.com/embed/abcdef123"></iframe></p>',
    ].join(''),
    'html',
  )
  assert.deepEqual(removed, [
    'button',
    'form',
    'iframe',
    'input',
    'object',
    'script',
    'style',
    'svg',
    'video',
  ])
  assert.deepEqual(keptHtml, [])
  assert.equal(
    markdown,
    'Before.\n\nAfter,\n\n[https://www.youtube.com/watch?v=abcdef123](https://www.youtube.com/watch?v=abcdef123)',
  )
  assert.deepEqual(convertBody('<p>Nothing hidden, <em>nothing</em> lost.</p>', 'html').removed, [])
})

test('unknown shortcodes stay as text and are listed; [[gallery]] is WordPress’s way to show the text', () => {
  const { markdown, unconvertedShortcodes } = wordpress(
    'Write to me: [contact-form subject="Hello"][contact-field label="Name"/][/contact-form]\n\nType [[gallery]] to show a gallery. A [sic] stays.',
  )
  assert.deepEqual(unconvertedShortcodes, ['[contact-form subject="Hello"]', '[contact-field label="Name"/]'])
  assert.match(page(markdown), /\[contact-form subject="Hello"\]/)
  assert.match(page(markdown), /Type \[gallery\] to show a gallery\. A \[sic\] stays\./)
})

test('images keep their alt text and title, headings are ATX and links stay links', () => {
  const { markdown } = convertBody(
    '<h2>Part [one]</h2><p><img src="/a (1).png" alt="A [b]" title="Say &quot;hi&quot;"> <a href="https://example.com/x" title="T">link</a></p>',
    'html',
  )
  assert.equal(
    markdown,
    '## Part \\[one\\]\n\n![A \\[b\\]](/a%20\\(1\\).png "Say \\"hi\\"") [link](https://example.com/x "T")',
  )
  const html = page(markdown)
  assert.match(html, /<img [^>]*src="\/a%20\(1\)\.png"/)
  assert.match(html, /<img [^>]*alt="A \[b\]"/)
  assert.match(html, /<img [^>]*title="Say &quot;hi&quot;"/)
})

test('text that reads like markup stays text: a post about HTML keeps its <script> and &amp;', () => {
  const { markdown } = convertBody(
    '<p>Use the &lt;script&gt; tag, write &amp;amp; and <code>&lt;div&gt;</code>; 1 &lt; 2</p>',
    'html',
  )
  assert.equal(
    page(markdown),
    '<p>Use the &lt;script&gt; tag, write &amp;amp; and <code>&lt;div&gt;</code>; 1 &lt; 2</p>',
  )
})

test('a quotation’s closing <cite> reads as its attribution', () => {
  const body =
    '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n<p>Less is more.</p>\n<!-- /wp:paragraph --><cite>Mies</cite></blockquote>\n<!-- /wp:quote -->\n\n' +
    '<blockquote>As <cite>Dune</cite> says</blockquote>'
  assert.equal(wordpress(body).markdown, '> Less is more.\n> \n> — Mies\n\n> As _Dune_ says')
})

test('the first <!--more--> stays the excerpt’s end, as Folio reads it', () => {
  const { markdown } = wordpress('The teaser.\n\n<!--more Read on-->\n\nThe rest.\n\n<!--more-->\n\nEnd.')
  assert.equal(markdown, 'The teaser.\n\n<!--more-->\n\nThe rest.\n\nEnd.')
  const body = renderBody(markdown)
  assert.equal(body.excerptHtml, '<p>The teaser.</p>')
  assert.equal(body.hasMore, true)
})

test('a Ghost body: cards become Markdown and its own links become root-relative', () => {
  const ghost =
    '<p>See <a href="__GHOST_URL__/older-post/">this</a>.</p>' +
    '<figure class="kg-card kg-image-card kg-card-hascaption"><img src="__GHOST_URL__/content/images/2021/05/cat.jpg" class="kg-image" alt="Cat" loading="lazy" srcset="__GHOST_URL__/content/images/size/w600/2021/05/cat.jpg 600w"><figcaption>The cat</figcaption></figure>' +
    '<figure class="kg-card kg-bookmark-card"><a class="kg-bookmark-container" href="https://example.com/article"><div class="kg-bookmark-content"><div class="kg-bookmark-title">An article</div><div class="kg-bookmark-description">What it says</div></div></a></figure>' +
    '<!--kg-card-begin: html--><pre><code class="language-css">a { color: red }</code></pre><!--kg-card-end: html-->'
  assert.doesNotMatch(bodyToHtml(ghost, 'html').html, /__GHOST_URL__/)
  const { markdown, keptHtml } = convertBody(ghost, 'html')
  assert.equal(
    markdown,
    [
      'See [this](/older-post/).',
      '![Cat](/content/images/2021/05/cat.jpg)\n*The cat*',
      '[An article](https://example.com/article)',
      '*What it says*',
      '```css\na { color: red }\n```',
    ].join('\n\n'),
  )
  assert.deepEqual(keptHtml, [])
})

test('hostile HTML in an imported body never reaches the rendered page', () => {
  const hostile = [
    '<script>alert("s")</script><style>body{display:none}</style>',
    '<p onclick="alert(1)">Hi <img src="x" onerror="alert(2)"> <a href="javascript:alert(3)">click</a></p>',
    '<details open ontoggle="alert(4)"><summary>s</summary><script>alert(5)</script><img src=y onerror=alert(6)></details>',
    '<iframe src="javascript:alert(7)"></iframe><svg onload="alert(8)"><circle/></svg>',
    '<table><tr><td colspan=2 onmouseover="alert(9)">x<script>alert(10)</script></td></tr></table>',
    '[caption]<img src="z" onerror="alert(11)"> <script>alert(12)</script>[/caption]',
  ].join('\n\n')
  const { markdown } = wordpress(hostile)
  const html = renderBody(markdown).html
  assert.doesNotMatch(html, /<script|<style|<iframe|<svg|\son\w+=|javascript:|alert\(/i)
  assert.match(html, /Hi/)
})
