// Runs Lighthouse 12 (mobile preset) five times on the home page, an article with code and an image,
// and the contact page of a production-mode Folio: prints every score and failing audit; fails when a
// page's fastest run scores performance below 95, or any run scores another category below 95.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse, { type RunnerResult } from 'lighthouse'
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium, startShowcase } from '../helpers/browser.ts'

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const
type Category = (typeof CATEGORIES)[number]
type Result = RunnerResult['lhr']
/** The categories that do not depend on speed: every run must pass them. */
const STEADY_CATEGORIES = CATEGORIES.filter((id) => id !== 'performance')
const score = (lhr: Result, id: Category) => Math.round((lhr.categories[id]?.score ?? 0) * 100)
const MINIMUM = 95
/**
 * Runs per page. Simulated throttling multiplies the main-thread time it observes by four, and on a
 * shared two-core machine that time swings: the home page (no script, 12 KiB) measured Total Blocking
 * Time from 60 to 400 ms between runs, nearly all of it Chromium's own font lookups, layout and paint.
 * Another process can only add main-thread time, never take it away, so the fastest run is the one
 * nearest the page's own cost (as with any benchmark's minimum): performance is judged by the best of
 * five, and a page whose own work is slow fails every one of them. The other categories do not depend
 * on speed and must pass in every run.
 */
const RUNS = 5
/** Lighthouse's own failures to record a page load's trace: nothing the page did. */
const TRACE_FAILURES = new Set(['NO_NAVSTART', 'NO_TRACING_STARTED'])

interface AuditResult {
  readonly id: string
  readonly title: string
  readonly score: number | null
  readonly scoreDisplayMode: string
  readonly displayValue?: string
}

test('Lighthouse scores every category at least 95 on the home page, an article and the contact page', {
  timeout: 480_000,
}, async (t) => {
  if (!requireChromium(t)) return
  // Chrome first: after() hooks run in the order they are added, so it is gone before the site closes.
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM_PATH,
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
    logLevel: 'silent',
  })
  t.after(() => chrome.kill())
  // Production, as deployed: cached templates, no error details. SITE_URL is the tested origin, so the
  // canonical URLs, robots.txt and sitemap all name the address Lighthouse loads.
  const showcase = await startShowcase(t, { NODE_ENV: 'production' })

  const pages = [
    { name: 'home', path: '/' },
    { name: 'article', path: showcase.articlePath },
    { name: 'contact', path: '/contact' },
  ]
  const rows: string[] = []
  const failing: string[] = []
  const unscored: string[] = []
  const notes: string[] = []
  const reruns: string[] = []
  const low: string[] = []
  for (const { name, path } of pages) {
    const url = `${showcase.site.baseUrl}${path}`
    const run = () =>
      lighthouse(url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: [...CATEGORIES],
      })
    const runs: Result[] = []
    for (let i = 1; i <= RUNS; i++) {
      let result = await run()
      // Chromium's trace recording sometimes fails on a loaded machine: that is the tool, not the
      // page, so such a run is repeated once (and said). Any other error, and every score, counts.
      const code = result?.lhr.runtimeError?.code
      if (code && TRACE_FAILURES.has(code)) {
        reruns.push(`  ${name}, run ${i}: Chromium failed to record a trace (${code}); ran again`)
        result = await run()
      }
      assert.ok(result, `Lighthouse returned nothing for ${url}`)
      assert.equal(
        result.lhr.runtimeError,
        undefined,
        `Lighthouse could not load ${url}: ${result.lhr.runtimeError?.message}`,
      )
      runs.push(result.lhr)
    }
    const performance = runs.map((lhr) => score(lhr, 'performance'))
    const lhr = runs[performance.indexOf(Math.max(...performance))] as Result
    const scores = CATEGORIES.map((id) => score(lhr, id))
    rows.push(
      `| ${name.padEnd(8)} | ${scores.map((s) => String(s).padStart(3)).join(' | ')} | ${performance.join(' ')} |`,
    )
    if (score(lhr, 'performance') < MINIMUM) low.push(`${name} performance ${performance.join('/')}`)
    runs.forEach((each, i) => {
      for (const id of STEADY_CATEGORIES) {
        if (score(each, id) < MINIMUM) low.push(`${name} ${id} ${score(each, id)} (run ${i + 1})`)
      }
    })
    // Every audit that counts towards a category and did not score full marks, in the run judged.
    for (const id of CATEGORIES) {
      for (const ref of lhr.categories[id]?.auditRefs ?? []) {
        const audit = lhr.audits[ref.id] as AuditResult | undefined
        if (!audit || audit.score === null || audit.score >= 1) continue
        if (audit.scoreDisplayMode === 'informative' || audit.scoreDisplayMode === 'notApplicable') continue
        const value = audit.displayValue ? ` (${audit.displayValue})` : ''
        const line = `  ${name} · ${id} · ${audit.id}: ${audit.title}${value}, score ${audit.score}`
        // Weight 0: shown in the report, not part of the category's score (e.g. Max Potential FID).
        if (ref.weight > 0) failing.push(`${line}, weight ${ref.weight}`)
        else unscored.push(line)
      }
    }
    // The audits that name the site's address: they pass only when SITE_URL is the origin tested.
    const seo = ['is-crawlable', 'canonical', 'robots-txt', 'http-status-code']
      .map((id) => `${id} ${lhr.audits[id]?.score ?? 'n/a'}`)
      .join(', ')
    notes.push(
      `  ${name}: ${seo}${lhr.runWarnings.length > 0 ? `; warnings: ${lhr.runWarnings.join(' | ')}` : ''}`,
    )
  }

  console.log(
    [
      `Lighthouse 12, mobile preset, NODE_ENV=production: each page's fastest run of ${RUNS}`,
      `| page     | ${CATEGORIES.map((c) => c.slice(0, 3)).join(' | ')} | performance of each run |`,
      `| -------- | ${CATEGORIES.map(() => '---').join(' | ')} | --- |`,
      ...rows,
      failing.length > 0
        ? `Scored audits below full marks in the fastest run:\n${failing.join('\n')}`
        : 'Every scored audit has full marks.',
      ...(unscored.length > 0 ? [`Unscored audits below full marks:\n${unscored.join('\n')}`] : []),
      `Address audits (1 = pass):\n${notes.join('\n')}`,
      ...(reruns.length > 0 ? [`Runs repeated:\n${reruns.join('\n')}`] : []),
    ].join('\n'),
  )
  assert.deepEqual(low, [], `Lighthouse categories below ${MINIMUM}: ${low.join(', ')}`)
})
