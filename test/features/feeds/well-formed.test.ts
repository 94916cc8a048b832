// Checks that every feed stays well-formed for any stored text, through a real XML parser.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SaxesParser } from 'saxes'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { createTestApp } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'

/** Parses XML strictly (namespaces too) and returns every text node and attribute value it read. */
function parseXml(xml: string): { texts: string[]; attributes: string[]; elements: string[] } {
  const parser = new SaxesParser({ xmlns: true })
  const texts: string[] = []
  const attributes: string[] = []
  const elements: string[] = []
  let error: Error | undefined
  parser.on('error', (err) => {
    error ??= err
  })
  parser.on('text', (text) => texts.push(text))
  parser.on('cdata', (text) => texts.push(text))
  parser.on('opentag', (tag) => {
    elements.push(tag.local)
    for (const attr of Object.values(tag.attributes)) attributes.push(attr.value)
  })
  parser.write(xml).close()
  if (error) throw error
  return { texts, attributes, elements }
}

const HOSTILE = [
  'Vec<T> & Option<&str>',
  'a ]]> b',
  'quote " and \' apostrophe',
  'bell \u0007 and escape \u001b[31m and NUL \u0000 here',
  'non-characters \uFFFE\uFFFF end',
  'lone \uD800 surrogate',
  '<script>alert(1)</script>',
  '&amp; already &lt;escaped&gt;',
  'emoji 🦀 and Ünïcödé',
]

test('the Atom and RSS feeds stay well-formed XML whatever titles, tags, content and settings hold', async (t) => {
  const { app, db } = await createTestApp(t)
  saveSettings(db, { title: 'Site <b> & ]]> \u0001', authorName: 'A & <B> \u0002', description: 'd < ]]>' })
  HOSTILE.forEach((text, i) => {
    createPost(db, {
      title: `${text} ${i}`,
      bodyMd: `${text}\n\n\`\`\`rust\nfn f<T>(x: Vec<T>) {} // ]]> ${text}\n\`\`\``,
      excerptMd: text,
      tags: [`Tag ${text} ${i}`],
    })
  })

  for (const path of ['/feed.xml', '/rss.xml']) {
    const res = await app.inject(path)
    assert.equal(res.statusCode, 200, path)
    const { texts, attributes, elements } = parseXml(res.body)
    const all = [...texts, ...attributes].join('\n')
    assert.match(
      all,
      /Vec&lt;T&gt; &amp; Option&lt;&amp;str&gt; 0/,
      `${path} keeps the title's text, escaped as its type="html" says`,
    )
    assert.ok(
      attributes.includes('Tag Vec<T> & Option<&str> 0') || texts.includes('Tag Vec<T> & Option<&str> 0'),
      `${path} carries the tag name exactly`,
    )
    assert.ok(!elements.includes('script'), `${path} never carries a script element`)
  }
})

test('the JSON feed parses and keeps hostile titles as plain text', async (t) => {
  const { app, db } = await createTestApp(t)
  createPost(db, { title: 'Vec<T> & "quotes" \u0007', tags: ['Vec<T>'] })
  const res = await app.inject('/feed.json')
  assert.equal(res.statusCode, 200)
  const feed = JSON.parse(res.body) as { items: { title: string; tags: string[] }[] }
  assert.equal(feed.items[0]?.title, 'Vec<T> & "quotes" ')
  assert.deepEqual(feed.items[0]?.tags, ['Vec<T>'])
})
