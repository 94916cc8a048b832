// Owns browser tests' setup: Debian's Chromium through playwright-core, and a real Folio server on a random port.
import { existsSync } from 'node:fs'
import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
  type Response,
} from 'playwright-core'
import { buildApp } from '../../src/app.ts'
import type { Config } from '../../src/config.ts'
import type { Db } from '../../src/db/client.ts'
import { passkeys } from '../../src/db/schema.ts'
import { recordSecurityEvent } from '../../src/features/auth/security-events.ts'
import { createSession, SESSION_COOKIE } from '../../src/features/auth/sessions.ts'
import { createUser, findUserByEmail, issueSetupToken } from '../../src/features/auth/users.ts'
import { receiveMessage } from '../../src/features/contact/service.ts'
import { listRevisions, savePostWithRevision } from '../../src/features/content/revisions.ts'
import { markdownFor } from '../../src/features/media/render.ts'
import { saveUpload } from '../../src/features/media/service.ts'
import { seedDemoContent } from '../../src/features/seed/demo.ts'
import { pageUrl, postUrl, seriesUrl, tagUrl } from '../../src/lib/urls.ts'
import { createTestDb, testConfig } from './app.ts'
import { createResponse } from './fixtures.ts'
import { addFollower } from './followers.ts'
import { freePort } from './processes.ts'
import { SHOWCASE_SMTP_URL, seedReaders } from './showcase-readers.ts'

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
  // Chromium keeps preconnected sockets that never send a request; Node counts them as busy, not
  // idle, so app.close() alone would wait for them while the browser holding them waits for its
  // own after() hook (hooks run in the order they were added). Closing drops them.
  t.after(async () => {
    const closing = app.close()
    app.server.closeAllConnections()
    await closing
  })
  return { app, db, config, baseUrl, dir }
}

/** A session cookie for `site`'s author (created here), signed in the way sign-in does: add it to a browser context. */
export async function authorSessionCookie(
  site: Pick<LiveSite, 'db' | 'baseUrl'>,
): Promise<{ name: string; value: string; url: string }> {
  const user = await createUser(site.db, {
    name: 'Sam Rivera',
    email: 'author@example.com',
    password: 'correct horse battery staple',
  })
  const { token } = createSession(site.db, user.id, { userAgent: 'Chromium', ip: '127.0.0.1' })
  return { name: SESSION_COOKIE, value: token, url: site.baseUrl }
}

/** Headless Chromium, closed when the test ends. */
/** A live site, a browser, and `author()`: a new page (with `openPage`'s options) signed in as the site's author. */
export async function startAuthorSite(t: TestContext) {
  const site = await startSite(t)
  const cookie = await authorSessionCookie(site)
  const browser = await launchBrowser(t)
  const author = async (options: Parameters<typeof openPage>[1] = {}) => {
    const { context, page } = await openPage(browser, options)
    await context.addCookies([cookie])
    return page
  }
  return { site, author }
}

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

// ---- A showcase site for accessibility, Lighthouse, HTML validity and screenshot tests: realistic demo
// content, an article with code and an image, a contact message, revisions, and a signed-in author.

/** One state of one page, as a person reaches it: a plain visit, or a form sent with bad data. */
export interface PageVisit {
  readonly name: string
  readonly url: string
  /** Expected status of the page's final response (200 unless told). */
  readonly status?: number
  /** Needs the author's session cookie. */
  readonly admin?: boolean
  /** Reaches the state from the already-loaded `url` (e.g. submits a form); returns the final response. */
  readonly act?: (page: Page) => Promise<Response | null>
}

export interface Showcase {
  readonly site: LiveSite
  /** The author's session cookie, for `context.addCookies`. */
  readonly sessionCookie: { name: string; value: string; url: string }
  /** An article with headings, code blocks and an image. */
  readonly articlePath: string
  readonly public: readonly PageVisit[]
  readonly admin: readonly PageVisit[]
}

