// Owns building a Folio app for a test: its own migrated database file, closed afterwards.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { type Config, loadConfig } from '../../src/config.ts'
import { closeDatabase, type Db, openDatabase } from '../../src/db/client.ts'
import { migrateDatabase } from '../../src/db/migrate.ts'
import { loadMarkdownPipeline } from '../../src/lib/markdown-here.ts'

// Tests save posts, pages and settings through the same functions the CLI uses, which render on this thread.
await loadMarkdownPipeline()

let templatePath: string | undefined

/** Migrating once per test process and copying the file per test keeps each test's database fresh and cheap. */
function migratedTemplate(): string {
  if (templatePath) return templatePath
  const dir = mkdtempSync(join(tmpdir(), 'folio-template-'))
  const path = join(dir, 'template.db')
  const db = openDatabase(path)
  migrateDatabase(db)
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  db.$client.pragma('journal_mode = DELETE')
  closeDatabase(db)
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  templatePath = path
  return path
}

export interface TestDb {
  readonly db: Db
  readonly dir: string
  readonly path: string
}

/** A temporary folder for a test's own files (a database it builds itself, media), removed afterwards. */
export function scratchDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'folio-scratch-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A fresh, migrated database in its own temporary directory, removed when the test ends. */
export function createTestDb(t: TestContext): TestDb {
  const dir = mkdtempSync(join(tmpdir(), 'folio-test-'))
  const path = join(dir, 'folio.db')
  copyFileSync(migratedTemplate(), path)
  const db = openDatabase(path)
  t.after(() => {
    closeDatabase(db)
    rmSync(dir, { recursive: true, force: true })
  })
  return { db, dir, path }
}

/** How many rows `table` holds. */
export const rowCount = (db: Db, table: string): number =>
  db.$client.prepare(`select count(*) from "${table}"`).pluck().get() as number

export function testConfig(dir: string, env: Record<string, string> = {}): Config {
  mkdirSync(join(dir, 'media'), { recursive: true })
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SITE_URL: 'https://blog.example.com',
    DATABASE_PATH: join(dir, 'folio.db'),
    MEDIA_DIR: join(dir, 'media'),
    ...env,
  })
}

export interface TestApp {
  readonly app: FastifyInstance
  readonly db: Db
  readonly config: Config
}

/** Builds the app on a fresh database; `fastify.inject` needs no port. */
export async function createTestApp(t: TestContext, env: Record<string, string> = {}): Promise<TestApp> {
  const { db, dir } = createTestDb(t)
  const config = testConfig(dir, env)
  const app = await buildApp({ config, db })
  t.after(() => app.close())
  return { app, db, config }
}
