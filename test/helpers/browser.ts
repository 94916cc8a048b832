// Owns browser tests' setup: Debian's Chromium through playwright-core, and a real Folio server on a random port.
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { type Browser, type BrowserContext, chromium } from 'playwright-core'
import { buildApp } from '../../src/app.ts'
import type { Config } from '../../src/config.ts'
import type { Db } from '../../src/db/client.ts'
import { createTestDb, testConfig } from './app.ts'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Flags that keep headless Chromium from stalling on this machine's closed network: no
 * background connections, no component updates, no sync, a fresh profile every launch.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
]

/**
 * Skips the test loudly when Chromium is missing; with CI=true a missing browser is a failure,
 * because .ci/run installs it.
 */
export function requireChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM_PATH)) return true
  const reason = `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install chromium)`
  if (process.env.CI === 'true') throw new Error(`${reason}. Browser tests are required in CI.`)
  console.warn(`\n*** SKIPPED browser test "${t.name}": ${reason} ***\n`)
  t.skip(reason)
  return false
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

export interface LiveSite {
  readonly app: FastifyInstance
  readonly db: Db
  readonly config: Config
  readonly baseUrl: string
  readonly dir: string
}

/** A real Folio listening on 127.0.0.1 with its own fresh database; closed when the test ends. */
export async function startSite(t: TestContext, env: Record<string, string> = {}): Promise<LiveSite> {
  const { db, dir } = createTestDb(t)
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const config = testConfig(dir, { SITE_URL: baseUrl, ...env })
  const app = await buildApp({ config, db })
  await app.listen({ port, host: '127.0.0.1' })
  t.after(() => app.close())
  return { app, db, config, baseUrl, dir }
}

/** Headless Chromium, closed when the test ends. */
export async function launchBrowser(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  })
  t.after(() => browser.close())
  return browser
}

/** A browser context with JavaScript on or off, phone or desktop sized. */
export async function newContext(
  browser: Browser,
  options: { javaScript?: boolean; width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
  })
}