/** Submits the page's form after `fill` and returns the response of the navigation it causes. */
async function submitForm(
  page: Page,
  form: string,
  fill: (page: Page) => Promise<void>,
): Promise<Response | null> {
  await fill(page)
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.locator(`${form} button[type="submit"]`).first().click(),
  ])
  return response
}

/** A 1200×675 PNG that looks like a photo (gradients and shapes), so screenshots show a real image. */
async function showcasePng(): Promise<Buffer> {
  const width = 1200
  const height = 675
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1f4fd1"/><stop offset="1" stop-color="#f59e0b"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  <circle cx="860" cy="250" r="150" fill="#fbfaf7" fill-opacity="0.85"/>
  <rect x="120" y="380" width="560" height="180" rx="24" fill="#16181d" fill-opacity="0.7"/>
</svg>`
  const { default: sharp } = await import('sharp')
  return sharp(Buffer.from(svg)).png().toBuffer()
}

/** A wide JPEG for the showcase article's feature image: larger than any screen shows it, as authors upload them. */
async function showcaseFeatureJpeg(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1260">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#fde7c4"/><stop offset="1" stop-color="#f08a5d"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#sky)"/>
  <circle cx="1650" cy="520" r="210" fill="#fff6e0"/>
  <path d="M0 900 Q 600 640 1200 880 T 2400 820 V 1260 H 0 Z" fill="#2b3a55"/>
  <path d="M0 1040 Q 700 860 1400 1010 T 2400 980 V 1260 H 0 Z" fill="#16213a"/>
</svg>`
  const { default: sharp } = await import('sharp')
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer()
}

// Paragraphs on one line each, as people type them into the editor.
const SHOWCASE_BODY = (
  imageMarkdown: string,
) => `Most Node.js services reach for Postgres on day one. For a blog, a shop with a few thousand orders a day, or an internal tool, SQLite in WAL mode is faster, cheaper and has one less thing to break at three in the morning.

${imageMarkdown}

## Turning on WAL mode

Write-ahead logging lets readers keep reading while one writer writes. Set it once when the connection opens, together with a busy timeout so a writer waits instead of failing. Then check the journal mode, because a read-only file system or an old SQLite quietly keeps the rollback journal:

\`\`\`ts
import Database from 'better-sqlite3'

export function openDatabase(path: string): Database.Database {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000') // wait up to five seconds for the write lock
  db.pragma('synchronous = FULL')
  return db
}
\`\`\`

Check that it took effect with \`PRAGMA journal_mode;\` in the shell:

\`\`\`bash
sqlite3 data/folio.db 'PRAGMA journal_mode;'   # prints "wal"
\`\`\`

## What to measure

Numbers from your own machine beat any benchmark on the internet. Run the test against a copy of production data, on the same size of server you deploy to, and write down three figures before you change anything:

- Requests per second for your slowest read.
- The 99th percentile latency while a write runs.
- The size of the WAL file after an hour of traffic.

> Measure before you migrate: most "SQLite does not scale" stories are a missing index.

| setting | default | recommended |
| --- | --- | --- |
| journal_mode | delete | wal |
| synchronous | full | full |
`

/**
 * Starts Folio with demo content and everything the page-type tests visit. `env` reaches the config
 * (Lighthouse runs with NODE_ENV=production). The setup page needs a site without accounts, so it
 * gets a second, empty site.
 */
