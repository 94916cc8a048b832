// Checks drawing a card: real ink where the title goes, hostile and non-Latin text, no fonts needed on the machine.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import sharp from 'sharp'
import { CARD_HEIGHT, CARD_WIDTH, type CardText, drawCard } from '../../../src/features/cards/draw.ts'

const TEXT: CardText = { title: 'Caching on a small VPS', siteName: 'Ada Example', author: 'Ada Lovelace' }

type Box = { left: number; top: number; width: number; height: number }

/** Which pixels in the box are dark (text colour), not the light background or the faint circles. */
async function inkOf(png: Buffer, box: Box): Promise<boolean[]> {
  const { data, info } = await sharp(png)
    .extract(box)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const ink: boolean[] = []
  for (let i = 0; i < data.length; i += info.channels) {
    ink.push((data[i] ?? 255) + (data[i + 1] ?? 255) + (data[i + 2] ?? 255) < 3 * 120)
  }
  return ink
}

const darkPixels = async (png: Buffer, box: Box): Promise<number> =>
  (await inkOf(png, box)).filter(Boolean).length

/** Where the title may be drawn, and the strip between it and the author's rule that must stay empty. */
const TITLE_BAND = { left: 104, top: 150, width: 1016, height: 330 }
const BELOW_TITLE = { left: 104, top: 482, width: 1016, height: 24 }

test('a card is a 1200×630 PNG with the title drawn in the title band', async () => {
  const png = await drawCard(TEXT)

  const meta = await sharp(png).metadata()
  assert.equal(meta.format, 'png')
  assert.equal(meta.width, CARD_WIDTH)
  assert.equal(meta.height, CARD_HEIGHT)
  assert.ok((await darkPixels(png, TITLE_BAND)) > 5000, 'the title left ink in its band')
})

test('a different title draws a different card', async () => {
  const one = await drawCard(TEXT)
  const other = await drawCard({ ...TEXT, title: 'Something else entirely' })
  assert.notDeepEqual(one, other)
})

test('markup characters, quotes and non-Latin scripts draw instead of failing', async () => {
  for (const title of [
    'Vec<T> & "friends"',
    '</span><span foreground="red">&amp;&#0;<b>',
    '日本語のタイトル · Ελληνικά · Русский · עברית · العربية · 🚀',
    'Bell\u0007 and\u0000 null',
  ]) {
    const png = await drawCard({ ...TEXT, title })
    assert.equal((await sharp(png).metadata()).width, CARD_WIDTH, title)
    assert.ok((await darkPixels(png, TITLE_BAND)) > 1000, title)
  }
})

test('a very long title, or one endless word, stays inside its band', async () => {
  for (const title of [
    'A very long title that goes on about TypeScript, SQLite, LiteFS, image pipelines, social cards, accessibility audits and everything else a freelancer does in a busy week of client work',
    'x'.repeat(400),
  ]) {
    const png = await drawCard({ ...TEXT, title, siteName: 'S'.repeat(80), author: 'A'.repeat(80) })
    assert.ok((await darkPixels(png, TITLE_BAND)) > 20000, 'the title fills its band')
    assert.equal(await darkPixels(png, BELOW_TITLE), 0, 'nothing spills below the band')
  }
})

test('an empty title draws a card all the same', async () => {
  const png = await drawCard({ ...TEXT, title: '  ' })
  assert.equal((await sharp(png).metadata()).height, CARD_HEIGHT)
})

test('a card draws on a machine without any fonts installed (the Docker image)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'folio-fonts-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  // A fontconfig setup that knows no folder of fonts: only what Folio ships can be used.
  const conf = join(dir, 'fonts.conf')
  writeFileSync(conf, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
  const out = join(dir, 'card.png')
  const draw = new URL('../../../src/features/cards/draw.ts', import.meta.url).href
  const script = `import { drawCard } from ${JSON.stringify(draw)}
import { writeFileSync } from 'node:fs'
writeFileSync(${JSON.stringify(out)}, await drawCard(${JSON.stringify(TEXT)}))`

  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, FONTCONFIG_FILE: conf, FONTCONFIG_PATH: dir, XDG_CACHE_HOME: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  })

  // Without a font the title would come out as boxes. The same letters as here (give or take
  // antialiasing: this machine's fontconfig hints differently) mean the shipped font drew them.
  const there = await inkOf(readFileSync(out), TITLE_BAND)
  const here = await inkOf(await drawCard(TEXT), TITLE_BAND)
  const inked = here.filter(Boolean).length
  const different = here.filter((ink, i) => ink !== there[i]).length
  assert.ok(inked > 5000, 'the title was drawn')
  assert.ok(different < inked * 0.1, `${different} of ${inked} pixels differ`)
})
