// Owns the operator's commands: `npm run cli -- <command>`.
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { type Config, ConfigError, loadConfig } from './config.ts'
import { closeDatabase, type Db, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'
import { emailSchema, newPasswordSchema } from './features/auth/forms.ts'
import { clearAllFailures } from './features/auth/throttle.ts'
import {
  createUser,
  EmailTakenError,
  findUserByEmail,
  issueSetupToken,
  SETUP_LINK_DAYS,
  setPassword,
} from './features/auth/users.ts'
import {
  BackupError,
  backupDatabase,
  describeBackup,
  describeRestore,
  restoreBackup,
  restoreSteps,
} from './features/backup/backup.ts'
import { defaultBackupFile, defaultExportFolder, siteTimeZoneAt } from './features/backup/default-names.ts'
import { describeExport, ExportFolderError, exportSite } from './features/backup/export.ts'
import { describeImport, ImportFolderError, importSite } from './features/backup/import.ts'
import { describeRerender, rerenderEverything } from './features/content/rerender.ts'
import { seedDemoContent } from './features/seed/demo.ts'
import { describeSeedRemoval, removeSeededContent } from './features/seed/remove.ts'
import { getSettings } from './features/settings/service.ts'
import { createProgress } from './lib/progress.ts'
import { promptSecret } from './lib/prompt.ts'
import { plural } from './lib/text.ts'
import { absoluteUrl, adminSetupUrl } from './lib/urls.ts'

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate              apply pending database migrations
  seed --posts N       add N realistic demo posts (and, on an empty site, demo pages and settings)
  seed --remove        remove what seed added (posts you edited since are kept), settings back as before
  create-user --email E --name N
                       create an author account; the password is read from stdin or a hidden prompt
  set-password --email E
                       set a new password (ends every session and clears failed sign-ins)
  unlock               forget every failed sign-in, lifting all sign-in throttling
  setup-link           print a new link to create the first account (the one printed before stops working)
  backup [FILE] [--force]
                       copy the database, while the server runs, to FILE and MEDIA_DIR to FILE.media/;
                       without FILE: backups/folio-<date>-<time>.db
  restore FILE --yes   put a backup in place of the database and its media (stop the server first)
  export [DIR] [--force]
                       write every post and page as Markdown with YAML front matter, plus settings and
                       media; without DIR: backups/folio-export-<date>-<time>/
  import DIR           read an export back: posts and pages matched by slug are updated, others created
  rerender             render every stored post, page, series description and Markdown setting again
  help                 show this message

The database is DATABASE_PATH (default ./data/folio.db).`

class UsageError extends Error {}

async function readNewPassword(): Promise<string> {
  const password = await promptSecret('Password (at least 12 characters): ')
  const parsed = newPasswordSchema.safeParse(password)
  if (!parsed.success)
    throw new UsageError(parsed.error.issues[0]?.message ?? 'That password cannot be used.')
  if (process.stdin.isTTY) {
    const again = await promptSecret('Password again: ')
    if (again !== password) throw new UsageError('The two passwords are not the same.')
  }
  return password
}

/** Opens and migrates the database, runs `work` on it, and closes it whatever happens. */
async function withDatabase<T>(config: Config, work: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openDatabase(config.databasePath)
  try {
    migrateDatabase(db)
    return await work(db)
  } finally {
    closeDatabase(db)
  }
}

/** A command's flags and the one file or folder it acts on, if given; `example` shows how when there are more. */
function parseTarget<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  example: string,
) {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true } as const)
  const [target, ...extra] = positionals
  if (extra.length > 0) throw new UsageError(example)
  return { values, target }
}

function required(target: string | undefined, example: string): string {
  if (!target) throw new UsageError(example)
  return target
}

/** Errors whose message already tells the operator what to do: printed as they are, exit code 1. */
const OPERATOR_ERRORS = [ConfigError, UsageError, BackupError, ExportFolderError, ImportFolderError]

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  const config = loadConfig(process.env)

  switch (command) {
    case 'migrate': {
      await withDatabase(config, () => {})
      console.log(`Database ${config.databasePath} is up to date.`)
      return 0
    }
    case 'seed': {
      const { values } = parseArgs({
        args: rest,
        options: { posts: { type: 'string', default: '50' }, remove: { type: 'boolean', default: false } },
        strict: true,
      })
      if (values.remove) {
        const removal = await withDatabase(config, (db) => removeSeededContent(db))
        console.log(describeSeedRemoval(removal))
        return 0
      }
      const posts = Number(values.posts)
      if (!Number.isInteger(posts) || posts < 1 || posts > 1_000_000) {
        throw new UsageError(`--posts must be a whole number between 1 and 1000000, not "${values.posts}".`)
      }
      await withDatabase(config, (db) => {
        const started = performance.now()
        const result = seedDemoContent(db, { posts })
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        console.log(
          `Seeded ${result.posts} posts, ${result.pages} pages, ${result.series} series and ${result.tags} tags into ${config.databasePath} in ${seconds}s. To take them away again: npm run cli -- seed --remove`,
        )
      })
      return 0
    }
    case 'create-user': {
      const { values } = parseArgs({
        args: rest,
        options: { email: { type: 'string' }, name: { type: 'string' } },
        strict: true,
      })
      const email = emailSchema.safeParse(values.email ?? '')
      if (!email.success)
        throw new UsageError('--email must be an email address, like --email you@example.com.')
      const name = (values.name ?? '').trim()
      if (!name) throw new UsageError('--name is required, like --name "Sam Rivera".')
      const password = await readNewPassword()
      await withDatabase(config, async (db) => {
        try {
          const user = await createUser(db, { email: email.data, name, password })
          console.log(`Created the account for ${user.email}. Sign in at ${config.siteUrl}/admin/login`)
        } catch (err) {
          if (err instanceof EmailTakenError)
            throw new UsageError(`${err.message} Use set-password to change its password.`)
          throw err
        }
      })
      return 0
    }
    case 'set-password': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' } }, strict: true })
      if (!values.email) throw new UsageError('--email is required, like --email you@example.com.')
      const email = values.email
      await withDatabase(config, async (db) => {
        const user = findUserByEmail(db, email)
        if (!user) throw new UsageError(`There is no account for ${email}.`)
        const password = await readNewPassword()
        await setPassword(db, user.id, password)
        console.log(
          `New password set for ${user.email}. Every session was signed out and failed sign-ins were cleared.`,
        )
      })
      return 0
    }
    case 'unlock': {
      const cleared = await withDatabase(config, clearAllFailures)
      console.log(`Cleared ${plural(cleared, 'failed sign-in')}; nobody is throttled now.`)
      return 0
    }
    case 'setup-link': {
      parseArgs({ args: rest, options: {}, strict: true })
      const token = await withDatabase(config, (db) => issueSetupToken(db))
      if (!token)
        throw new UsageError(
          'An account already exists, so there is no setup link. To sign in with a new password: npm run cli -- set-password --email you@example.com',
        )
      console.log(
        `Create the first account at ${absoluteUrl(config.siteUrl, adminSetupUrl(token))}\nThe link works once, for ${SETUP_LINK_DAYS} days; any setup link printed before no longer works.`,
      )
      return 0
    }
    case 'backup': {
      const { values, target } = parseTarget(
        rest,
        { force: { type: 'boolean', default: false } },
        'Name at most one backup file, like: npm run cli -- backup backups/folio.db',
      )
      const file = target ?? defaultBackupFile({ timeZone: siteTimeZoneAt(config.databasePath) })
      const result = await backupDatabase({
        databasePath: config.databasePath,
        mediaDir: config.mediaDir,
        file,
        force: values.force,
      })
      console.log(describeBackup(result, file))
      return 0
    }
    case 'restore': {
      const restoreExample = 'Name one backup file, like: npm run cli -- restore backups/folio.db --yes'
      const { values, target } = parseTarget(
        rest,
        { yes: { type: 'boolean', default: false } },
        restoreExample,
      )
      const file = required(target, restoreExample)
      const options = { file, databasePath: config.databasePath, mediaDir: config.mediaDir }
      // Whether the server is running cannot be known for sure from here, so the operator confirms.
      if (!values.yes) {
        console.log(restoreSteps(options))
        return 1
      }
      console.log(describeRestore(restoreBackup(options), options))
      return 0
    }
    case 'export': {
      const { values, target } = parseTarget(
        rest,
        { force: { type: 'boolean', default: false } },
        'Name at most one folder, like: npm run cli -- export site/',
      )
      await withDatabase(config, (db) => {
        const dir = target ?? defaultExportFolder({ timeZone: getSettings(db).timezone })
        const result = exportSite(db, dir, { mediaDir: config.mediaDir, force: values.force })
        console.log(describeExport(result, dir))
      })
      return 0
    }
    case 'import': {
      const importExample = 'Name one folder, like: npm run cli -- import site/'
      const dir = required(parseTarget(rest, {}, importExample).target, importExample)
      const result = await withDatabase(config, (db) => importSite(db, dir, { mediaDir: config.mediaDir }))
      const report = describeImport(result, dir)
      console.log(report.out)
      if (report.err) console.error(report.err)
      return result.problems.length > 0 ? 1 : 0
    }
    case 'rerender': {
      parseArgs({ args: rest, options: {}, strict: true })
      const progress = createProgress('Re-rendering')
      const report = await withDatabase(config, (db) =>
        rerenderEverything(db, { onProgress: (done, total) => progress.update(done, total) }),
      )
      progress.finish()
      const { out, err } = describeRerender(report)
      console.log(out)
      if (err) console.error(err)
      return report.failures.length > 0 ? 1 : 0
    }
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`)
  }
}

try {
  process.exitCode = await run(process.argv.slice(2))
} catch (err) {
  const code = (err as { code?: string }).code
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    // Never echo a stray argument: it may be a password typed where it does not belong.
    console.error(
      'Unexpected extra argument. Passwords are never given on the command line: they are read from stdin or a prompt.',
    )
    process.exitCode = 1
  } else if (OPERATOR_ERRORS.some((kind) => err instanceof kind) || code?.startsWith('ERR_PARSE_ARGS')) {
    console.error((err as Error).message)
    process.exitCode = 1
  } else {
    throw err
  }
}
