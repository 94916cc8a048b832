// Owns what the stats tests share: an app with an injected clock, a reader's and a bot's headers, and reading the stats tables.
import type { TestContext } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { type BuildOptions, buildApp } from '../../../src/app.ts'
import type { Config } from '../../../src/config.ts'
import type { Db } from '../../../src/db/client.ts'
import { STATS_SOURCE_KIND } from '../../../src/db/schema.ts'
import { dayNumber } from '../../../src/features/stats/days.ts'
import type { StatsTuning } from '../../../src/features/stats/plugin.ts'
import { createTestDb, testConfig } from '../../helpers/app.ts'

/** What a browser sends with a page request. */
export const READER: Record<string, string> = {
  'user-agent':
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'accept-language': 'en-GB,en;q=0.9',
  accept: 'text/html,application/xhtml+xml',
}

export const OTHER_BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'

export const GOOGLEBOT =
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/124.0 Safari/537.36'

/** A clock a test moves by hand. */
export interface Clock {
  now(): Date
  set(iso: string): void
}

export function clockAt(iso: string): Clock {
  let at = new Date(iso)
  return {
    now: () => new Date(at),
    set(next) {
      at = new Date(next)
    },
  }
}

export interface StatsApp {
  readonly app: FastifyInstance
  readonly db: Db
  readonly config: Config
  readonly dir: string
  readonly path: string
}

/** The app on a fresh database, with the stats counter's clock and flush interval given (buildApp's `stats`). */
export async function createStatsApp(
  t: TestContext,
  options: { env?: Record<string, string>; stats?: StatsTuning; prepare?: (db: Db) => void } = {},
): Promise<StatsApp> {
  const { db, dir, path } = createTestDb(t)
  options.prepare?.(db)
  const config = testConfig(dir, options.env)
  const build = { config, db, stats: options.stats } as BuildOptions
  const app = await buildApp(build)
  t.after(() => app.close())
  return { app, db, config, dir, path }
}

/** A page request as a reader's browser makes it; `headers` add to or replace the reader's. */
export function visit(
  app: FastifyInstance,
  url: string,
  headers: Record<string, string> = {},
  remoteAddress = '203.0.113.7',
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: { ...READER, ...headers }, remoteAddress })
}

export const one = <T>(db: Db, sql: string, ...params: unknown[]): T | undefined =>
  db.$client.prepare(sql).get(...params) as T | undefined

export const all = <T>(db: Db, sql: string, ...params: unknown[]): T[] =>
  db.$client.prepare(sql).all(...params) as T[]

/** Views, visitors and bot views for `day` ('YYYY-MM-DD'; zeros when the day has no row). */
export function dayRow(db: Db, day: string): { views: number; visitors: number; botViews: number } {
  return (
    one(
      db,
      'select views, visitors, bot_views as botViews from stats_days where day = ?',
      dayNumber(day),
    ) ?? {
      views: 0,
      visitors: 0,
      botViews: 0,
    }
  )
}

export function pathRow(
  db: Db,
  day: string,
  path: string,
): { views: number; visitors: number; reads: number } {
  return (
    one(
      db,
      `select views, visitors, reads from stats_paths join stats_labels l on l.id = path_id
       where day = ? and l.text = ?`,
      dayNumber(day),
      path,
    ) ?? {
      views: 0,
      visitors: 0,
      reads: 0,
    }
  )
}

/** Every stored source row as text, in a stable order: what the stats page would name. */
export function sourceRows(db: Db): { kind: string; value: string; views: number; path: string }[] {
  const kindName = new Map(Object.entries(STATS_SOURCE_KIND).map(([name, n]) => [n as number, name]))
  return all<{ kind: number; value: string; views: number; path: string }>(
    db,
    `select s.kind, v.text as value, s.views, p.text as path
     from stats_sources s join stats_labels v on v.id = s.value_id join stats_labels p on p.id = s.path_id`,
  )
    .map((row) => ({ ...row, kind: kindName.get(row.kind) ?? String(row.kind) }))
    .sort((x, y) => {
      const [a, b] = [`${x.kind} ${x.value} ${x.path}`, `${y.kind} ${y.value} ${y.path}`]
      return a < b ? -1 : a > b ? 1 : 0
    })
}

/** Every stored page row's path and views, by path. */
export const pathViews = (db: Db): { path: string; views: number }[] =>
  all<{ path: string; views: number }>(
    db,
    'select l.text as path, views from stats_paths join stats_labels l on l.id = path_id order by path',
  ).map((row) => ({ ...row }))

/** Total views stored across every day. */
export const totalViews = (db: Db): number =>
  (one<{ n: number | null }>(db, 'select sum(views) as n from stats_days')?.n ?? 0) as number

/** The site's day for a real-clock test (UTC, the default timezone). */
export const today = (): string => new Date().toISOString().slice(0, 10)

/** Total changes and data_version: both unchanged means nothing was written by anyone. */
export function writeMarks(db: Db): string {
  return JSON.stringify(
    db.$client
      .prepare('select (select data_version from pragma_data_version) as v, total_changes() as c')
      .get(),
  )
}

/** Noon (UTC) of the real today: a fixed clock under which posts made "days ago" are already public. */
export const noonToday = (): string => `${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`
