// Checks every public page type and every admin page with axe-core in real Chromium, light and dark:
// no violation of impact serious or critical.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type AxeViolation, axeViolations } from '../helpers/axe.ts'
import {
  launchBrowser,
  newContext,
  openVisit,
  type PageVisit,
  requireChromium,
  startShowcase,
} from '../helpers/browser.ts'

const SERIOUS = new Set(['serious', 'critical'])

function describe(name: string, scheme: string, violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => {
      const targets = v.nodes
        .slice(0, 5)
        .map(
          (n) =>
            `      ${JSON.stringify(n.target)}\n        ${(n.failureSummary ?? '').replace(/\n/g, '\n        ')}`,
        )
        .join('\n')
      const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : ''
      return `  [${name} · ${scheme}] ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${targets}${more}`
    })
    .join('\n')
}

test('axe finds no serious or critical violation on any page type, in light and dark', async (t) => {
  if (!requireChromium(t)) return
  const browser = await launchBrowser(t)
  const showcase = await startShowcase(t)
  const visits: PageVisit[] = [...showcase.public, ...showcase.admin]
  const failures: string[] = []
  const minor: string[] = []
  let checked = 0

  // Light and dark run side by side: each scheme has its own contexts and pages.
  await Promise.all(
    (['light', 'dark'] as const).map(async (colorScheme) => {
      const signedIn = await newContext(browser, { colorScheme })
      await signedIn.addCookies([showcase.sessionCookie])
      const signedOut = await newContext(browser, { colorScheme })
      for (const visit of visits) {
        // The login and setup pages are what a signed-out person sees.
        const page = await (visit.admin ? signedIn : signedOut).newPage()
        const response = await openVisit(page, visit)
        assert.equal(
          response?.status(),
          visit.status ?? 200,
          `${visit.name} (${visit.url}) answered ${response?.status()}`,
        )
        const violations = await axeViolations(page)
        const bad = violations.filter((v) => SERIOUS.has(v.impact ?? ''))
        if (bad.length > 0) failures.push(describe(visit.name, colorScheme, bad))
        const rest = violations.filter((v) => !SERIOUS.has(v.impact ?? ''))
        if (rest.length > 0) minor.push(describe(visit.name, colorScheme, rest))
        checked += 1
        await page.close()
      }
      await signedIn.close()
      await signedOut.close()
    }),
  )

  console.log(`axe: checked ${checked} page states (${visits.length} pages × light and dark)`)
  if (minor.length > 0) console.log(`axe: moderate or minor findings (not failures):\n${minor.join('\n')}`)
  assert.equal(failures.length, 0, `axe found serious or critical violations:\n${failures.join('\n')}`)
})
