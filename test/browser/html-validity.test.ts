// Checks that every public page type and every admin page is valid HTML, with the Nu Html Checker
// (vnu-jar) run once over the HTML exactly as the server sent it.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { promisify } from 'node:util'
import { launchBrowser, newContext, openVisit, requireChromium, startShowcase } from '../helpers/browser.ts'

const run = promisify(execFile)
const require = createRequire(import.meta.url)
/** vnu-jar's main module is the path of its vnu.jar (node_modules/vnu-jar/build/dist/vnu.jar). */
const VNU_JAR = String(require('vnu-jar'))

interface VnuMessage {
  readonly type: 'error' | 'info' | 'non-document-error'
  readonly subType?: 'warning' | 'fatal' | 'io' | 'schema' | 'internal'
  readonly url?: string
  readonly lastLine?: number
  readonly firstColumn?: number
  readonly message: string
  readonly extract?: string
}

/** Java runs the checker; without it the test is skipped loudly, and with CI=true it fails. */
async function requireJava(t: TestContext): Promise<boolean> {
  try {
    await run('java', ['-version'])
    return true
  } catch {
    const reason =
      'Java not found: the Nu Html Checker (vnu-jar) needs a Java runtime (apt-get install default-jre-headless)'
    if (process.env.CI === 'true') throw new Error(`${reason}. The HTML check is required in CI.`)
    console.warn(`\n*** SKIPPED "${t.name}": ${reason} ***\n`)
    t.skip(reason)
    return false
  }
}

test('every public and admin page is valid HTML (Nu Html Checker)', async (t) => {
  if (!requireChromium(t)) return
  if (!(await requireJava(t))) return
  const browser = await launchBrowser(t)
  const showcase = await startShowcase(t)
  const signedIn = await newContext(browser)
  await signedIn.addCookies([showcase.sessionCookie])
  const signedOut = await newContext(browser)
  const dir = mkdtempSync(join(tmpdir(), 'folio-html-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))

  const files = new Map<string, string>()
  const cookie = `${showcase.sessionCookie.name}=${showcase.sessionCookie.value}`
  for (const visit of [...showcase.public, ...showcase.admin]) {
    // The bytes the server sent, not the browser's re-serialised DOM: a plain GET for most pages, the
    // browser for states reached by sending a form (it keeps the form's cookies and fields).
    let status: number | undefined
    let html: string
    if (visit.act) {
      const page = await (visit.admin ? signedIn : signedOut).newPage()
      const response = await openVisit(page, visit)
      status = response?.status()
      html = (await response?.text()) ?? ''
      await page.close()
    } else {
      const response = await fetch(visit.url, { headers: visit.admin ? { cookie } : {}, redirect: 'manual' })
      status = response.status
      html = await response.text()
    }
    assert.equal(status, visit.status ?? 200, `${visit.name} (${visit.url}) answered ${status}`)
    const file = join(dir, `${visit.name}.html`)
    writeFileSync(file, html)
    files.set(file, visit.url)
  }

  // One JVM start for every page; --exit-zero-always because the JSON, not the exit code, says what is wrong.
  const result = await run(
    'java',
    ['-jar', VNU_JAR, '--format', 'json', '--stdout', '--exit-zero-always', ...files.keys()],
    {
      maxBuffer: 32 * 1024 * 1024,
    },
  )
  const { messages } = JSON.parse(result.stdout) as { messages: VnuMessage[] }
  const errors = messages.filter((m) => m.type !== 'info')
  const warnings = messages.filter((m) => m.type === 'info' && m.subType === 'warning')
  const where = (m: VnuMessage) => {
    const path = decodeURIComponent(new URL(m.url ?? 'file:///?').pathname)
    const name = path.split('/').pop() ?? path
    return `${name}:${m.lastLine ?? '?'}:${m.firstColumn ?? '?'} (${files.get(path) ?? ''})`
  }
  console.log(`vnu: checked ${files.size} pages; ${errors.length} errors, ${warnings.length} warnings`)
  for (const w of warnings) console.log(`  warning ${where(w)}: ${w.message}`)
  assert.equal(
    errors.length,
    0,
    `The Nu Html Checker found errors:\n${errors.map((e) => `  ${where(e)}: ${e.message}\n    ${(e.extract ?? '').replace(/\n/g, '⏎')}`).join('\n')}`,
  )
})
