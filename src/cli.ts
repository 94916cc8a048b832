// Owns the operator's commands: `npm run cli -- <command>`.
import { parseArgs } from 'node:util'
import { CONTENT_COMMANDS, runContentCommand } from './cli-content.ts'
import { required, UsageError, withDatabase } from './cli-support.ts'
import { USAGE } from './cli-usage.ts'
import { ConfigError, loadConfig } from './config.ts'
import type { Db } from './db/client.ts'
import { describeSecondFactorReset } from './features/auth/cli-reset.ts'
import { emailSchema, newPasswordSchema } from './features/auth/forms.ts'
import { resetSecondFactor } from './features/auth/reset.ts'
import { clearAllFailures } from './features/auth/throttle.ts'
import {
  createUser,
  EmailTakenError,
  findUserByEmail,
  issueSetupToken,
  SETUP_LINK_DAYS,
  setPassword,
} from './features/auth/users.ts'
import { BackupError } from './features/backup/backup.ts'
import { ExportFolderError } from './features/backup/export.ts'
import { ImportFolderError } from './features/backup/import.ts'
import { ImportCommandError, parseImportArgs, runImportCommand } from './features/importers/command.ts'
import { ImportFileError } from './features/importers/model.ts'
import { letCompilersFinish } from './lib/before-exit.ts'
import { promptSecret } from './lib/prompt.ts'
import { plural } from './lib/text.ts'
import { absoluteUrl, adminSetupUrl } from './lib/urls.ts'

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

/** Errors whose message already tells the operator what to do: printed as they are, exit code 1. */
const OPERATOR_ERRORS = [
  ConfigError,
  UsageError,
  BackupError,
  ExportFolderError,
  ImportFolderError,
  ImportCommandError,
  ImportFileError,
]

const EMAIL_EXAMPLE = '--email is required, like --email you@example.com.'

/** The account `--email` names, or a UsageError saying there is none. */
function accountFor(db: Db, email: string) {
  const user = findUserByEmail(db, email)
  if (!user) throw new UsageError(`There is no account for ${email}.`)
  return user
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  const config = loadConfig(process.env)

  if (CONTENT_COMMANDS.has(command)) return runContentCommand(command, rest, config)

  switch (command) {
    case 'migrate': {
      await withDatabase(config, () => {})
      console.log(`Database ${config.databasePath} is up to date.`)
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
      const email = required(values.email, EMAIL_EXAMPLE)
      await withDatabase(config, async (db) => {
        const user = accountFor(db, email)
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
    case 'reset-2fa': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' } }, strict: true })
      const email = required(values.email, EMAIL_EXAMPLE)
      await withDatabase(config, (db) => {
        const user = accountFor(db, email)
        console.log(describeSecondFactorReset(user.email, resetSecondFactor(db, user.id)))
      })
      return 0
    }
    case 'import-wordpress':
    case 'import-ghost': {
      const options = parseImportArgs(command === 'import-wordpress' ? 'wordpress' : 'ghost', rest)
      return withDatabase(config, (db) => runImportCommand(db, config, options))
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
// Node exits once the loop is empty: let a compile still running on V8's threads finish first.
await letCompilersFinish()
