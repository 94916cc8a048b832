// Owns rendering stored posts, pages, series descriptions and Markdown settings again through today's pipeline: HTML only, never an author's edit.
import { setTimeout as sleep } from 'node:timers/promises'
import { and, eq, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/client.ts'
import { type Media, pages, posts, series } from '../../db/schema.ts'
import { MarkdownLimitError } from '../../lib/markdown-limits.ts'
import { plural } from '../../lib/text.ts'
import { contentUsingImage } from '../media/usage.ts'
import { rerenderSettings } from '../settings/service.ts'
import { renderPageHtml } from './pages.ts'
import { ContentInputError, postSearchText, renderPostHtml } from './posts.ts'
import { renderSeriesDescription } from './series.ts'

/** What could not be rendered again: it keeps the HTML it had. `name` is a slug or a setting's key. */
export interface RerenderFailure {
  readonly kind: 'post' | 'page' | 'series' | 'setting'
  readonly name: string
  readonly message: string
}

export interface RerenderReport {
  readonly posts: number
  readonly pages: number
  readonly series: number
  readonly settings: number
  /** How many of those now have different HTML. */
  readonly changed: number
  readonly failures: readonly RerenderFailure[]
  readonly milliseconds: number
}

type Outcome = 'changed' | 'unchanged' | 'gone'

/**
 * Renders one post's Markdown again and stores its HTML, excerpt, reading time and search text.
 * The Markdown must still be what was rendered: a save in the meantime already stored fresher HTML.
 * No revision, and `updated_at` stays: the author changed nothing. Over a limit: ContentInputError.
 */
export async function rerenderPost(db: Db, id: number): Promise<Outcome> {
  const post = db.select().from(posts).where(eq(posts.id, id)).get()
  if (!post) return 'gone'
  const html = await renderPostHtml(db, post)
  const values = {
    bodyHtml: html.body.html,
    excerptHtml: html.body.excerptHtml,
    hasMore: html.body.hasMore,
    quoteHtml: html.quoteHtml,
    readingMinutes: html.body.readingMinutes,
  }
  if (Object.entries(values).every(([key, value]) => post[key as keyof typeof values] === value))
    return 'unchanged'
  return db.transaction((tx) => {
    const sameMarkdown = and(
      eq(posts.id, id),
      eq(posts.bodyMd, post.bodyMd),
      eq(posts.excerptMd, post.excerptMd),
      eq(posts.quoteMd, post.quoteMd),
    )
    if (tx.update(posts).set(values).where(sameMarkdown).run().changes === 0) return 'gone'
    tx.run(sql`UPDATE posts_fts SET body = ${postSearchText(html)} WHERE rowid = ${id}`)
    return 'changed'
  })
}

/** The same for a page's body (see rerenderPost). */
export async function rerenderPage(db: Db, id: number): Promise<Outcome> {
  const page = db
    .select({ bodyMd: pages.bodyMd, bodyHtml: pages.bodyHtml })
    .from(pages)
    .where(eq(pages.id, id))
    .get()
  if (!page) return 'gone'
  const bodyHtml = await renderPageHtml(db, page.bodyMd)
  if (bodyHtml === page.bodyHtml) return 'unchanged'
  const stored = db
    .update(pages)
    .set({ bodyHtml })
    .where(and(eq(pages.id, id), eq(pages.bodyMd, page.bodyMd)))
    .run()
  return stored.changes > 0 ? 'changed' : 'gone'
}

/** The same for a series' description. */
async function rerenderSeries(db: Db, id: number): Promise<Outcome> {
  const row = db.select().from(series).where(eq(series.id, id)).get()
  if (!row) return 'gone'
  const descriptionHtml = await renderSeriesDescription(db, row.descriptionMd)
  if (descriptionHtml === row.descriptionHtml) return 'unchanged'
  const stored = db
    .update(series)
    .set({ descriptionHtml })
    .where(and(eq(series.id, id), eq(series.descriptionMd, row.descriptionMd)))
    .run()
  return stored.changes > 0 ? 'changed' : 'gone'
}

interface Target {
  readonly kind: 'post' | 'page' | 'series'
  readonly id: number
  readonly name: string
}

export interface RerenderOptions {
  /** Items rendered at once: 1 leaves the worker pool free for the author's saves; more keep it busy. */
  readonly concurrency?: number
  /** Called after each item with how many of `total` are done. */
  readonly onProgress?: (done: number, total: number) => void
}

const RENDERERS = { post: rerenderPost, page: rerenderPage, series: rerenderSeries } as const

/** How the pool says it is full: the author's own saves come first, so this waits its turn. */
const BUSY = new MarkdownLimitError('busy').message

async function renderPatiently(db: Db, target: Target): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await RENDERERS[target.kind](db, target.id)
    } catch (error) {
      if (!(error instanceof ContentInputError && error.message === BUSY) || attempt === 5) throw error
      await sleep(attempt * 500)
    }
  }
}

