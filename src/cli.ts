// Owns the operator's commands: `npm run cli -- <command>`.
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from './config.ts'
import { closeDatabase, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { seedDemoContent } from './features/seed/demo.ts'

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate              apply pending database migrations
  seed --posts N       add N realistic demo posts (and, on an empty site, demo pages and settings)
  help                 show this message

The database is DATABASE_PATH (default ./data/folio.db).`

class UsageError extends Error {}

function run(argv: string[]): number {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  const config = loadConfig(process.env)

  switch (command) {
    case 'migrate': {
      const db = openDatabase(config.databasePath)
      try {
        migrateDatabase(db)
      } finally {
        closeDatabase(db)
      }
      console.log(`Database ${config.databasePath} is up to date.`)
      return 0
    }
    case 'seed': {
      const { values } = parseArgs({
        args: rest,
        options: { posts: { type: 'string', default: '50' } },
        strict: true,
      })
      const posts = Number(values.posts)
      if (!Number.isInteger(posts) || posts < 1 || posts > 1_000_000) {
        throw new UsageError(`--posts must be a whole number between 1 and 1000000, not "${values.posts}".`)
      }
      const db = openDatabase(config.databasePath)
      try {
        migrateDatabase(db)
        const started = performance.now()
        const result = seedDemoContent(db, { posts })
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        console.log(
          `Seeded ${result.posts} posts, ${result.pages} pages, ${result.series} series and ${result.tags} tags into ${config.databasePath} in ${seconds}s.`,
        )
      } finally {
        closeDatabase(db)
      }
      return 0
    }
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`)
  }
}

try {
  process.exitCode = run(process.argv.slice(2))
} catch (err) {
  if (
    err instanceof ConfigError ||
    err instanceof UsageError ||
    (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    console.error((err as Error).message)
    process.exitCode = 1
  } else {
    throw err
  }
}
