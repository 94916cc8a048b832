// Owns drawing a social card: the 1200×630 PNG of a post's title, the site's name and the author.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OverlayOptions } from 'sharp'
import { escapeHtml } from '../../lib/html.ts'
import { loadSharp } from '../../lib/load-sharp.ts'
import { replaceControlCharacters, toXmlText } from '../../lib/text.ts'

export const CARD_WIDTH = 1200
export const CARD_HEIGHT = 630

/** The light scheme of static/css/site.css (--bg, --text, --muted, --border, --accent). */
const COLOURS = {
  bg: '#fbfaf7',
  text: '#1d1f24',
  muted: '#555b66',
  border: '#dcd8cd',
  accent: '#1f4fd1',
} as const

/**
 * Shipped with Folio, not looked up on the machine: the Docker image has no fonts at all, and a
 * card must look the same wherever it is drawn. DejaVu covers Latin, Greek, Cyrillic, Hebrew and
 * Arabic; other scripts fall back to whatever fonts the machine has (or boxes), never an error.
 */
const fontPath = (file: string): string =>
  createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${file}`)

// A machine without fontconfig's own file (the slim Docker image has no fonts and no /etc/fonts)
// gets a minimal one; otherwise libvips writes "Cannot load default config file" for every card it
// draws. Fontconfig reads the variable when the first card is drawn, so it is set just before that,
// once per process, and the folder goes when the process does.
const FONTCONFIG = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>/usr/share/fonts</dir><cachedir>CACHE</cachedir></fontconfig>
`
let fontConfigChecked = false
function ensureFontConfig(): void {
  if (fontConfigChecked) return
  fontConfigChecked = true
  if (process.env.FONTCONFIG_FILE || existsSync('/etc/fonts/fonts.conf')) return
  // A folder of this process's own: a fixed name in /tmp could be planted by another user.
  const dir = mkdtempSync(join(tmpdir(), 'folio-fonts-'))
  writeFileSync(join(dir, 'fonts.conf'), FONTCONFIG.replace('CACHE', join(dir, 'cache')))
  process.env.FONTCONFIG_FILE = join(dir, 'fonts.conf')
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
}

const BOLD = { family: 'DejaVu Sans Bold', file: fontPath('DejaVuSans-Bold.ttf') }
const REGULAR = { family: 'DejaVu Sans', file: fontPath('DejaVuSans.ttf') }

/** DejaVu's line height, as a multiple of the font size: the distance from one line to the next. */
const LINE_HEIGHT = 1.164
/** The tallest ink one line can have (accented capitals over descenders), as a multiple of the size. */
const LINE_INK = 1.4

const BAR = 24
const LEFT = BAR + 80
const RIGHT = 80
const TEXT_WIDTH = CARD_WIDTH - LEFT - RIGHT
/** The band the title is centred in, between the site name and the rule above the author. */
const TITLE_TOP = 150
const TITLE_BOTTOM = 480
const RULE_Y = 508

/** Big and bold for a short title, smaller for a long one; past the last step, an ellipsis. */
const TITLE_STEPS = [
  { size: 76, lines: 3 },
  { size: 64, lines: 4 },
  { size: 56, lines: 4 },
] as const

export interface CardText {
  readonly title: string
  readonly siteName: string
  readonly author: string
}

const BACKGROUND = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}">
  <rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" fill="${COLOURS.bg}"/>
  <circle cx="${CARD_WIDTH - 40}" cy="40" r="300" fill="${COLOURS.accent}" fill-opacity="0.05"/>
  <circle cx="${CARD_WIDTH - 40}" cy="40" r="190" fill="${COLOURS.accent}" fill-opacity="0.06"/>
  <rect width="${BAR}" height="${CARD_HEIGHT}" fill="${COLOURS.accent}"/>
  <rect x="${LEFT}" y="${RULE_Y}" width="${TEXT_WIDTH}" height="2" fill="${COLOURS.border}"/>
