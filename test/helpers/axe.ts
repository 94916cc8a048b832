// Owns running axe-core in a real page: WCAG 2.2 A/AA and best practices, with each violation's nodes.
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const require = createRequire(import.meta.url)
const axeSource: string = (require('axe-core') as { source: string }).source

export interface AxeNode {
  readonly target: unknown[]
  readonly failureSummary?: string
}
export interface AxeViolation {
  readonly id: string
  readonly impact: string | null
  readonly help: string
  readonly helpUrl: string
  readonly nodes: AxeNode[]
}

/** Runs axe on the loaded page (WCAG 2.2 A/AA and best practices) and returns its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } })
      .axe
    const results = (await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    })) as { violations: AxeViolation[] }
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary ?? '' })),
    }))
  })
}

/** One line per violation, for tests that allow none: id, impact, what to fix and where. */
export async function axeViolationLines(page: Page): Promise<string[]> {
  return (await axeViolations(page)).map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
  )
}
