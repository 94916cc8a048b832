// Checks the site header in real Chromium: a long site title, the sections and search share one row
// on laptop widths, and on a phone the header wraps onto tidy rows without sideways scrolling.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { savePage } from '../../src/features/content/pages.ts'
import { saveSettings } from '../../src/features/settings/service.ts'
import { launchBrowser, newContext, requireChromium, startSite } from '../helpers/browser.ts'

const TITLE_30 = 'Notes from a Small Consultancy'

/** How many rows the header's items sit on: items whose vertical centres differ by over 8 px. */
function rowsOfHeader() {
  const items = ['.site-title', '.site-nav', '.site-search', '.site-search-link']
    .map((selector) => document.querySelector(selector))
    .filter((el): el is Element => el !== null && getComputedStyle(el).display !== 'none')
  const centres = items.map((el) => {
    const box = el.getBoundingClientRect()
    return box.top + box.height / 2
  })
  const rows: number[] = []
  for (const centre of centres.sort((a, b) => a - b)) {
    if (rows.every((row) => Math.abs(row - centre) > 8)) rows.push(centre)
  }
  const title = document.querySelector('.site-title')?.getBoundingClientRect()
  return {
    rows: rows.length,
    titleLines: title
      ? Math.round(
          title.height /
            Number.parseFloat(getComputedStyle(document.querySelector('.site-title') as Element).lineHeight),
        )
      : 0,
    scrollWidth: document.documentElement.scrollWidth,
  }
}

test('the header holds a 30-character title on one row from 1024 px and wraps tidily on phones', async (t) => {
  if (!requireChromium(t)) return
  assert.equal(TITLE_30.length, 30)
  const site = await startSite(t)
  saveSettings(site.db, { title: TITLE_30 })
  // Two pages in the navigation beside Writing and Contact, as a consultant's site has.
  savePage(site.db, { title: 'About', bodyMd: 'Me.', status: 'published', navOrder: 1 })
  savePage(site.db, { title: 'Work with me', bodyMd: 'Services.', status: 'published', navOrder: 2 })
  const browser = await launchBrowser(t)

  for (const width of [1024, 1280, 1440]) {
    const context = await newContext(browser, { width, height: 800 })
    const page = await context.newPage()
    await page.goto(`${site.baseUrl}/posts`)
    assert.equal(await page.locator('.site-title').textContent(), TITLE_30)
    const layout = await page.evaluate(rowsOfHeader)
    assert.equal(layout.rows, 1, `at ${width} px the header's title, sections and search share one row`)
    assert.equal(layout.titleLines, 1, `at ${width} px the title is one line`)
    await context.close()
  }

  for (const width of [360, 390]) {
    const context = await newContext(browser, { width, height: 740 })
    const page = await context.newPage()
    await page.goto(`${site.baseUrl}/posts`)
    const phone = await page.evaluate(() => {
      const [title, search, nav] = ['.site-title', '.site-search-link', '.site-nav'].map((selector) =>
        document.querySelector(selector)?.getBoundingClientRect(),
      )
      return {
        searchBesideTitle: Boolean(
          title && search && search.top < title.bottom && search.left >= title.right,
        ),
        navBelow: Boolean(title && search && nav && nav.top >= Math.max(title.bottom, search.bottom) - 1),
        scrollWidth: document.documentElement.scrollWidth,
      }
    })
    assert.ok(phone.searchBesideTitle, `at ${width} px the search link sits beside the title`)
    assert.ok(phone.navBelow, `at ${width} px the sections get their own row below`)
    assert.ok(phone.scrollWidth <= width, `at ${width} px nothing scrolls sideways (${phone.scrollWidth} px)`)
    await context.close()
  }
})