export async function startShowcase(t: TestContext, env: Record<string, string> = {}): Promise<Showcase> {
  // With mail configured, as a real site would be: the subscribe form shows on home and post pages.
  const site = await startSite(t, { SMTP_URL: SHOWCASE_SMTP_URL, ...env })
  const { db } = site
  const now = new Date()
  seedDemoContent(db, { posts: 24, now })

  const image = await saveUpload(db, site.config.mediaDir, {
    buffer: await showcasePng(),
    originalName: 'wal-diagram.png',
    alt: 'A diagram: readers keep reading from the database while one writer appends to the WAL file',
  })
  const feature = await saveUpload(db, site.config.mediaDir, {
    buffer: await showcaseFeatureJpeg(),
    originalName: 'dusk-over-the-hills.jpg',
    alt: 'A pale sun setting behind two dark blue hills under an orange sky',
  })
  const input = {
    featureImage: String(feature.id),
    title: 'Why SQLite in WAL mode is enough for most web apps',
    kind: 'article' as const,
    bodyMd: SHOWCASE_BODY(markdownFor(image)),
    excerptMd: 'One file, no server, thousands of writes a second: how far WAL mode takes a web app.',
    tags: ['sqlite', 'performance', 'node'],
    status: 'published' as const,
    publishedAt: new Date(now.getTime() - 60 * 60 * 1000),
  }
  // A first draft with another title and no "What to measure" section, so the revision shows a diff.
  const draft = {
    ...input,
    title: 'SQLite in WAL mode',
    bodyMd: input.bodyMd.replace(/## What to measure[\s\S]*$/, 'More on measuring soon.\n'),
  }
  const articleId = savePostWithRevision(db, draft, { now })
  savePostWithRevision(db, input, { id: articleId, now: new Date(now.getTime() + 1000) })
  const revision = listRevisions(db, articleId).at(-1)
  const articleSlug = (
    db.$client.prepare('select slug from posts where id = ?').get(articleId) as { slug: string }
  ).slug

  const one = <T>(sql: string): T => {
    const row = db.$client.prepare(sql).get() as T | undefined
    if (row === undefined) throw new Error(`the showcase has no row for: ${sql}`)
    return row
  }
  const linkPost = one<{ slug: string }>(
    "select slug from posts where kind = 'link' and status = 'published' and published_at <= unixepoch() * 1000 order by published_at desc limit 1",
  )
  const seriesRow = one<{ slug: string }>(
    "select s.slug from series s join posts p on p.series_id = s.id where p.status = 'published' limit 1",
  )
  const tag = one<{ slug: string }>(
    'select t.slug from tags t join post_tags pt on pt.tag_id = t.id group by t.id order by count(*) desc limit 1',
  )
  const pageRow = one<{ id: number; slug: string }>(
    "select id, slug from pages where status = 'published' order by nav_order limit 1",
  )

  const message = receiveMessage(
    db,
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      subject: 'A performance audit',
      body: 'Hello!\n\nOur shop takes eight seconds to load on a phone. Could you have a look next month?\n\nAda',
    },
    { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', spam: { score: 0, reasons: [], isSpam: false } },
  )
  receiveMessage(
    db,
    {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      subject: '',
      body: 'Do you take on maintenance work for existing Fastify apps?',
    },
    { ip: '203.0.113.8', userAgent: 'Mozilla/5.0', spam: { score: 0, reasons: [], isSpam: false } },
  )

  // The article's conversation: an approved reply and like show under it; a pending reply waits in /admin/responses.
  createResponse(db, articleId, {
    status: 'approved',
    authorName: 'Dana Okafor',
    authorUrl: 'https://dana.example/',
    sourceUrl: 'https://dana.example/notes/wal-mode',
    contentHtml: '<p>We moved our job queue to SQLite in WAL mode last year: no regrets.</p>',
  })
  // A reply from the fediverse to Dana's, shown in the thread under it.
  createResponse(db, articleId, {
    status: 'approved',
    source: 'activitypub',
    authorName: 'Lin Park',
    authorUrl: 'https://social.example/@lin',
    actorId: 'https://social.example/users/lin',
    sourceUrl: 'https://social.example/users/lin/statuses/42',
    inReplyTo: 'https://dana.example/notes/wal-mode',
    contentHtml: '<p>Same here. The busy timeout was the only setting we had to think about.</p>',
  })
  createResponse(db, articleId, { status: 'approved', kind: 'like', contentHtml: '' })
  // Followers on Mastodon: one following, one waiting for the author's approval.
  addFollower(db, 'https://social.example', { name: 'Lin Park', handle: '@lin@social.example' })
  addFollower(db, 'https://hachyderm.example', {
    name: 'Ola Berg',
    handle: '@ola@hachyderm.example',
    status: 'pending',
  })
  createResponse(db, articleId, {
    authorName: 'Sam Lee',
    authorUrl: 'https://sam.example/',
    sourceUrl: 'https://sam.example/2026/replies/7',
    contentHtml: '<p>How does this hold up with many writers?</p>',
  })

  const sessionCookie = await authorSessionCookie(site)
  // The account page with a passkey and its sign-in changes listed, as after a first week of use.
  const author = findUserByEmail(db, 'author@example.com')
  if (!author) throw new Error('the showcase author is missing')
  db.insert(passkeys)
    .values({
      userId: author.id,
      credentialId: 'c2hvd2Nhc2UtcGFzc2tleQ',
      publicKey: 'cHVibGljLWtleQ',
      name: 'MacBook Touch ID',
      createdAt: new Date(now.getTime() - 6 * 86_400_000),
      lastUsedAt: new Date(now.getTime() - 3_600_000),
    })
    .run()
  recordSecurityEvent(db, author.id, 'passkey-added', {
    detail: 'MacBook Touch ID',
    ip: '127.0.0.1',
    now: new Date(now.getTime() - 6 * 86_400_000),
  })
  recordSecurityEvent(db, author.id, 'passkey-sign-in', {
    detail: 'MacBook Touch ID',
    ip: '127.0.0.1',
    now: new Date(now.getTime() - 3_600_000),
  })
  const readers = seedReaders(
    db,
    ['/', postUrl(articleSlug), postUrl(linkPost.slug), pageUrl(pageRow.slug)],
    now,
  )

  // The setup page only exists while no account does: a second, empty site shows it.
  const setupSite = await startSite(t, env)
  const setupToken = issueSetupToken(setupSite.db)
  if (!setupToken) throw new Error('the setup site already has an account')

  const u = (path: string) => `${site.baseUrl}${path}`
  const articlePath = postUrl(articleSlug)
  return {
    site,
    sessionCookie,
    articlePath,
    public: [
      { name: 'home', url: u('/') },
      { name: 'posts', url: u('/posts') },
      { name: 'posts-page-2', url: u('/posts?page=2') },
      { name: 'article', url: u(articlePath) },
      { name: 'link-post', url: u(postUrl(linkPost.slug)) },
      { name: 'tags', url: u('/tags') },
      { name: 'tag', url: u(tagUrl(tag.slug)) },
      { name: 'series', url: u(seriesUrl(seriesRow.slug)) },
      { name: 'page', url: u(pageUrl(pageRow.slug)) },
      { name: 'search', url: u('/search?q=sqlite') },
      { name: 'search-empty', url: u('/search') },
      { name: 'search-no-results', url: u('/search?q=zzzyqxw') },
      { name: 'not-found', url: u('/posts/no-such-post'), status: 404 },
      { name: 'contact', url: u('/contact') },
      {
        name: 'contact-errors',
        url: u('/contact'),
        status: 422,
        act: (page) =>
          submitForm(page, '.contact-form', async (p) => {
            await p.fill('#contact-name', 'Ada')
            await p.fill('#contact-email', 'not-an-email')
            await p.fill('#contact-message', 'Too short')
          }),
      },
      { name: 'contact-thanks', url: u('/contact/thanks') },
      { name: 'subscribe', url: u('/subscribe') },
      {
        name: 'subscribe-errors',
        url: u('/subscribe'),
        status: 422,
        act: (page) =>
          submitForm(page, '.subscribe-page form', async (p) => {
            await p.fill('#subscribe-email', 'not-an-email')
          }),
      },
      { name: 'subscribe-thanks', url: u('/subscribe/thanks') },
      { name: 'subscribe-confirm', url: u(readers.confirmPath) },
      { name: 'unsubscribe', url: u(readers.unsubscribePath) },
    ],
    admin: [
      { name: 'admin-login', url: u('/admin/login') },
      {
        name: 'admin-setup',
        url: `${setupSite.baseUrl}/admin/setup?token=${encodeURIComponent(setupToken)}`,
      },
      { name: 'admin-dashboard', url: u('/admin'), admin: true },
      { name: 'admin-posts', url: u('/admin/posts'), admin: true },
      { name: 'admin-post-new', url: u('/admin/posts/new'), admin: true },
      { name: 'admin-post-edit', url: u(`/admin/posts/${articleId}`), admin: true },
      {
        name: 'admin-post-errors',
        url: u('/admin/posts/new'),
        admin: true,
        status: 422,
        act: (page) =>
          submitForm(page, '#post-form', async (p) => {
            await p.fill('#title', '')
            await p.check('#kind-link')
            await p.fill('#body', 'A link post without its link.')
          }),
      },
      { name: 'admin-revisions', url: u(`/admin/posts/${articleId}/revisions`), admin: true },
      { name: 'admin-revision', url: u(`/admin/posts/${articleId}/revisions/${revision?.id}`), admin: true },
      { name: 'admin-pages', url: u('/admin/pages'), admin: true },
      { name: 'admin-page-edit', url: u(`/admin/pages/${pageRow.id}`), admin: true },
      { name: 'admin-media', url: u('/admin/media'), admin: true },
      { name: 'admin-media-item', url: u(`/admin/media/${image.id}`), admin: true },
      { name: 'admin-inbox', url: u('/admin/inbox'), admin: true },
      { name: 'admin-message', url: u(`/admin/inbox/${message.id}`), admin: true },
      { name: 'admin-responses', url: u('/admin/responses'), admin: true },
      { name: 'admin-followers', url: u('/admin/followers'), admin: true },
      { name: 'admin-followers-pending', url: u('/admin/followers?status=pending'), admin: true },
      { name: 'admin-stats', url: u('/admin/stats'), admin: true },
      { name: 'admin-stats-year', url: u('/admin/stats?range=365'), admin: true },
      { name: 'admin-subscribers', url: u('/admin/subscribers'), admin: true },
      { name: 'admin-subscribers-pending', url: u('/admin/subscribers?status=pending'), admin: true },
      { name: 'admin-settings', url: u('/admin/settings'), admin: true },
      { name: 'admin-account', url: u('/admin/account'), admin: true },
    ],
  }
}

/** Opens a visit in `page` (which must carry the author's cookie for admin visits); returns the final response. */
export async function openVisit(page: Page, visit: PageVisit): Promise<Response | null> {
  const first = await page.goto(visit.url)
  if (!visit.act) return first
  return visit.act(page)
}

/** How long a journey step may wait for a page, an element or a request before the test fails. */
export const STEP_TIMEOUT_MS = 15_000

/** A fresh context (see newContext) and its first page, with every wait capped at STEP_TIMEOUT_MS. */
export async function openPage(
  browser: Browser,
  options: Parameters<typeof newContext>[1] = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, options)
  context.setDefaultTimeout(STEP_TIMEOUT_MS)
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS)
  const page = await context.newPage()
  return { context, page }
}

/** Waits until `locator` is visible and returns its text, so assertions read what a person sees. */
export async function visibleText(locator: Locator): Promise<string> {
  await locator.waitFor({ state: 'visible' })
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText is the rendered text, which is the point.
  return (await locator.innerText()).trim()
}

/** Rows in the messages table, for checking that a contact form sent exactly once. */
export function countMessages(db: Db, folder?: 'inbox' | 'archived' | 'spam'): number {
  const row = folder
    ? db.$client.prepare('select count(*) as n from messages where folder = ?').get(folder)
    : db.$client.prepare('select count(*) as n from messages').get()
  return (row as { n: number }).n
}

/**
 * Headless Chromium with the back/forward cache on, as in a person's Chrome (Playwright turns it off),
 * for tests of what Back shows; closed when the test ends.
 */
export async function launchBrowserWithBackForwardCache(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  })
  t.after(() => browser.close())
  return browser
}