/** Renders the targets; text over a limit is a failure to report, not a reason to stop. */
async function rerenderTargets(
  db: Db,
  targets: readonly Target[],
  options: RerenderOptions,
): Promise<{ changed: number; failures: RerenderFailure[] }> {
  let changed = 0
  let next = 0
  let done = 0
  const failures: RerenderFailure[] = []
  const runner = async () => {
    for (let target = targets[next++]; target; target = targets[next++]) {
      try {
        if ((await renderPatiently(db, target)) === 'changed') changed++
      } catch (error) {
        if (!(error instanceof ContentInputError)) throw error
        failures.push({ kind: target.kind, name: target.name, message: error.message })
      }
      options.onProgress?.(++done, targets.length)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, runner))
  return { changed, failures }
}

/** `npm run cli -- rerender`: every post, page, series description and Markdown setting. */
export async function rerenderEverything(db: Db, options: RerenderOptions = {}): Promise<RerenderReport> {
  const started = performance.now()
  const targets = db.all<Target>(sql`
    select 'post' as kind, ${posts.id} as id, ${posts.slug} as name from ${posts}
    union all select 'page', ${pages.id}, ${pages.slug} from ${pages}
    union all select 'series', ${series.id}, ${series.slug} from ${series}`)
  // Nobody waits on the operator's command: enough at once to keep the worker pool busy.
  const result = await rerenderTargets(db, targets, { concurrency: 2, ...options })
  const settings = await rerenderSettings(db)
  const count = (kind: Target['kind']) => targets.filter((target) => target.kind === kind).length
  return {
    posts: count('post'),
    pages: count('page'),
    series: count('series'),
    settings: settings.rendered,
    changed: result.changed + settings.changed,
    failures: [
      ...result.failures,
      ...settings.problems.map((p) => ({
        kind: 'setting' as const,
        name: String(p.path[0]),
        message: p.message,
      })),
    ],
    milliseconds: performance.now() - started,
  }
}

/** What the command prints: the counts and time on stdout, each failure on stderr. */
export function describeRerender(report: RerenderReport): { out: string; err: string } {
  const seconds = (report.milliseconds / 1000).toFixed(1)
  const out =
    `Re-rendered ${plural(report.posts, 'post')}, ${plural(report.pages, 'page')}, ` +
    `${plural(report.series, 'series description', 'series descriptions')} and ` +
    `${plural(report.settings, 'Markdown setting')} in ${seconds}s; ${report.changed} changed.`
  const err = report.failures.map((f) => `Left as it was: ${f.kind} "${f.name}": ${f.message}`).join('\n')
  return { out, err }
}

const queues = new WeakMap<Db, Promise<void>>()

/**
 * After an image's alt text changed: renders again, off the request path, every post and page that
 * mentions it, so `![](…)` without alt text of its own shows the new description. Jobs run one
 * after another per database, so the last alt text saved is the one stored. Failures are logged;
 * `npm run cli -- rerender` repairs anything a crash left behind.
 */
export function rerenderWhereImageUsed(
  db: Db,
  image: Pick<Media, 'id' | 'fileName' | 'variants'>,
  log: FastifyBaseLogger,
): void {
  const job = async () => {
    const { postIds, pageIds } = contentUsingImage(db, image)
    const name = (kind: 'post' | 'page') => (id: number) => ({ kind, id, name: String(id) })
    const targets = [...postIds.map(name('post')), ...pageIds.map(name('page'))]
    const { failures } = await rerenderTargets(db, targets, {})
    for (const failure of failures)
      log.warn({ failure, mediaId: image.id }, 'could not render again after an alt text change')
  }
  const next = (queues.get(db) ?? Promise.resolve())
    .then(job)
    .catch((err: unknown) =>
      log.error({ err, mediaId: image.id }, 'rendering again after an alt text change failed'),
    )
  queues.set(db, next)
}

/** Resolves once every re-render queued for `db` has finished: for shutdown and tests. */
export const rerendersSettled = (db: Db): Promise<void> => queues.get(db) ?? Promise.resolve()
