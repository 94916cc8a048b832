// Checks rendering on worker threads: the same HTML as on the main thread, slow input stopped in time, the event loop free.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ImageInfo } from '../../src/lib/markdown.ts'
import { renderBody, renderMarkdown } from '../../src/lib/markdown.ts'
import { MarkdownLimitError } from '../../src/lib/markdown-limits.ts'
import {
  collectImages,
  MarkdownPool,
  renderBodyInWorker,
  renderMarkdownInWorker,
} from '../../src/lib/markdown-pool.ts'

/** Quadratic in marked: about 40 KB that takes seconds on the main thread. */
const SLOW = '_a'.repeat(20_000)

const LIBRARY: Record<string, ImageInfo> = {
  'cat.jpg': { width: 1600, height: 900, srcset: '/media/cat-800.webp 800w', sizes: '100vw' },
  'dog.png': { width: 640, height: 480 },
}
const resolveImage = (src: string): ImageInfo | undefined =>
  LIBRARY[/^(?:https:\/\/blog\.example\.com)?\/media\/([^/?#]+)$/.exec(src)?.[1] ?? '']

const DOCUMENTS: readonly [string, string][] = [
  [
    'an article with headings, code, a table and images',
    [
      '# Caching at the edge',
      '',
      'Intro with **bold**, _emphasis_, `code` and a [link](https://example.com "Example").',
      '',
      '![A cat](/media/cat.jpg "Cat") and ![A dog](https://blog.example.com/media/dog.png)',
      '',
      '<!--more-->',
      '',
      '## Setup',
      '',
      '```ts',
      'const answer: number = 42',
      '```',
      '',
      '| a | b |',
      '|---|:-:|',
      '| 1 | 2 |',
      '',
      '> A quote',
      '> > nested',
      '',
      '1. one',
      '   - two',
      '- [x] done',
      '',
      '[ref]: /media/cat.jpg',
      '![by reference][ref] ![unknown](/media/missing.jpg)',
      '',
      '<details><summary>More</summary>',
      '',
      'Hidden *text* <script>alert(1)</script>',
      '</details>',
    ].join('\n'),
  ],
  ['a short note with no paragraph break', 'Just a line with an ![image](</media/dog.png>).'],
  ['an empty body', ''],
]

for (const [label, markdown] of DOCUMENTS) {
  test(`${label} renders on a worker exactly as on the main thread`, async () => {
    const options = { images: resolveImage }
    const inWorker = await renderBodyInWorker(markdown, '', options)
    assert.deepEqual(inWorker, renderBody(markdown, '', options))
    if (markdown.includes('/media/')) assert.match(inWorker.html, /<img[^>]*width="(1600|640)"/)
    assert.deepEqual(
      await renderBodyInWorker(markdown, 'An *excerpt*', options),
      renderBody(markdown, 'An *excerpt*', options),
    )
    assert.equal(await renderMarkdownInWorker(markdown, options), renderMarkdown(markdown, options))
  })
}

test('the images a text mentions are found in one pass and resolved once each', () => {
  const asked: string[] = []
  const found = collectImages(
    [
      '![a](/media/cat.jpg) ![b](/media/cat.jpg) ![c](/media/nope.gif)',
      '[x]: https://blog.example.com/media/dog.png',
    ],
    (src) => {
      asked.push(src)
      return resolveImage(src)
    },
  )
  assert.deepEqual(asked, ['/media/cat.jpg', '/media/nope.gif', 'https://blog.example.com/media/dog.png'])
  assert.deepEqual([...found.keys()], ['/media/cat.jpg', 'https://blog.example.com/media/dog.png'])
  // A long text full of the marker stays linear: each character is looked at a bounded number of times.
  assert.equal(collectImages(['/media/'.repeat(30_000)], () => undefined).size, 0)
})

test('nesting bombs are refused before any worker is asked', async () => {
  await assert.rejects(renderBodyInWorker(`${'>'.repeat(5000)} x`), {
    name: 'MarkdownLimitError',
    limit: 'too-deep',
  })
  await assert.rejects(renderMarkdownInWorker(`${'- '.repeat(5000)}x`), { limit: 'too-deep' })
})

test('a text that takes too long is stopped at the time limit while the event loop keeps running', async (t) => {
  const pool = new MarkdownPool({ size: 1, timeLimitMs: 300 })
  t.after(() => pool.close())
  // Start the worker first, so the limit measures the render and not loading the pipeline.
  assert.equal(
    await pool.run({ job: { kind: 'markdown', markdown: '*warm*' }, images: new Map() }),
    '<p><em>warm</em></p>',
  )

  let ticks = 0
  const ticker = setInterval(() => ticks++, 10)
  const started = performance.now()
  await assert.rejects(
    pool.run({ job: { kind: 'body', bodyMd: SLOW, excerptMd: '' }, images: new Map() }),
    (error) => {
      return (
        error instanceof MarkdownLimitError &&
        error.limit === 'too-slow' &&
        /took more than/.test(error.message)
      )
    },
  )
  const elapsed = performance.now() - started
  clearInterval(ticker)
  assert.ok(elapsed < 5000, `stopped after ${Math.round(elapsed)} ms`)
  // Had the render run on this thread, the interval could not have fired at all until it ended.
  assert.ok(ticks >= 5, `the event loop ran ${ticks} timer callbacks meanwhile`)

  // The stuck worker was terminated; the next text gets a fresh one and renders normally.
  assert.equal(pool.workerCount, 0)
  assert.equal(
    await pool.run({ job: { kind: 'markdown', markdown: 'after' }, images: new Map() }),
    '<p>after</p>',
  )
  assert.equal(pool.workerCount, 1)
})

test('jobs beyond the queue limit are refused as busy instead of waiting without end', async (t) => {
  const pool = new MarkdownPool({ size: 1, timeLimitMs: 300, maxQueue: 2 })
  t.after(() => pool.close())
  const slow = () => pool.run({ job: { kind: 'body', bodyMd: SLOW, excerptMd: '' }, images: new Map() })
  const results = await Promise.allSettled([slow(), slow(), slow()])
  assert.deepEqual(
    results.map((r) => (r.status === 'rejected' ? (r.reason as MarkdownLimitError).limit : 'rendered')),
    ['too-slow', 'too-slow', 'busy'],
  )
})
