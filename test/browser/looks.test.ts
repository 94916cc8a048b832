// Takes screenshots of the pages people see most (home, an article, contact, the admin editor and the
// inbox) on a phone and a desktop, light and dark, for a person to look at; checks none is blank, that
// no page scrolls sideways on a 360 px phone, and that articles keep a readable line length.
import assert from 'node:assert/strict'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import sharp from 'sharp'
import { launchBrowser, newContext, openVisit, requireChromium, startShowcase } from '../helpers/browser.ts'
import { sidewaysOverflow } from '../helpers/layout.ts'

const OUT_DIR = resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots')

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 900 },
] as const

/** A screenshot of a page that rendered shows text and edges: its pixels vary. A blank one does not. */
async function pixelSpread(file: string): Promise<number> {
  const stats = await sharp(file).stats()
  return Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev))
}

test('how Folio looks in Chromium', async (t) => {
  if (!requireChromium(t)) return
  const browser = await launchBrowser(t)
  const showcase = await startShowcase(t)

  await t.test(
    'screenshots of the main pages on a phone and a desktop, light and dark, are not blank',
    async () => {
      rmSync(OUT_DIR, { recursive: true, force: true })
      mkdirSync(OUT_DIR, { recursive: true })

      const byName = new Map([...showcase.public, ...showcase.admin].map((v) => [v.name, v]))
      const shots = ['home', 'article', 'contact', 'admin-post-edit', 'admin-inbox'].map((name) => {
        const visit = byName.get(name)
        if (!visit) throw new Error(`the showcase has no page named ${name}`)
        return visit
      })

      const blank: string[] = []
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const viewport of VIEWPORTS) {
          const context = await newContext(browser, {
            colorScheme,
            width: viewport.width,
            height: viewport.height,
          })
          await context.addCookies([showcase.sessionCookie])
          const page = await context.newPage()
          for (const visit of shots) {
            const response = await openVisit(page, visit)
            assert.equal(response?.status(), 200, `${visit.name} answered ${response?.status()}`)
            // Images are lazy: scroll them in, so the full-page shot shows them.
            await page.evaluate(async () => {
              for (const img of Array.from(document.images)) img.loading = 'eager'
              await Promise.all(Array.from(document.images).map((img) => img.decode().catch(() => {})))
            })
            // What a person sees first, and the whole page (where sticky bars sit mid-page: a screenshot artefact).
            for (const fullPage of [false, true]) {
              const file = join(
                OUT_DIR,
                `${visit.name}-${viewport.name}-${colorScheme}${fullPage ? '-full' : ''}.png`,
              )
              await page.screenshot({ path: file, fullPage })
              const stdev = await pixelSpread(file)
              if (stdev < 8) blank.push(`${file} (standard deviation of its pixels: ${stdev.toFixed(1)})`)
            }
          }
          await context.close()
        }
      }
      console.log(`Screenshots: ${OUT_DIR}`)
      assert.deepEqual(blank, [], `These screenshots look blank:\n${blank.join('\n')}`)
    },
  )

  await t.test('no page scrolls sideways on a 360 px wide phone', async () => {
    const wide: string[] = []
    for (const colorScheme of ['light'] as const) {
      const signedIn = await newContext(browser, { colorScheme, width: 360, height: 740 })
      await signedIn.addCookies([showcase.sessionCookie])
      const signedOut = await newContext(browser, { colorScheme, width: 360, height: 740 })
      for (const visit of [...showcase.public, ...showcase.admin]) {
        const page = await (visit.admin ? signedIn : signedOut).newPage()
        await openVisit(page, visit)
        const overflow = await sidewaysOverflow(page)
        if (overflow) wide.push(`${visit.name}: ${overflow}`)
        await page.close()
      }
      await signedIn.close()
      await signedOut.close()
    }
    assert.deepEqual(wide, [], `Pages that scroll sideways at 360 px:\n${wide.join('\n')}`)
  })

  await t.test(
    'running text keeps a comfortable measure: 60 to 75 characters a line on a desktop',
    async () => {
      const context = await newContext(browser, { width: 1280, height: 900 })
      const page = await context.newPage()
      await page.goto(`${showcase.site.baseUrl}${showcase.articlePath}`)
      // Characters on each full line of the article's paragraphs (the last line of each is left out).
      const lines = await page.evaluate(() => {
        const counts: number[] = []
        for (const paragraph of Array.from(document.querySelectorAll('.post__body > p'))) {
          // A new line starts where a character sits lower than the current line's top by half a line.
          const half = Number.parseFloat(getComputedStyle(paragraph).lineHeight) / 2
          const perLine: number[] = []
          let lineTop = Number.NEGATIVE_INFINITY
          const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT)
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent ?? ''
            for (let i = 0; i < text.length; i++) {
              const range = document.createRange()
              range.setStart(node, i)
              range.setEnd(node, i + 1)
              const rect = range.getBoundingClientRect()
              if (rect.height === 0) continue
              if (rect.top > lineTop + half) {
                lineTop = rect.top
                perLine.push(0)
              }
              perLine[perLine.length - 1] = (perLine.at(-1) ?? 0) + 1
            }
          }
          counts.push(...perLine.slice(0, -1))
        }
        return counts
      })
      assert.ok(lines.length >= 5, `the article has too few full lines to measure (${lines.length})`)
      const average = lines.reduce((sum, n) => sum + n, 0) / lines.length
      console.log(
        `Measure: ${average.toFixed(1)} characters a line on average, ${Math.max(...lines)} at most`,
      )
      assert.ok(
        average >= 60 && average <= 75,
        `an article line holds ${average.toFixed(1)} characters on average`,
      )
      await context.close()
    },
  )
})
