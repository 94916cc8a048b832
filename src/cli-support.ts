// Owns what every CLI command shares: the usage error, opening the database, and reading a command's one target.
import { type ParseArgsConfig, parseArgs } from 'node:util'
import type { Config } from './config.ts'
import { closeDatabase, type Db, openDatabase } from './db/client.ts'
import { migrateDatabase } from './db/migrate.ts'

/** A mistake in how the command was typed; its message says how to type it. */
export class UsageError extends Error {}

/** Opens and migrates the database, runs `work` on it, and closes it whatever happens. */
export async function withDatabase<T>(config: Config, work: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openDatabase(config.databasePath)
  try {
    migrateDatabase(db)
    return await work(db)
  } finally {
    closeDatabase(db)
  }
}

/** A command's flags and the one file or folder it acts on, if given; `example` shows how when there are more. */
export function parseTarget<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  example: string,
) {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true } as const)
  const [target, ...extra] = positionals
  if (extra.length > 0) throw new UsageError(example)
  return { values, target }
}

export function required(target: string | undefined, example: string): string {
  if (!target) throw new UsageError(example)
  return target
}