</svg>`,
)

interface Rendered {
  readonly data: Buffer
  readonly width: number
  readonly height: number
}

/** One line of plain text: no control characters or runs of spaces, nothing XML forbids. */
const tidy = (text: string): string => toXmlText(replaceControlCharacters(text)).replace(/\s+/g, ' ').trim()

/** Draws `text` wrapped at TEXT_WIDTH; Pango reads markup, so the text itself is escaped. */
async function drawText(text: string, font: typeof BOLD, size: number, colour: string): Promise<Rendered> {
  const sharp = await loadSharp()
  const { data, info } = await sharp({
    text: {
      text: `<span foreground="${colour}">${escapeHtml(text)}</span>`,
      font: `${font.family} ${size}`,
      fontfile: font.file,
      width: TEXT_WIDTH,
      wrap: 'word-char',
      rgba: true,
    },
  })
    .png({ compressionLevel: 1 })
    .toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}

/** Whether drawn text took at most `lines` lines: the image is cropped to its ink, so compare heights. */
const fitsIn = (drawn: Rendered, size: number, lines: number): boolean =>
  drawn.height <= (lines - 1) * LINE_HEIGHT * size + LINE_INK * size

const graphemes = (text: string): string[] =>
  Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment)

/** The longest start of `text` that, with an ellipsis, fits in `lines` lines, cut at a space where one is near. */
async function drawShortened(
  text: string,
  font: typeof BOLD,
  size: number,
  lines: number,
  colour: string,
): Promise<Rendered> {
  const parts = graphemes(text)
  const shortened = (count: number): string => {
    const start = parts.slice(0, count).join('')
    const space = start.lastIndexOf(' ')
    const atWord = space > start.length * 0.6 ? start.slice(0, space) : start
    return `${atWord.replace(/[\s,.;:\u2013\u2014-]+$/u, '')}…`
  }
  let low = 1
  let high = parts.length - 1
  let best = await drawText(shortened(1), font, size, colour)
  while (low <= high) {
    const middle = Math.floor((low + high) / 2)
    const drawn = await drawText(shortened(middle), font, size, colour)
    if (fitsIn(drawn, size, lines)) {
      best = drawn
      low = middle + 1
    } else {
      high = middle - 1
    }
  }
  return best
}

/** `text` in at most `lines` lines at `size`, shortened with an ellipsis when it takes more. */
async function drawFitted(text: string, font: typeof BOLD, size: number, lines: number, colour: string) {
  const drawn = await drawText(text, font, size, colour)
  return fitsIn(drawn, size, lines) ? drawn : drawShortened(text, font, size, lines, colour)
}

async function drawTitle(title: string): Promise<Rendered> {
  for (const step of TITLE_STEPS.slice(0, -1)) {
    const drawn = await drawText(title, BOLD, step.size, COLOURS.text)
    if (fitsIn(drawn, step.size, step.lines)) return drawn
  }
  const last = TITLE_STEPS[TITLE_STEPS.length - 1] ?? TITLE_STEPS[0]
  return drawFitted(title, BOLD, last.size, last.lines, COLOURS.text)
}

/** A one-line label (site name, author), or nothing when there is no text to draw. */
async function drawLabel(text: string, font: typeof BOLD, colour: string, top: number) {
  const clean = tidy(text)
  if (!clean) return []
  const drawn = await drawFitted(clean, font, 30, 1, colour)
  return [{ input: drawn.data, left: LEFT, top }]
}

/** The card as a PNG. sharp does the work on libuv's threads, off the event loop. */
export async function drawCard(text: CardText): Promise<Buffer> {
  ensureFontConfig()
  // A hyphen between letters does not break the line: "static-ish" stays together.
  const title = await drawTitle(tidy(text.title).replace(/(?<=\p{L})-(?=\p{L})/gu, '\u2011') || 'Untitled')
  const layers: OverlayOptions[] = [
    ...(await drawLabel(text.siteName, BOLD, COLOURS.accent, 72)),
    {
      input: title.data,
      left: LEFT,
      top: Math.round(TITLE_TOP + Math.max(0, (TITLE_BOTTOM - TITLE_TOP - title.height) / 2)),
    },
    ...(await drawLabel(text.author, REGULAR, COLOURS.muted, RULE_Y + 34)),
  ]
  // Truecolour: a palette would save a few kilobytes but take six times as long to encode.
  const sharp = await loadSharp()
  return sharp(BACKGROUND).composite(layers).removeAlpha().png({ compressionLevel: 9 }).toBuffer()
}
