// Owns what browser tests measure about a page's layout: sideways scrolling, and boxes sharing a row.
import type { Locator, Page } from 'playwright-core'

/**
 * Why the loaded page scrolls sideways ("420px wide in a 360px window (div.x (static, right 420px))"),
 * or undefined when it does not. The failure names what sticks out: absolutely positioned boxes
 * first, since they escape their scrolling parents.
 */
export async function sidewaysOverflow(page: Page): Promise<string | undefined> {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    const limit = window.innerWidth
    const culprits = Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
      .map((el) => {
        const position = getComputedStyle(el).position
        const name = `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''}`
        return {
          name: `${name} (${position}, right ${Math.round(el.getBoundingClientRect().right)}px)`,
          position,
        }
      })
      .sort(
        (a, b) =>
          Number(b.position === 'absolute' || b.position === 'fixed') -
          Number(a.position === 'absolute' || a.position === 'fixed'),
      )
      .slice(0, 6)
      .map((c) => c.name)
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: limit, culprits }
  })
  if (scrollWidth <= innerWidth) return undefined
  return `${scrollWidth}px wide in a ${innerWidth}px window (${culprits.join(', ') || '?'})`
}

export interface Box {
  readonly label: string
  readonly top: number
  readonly bottom: number
}

/** The boxes of the visible elements `locator` matches, each labelled with its text. */
export async function visibleBoxes(locator: Locator): Promise<Box[]> {
  const boxes: Box[] = []
  for (const element of await locator.all()) {
    if (!(await element.isVisible())) continue
    const box = await element.boundingBox()
    if (!box || box.height === 0) continue
    const label = (await element.textContent())?.replace(/\s+/g, ' ').trim() ?? ''
    boxes.push({ label, top: box.y, bottom: box.y + box.height })
  }
  return boxes
}

/** Whether two boxes sit on one row: their vertical extents overlap (by more than a rounding pixel). */
export const shareARow = (a: Box, b: Box): boolean =>
  Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1
