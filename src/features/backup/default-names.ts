// Owns the names `backup` and `export` choose when given none: dated, under ./backups/, never an existing one.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '../../db/client.ts'
import { dateTimeStamp } from '../../lib/dates.ts'
import { getSettings } from '../settings/service.ts'
import { MEDIA_SUFFIX } from './backup.ts'

/** Where dated backups and exports go, relative to the folder the command runs in. */
export const BACKUPS_DIR = 'backups'

export interface DefaultNameOptions {
  /** The site's timezone: the stamp is the author's wall clock. */
  readonly timeZone: string
  readonly now?: Date
  readonly dir?: string
}

/** The site's timezone, read without writing; UTC while there is no database (backup then says so). */
export function siteTimeZoneAt(databasePath: string): string {
  if (!existsSync(databasePath)) return 'UTC'
  const db = openDatabase(databasePath, { readonly: true })
  try {
    return getSettings(db).timezone
  } finally {
    closeDatabase(db)
  }
}

/**
 * `<dir>/<prefix>-2026-12-04-1405<suffix>`, or with -2, -3… when that (or anything `taken` lists
 * beside it) exists: a second run in the same minute never replaces the first. Creates `dir`.
 */
function freeDatedPath(
  prefix: string,
  suffix: string,
  options: DefaultNameOptions,
  taken: (path: string) => string[],
): string {
  const dir = options.dir ?? BACKUPS_DIR
  mkdirSync(dir, { recursive: true })
  const stem = `${prefix}-${dateTimeStamp(options.timeZone, options.now)}`
  for (let n = 1; ; n++) {
    const path = join(dir, `${stem}${n > 1 ? `-${n}` : ''}${suffix}`)
    if (!taken(path).some((p) => existsSync(p))) return path
  }
}

/** `backups/folio-2026-12-04-1405.db`; its media folder (FILE.media/) must be free too. */
export const defaultBackupFile = (options: DefaultNameOptions): string =>
  freeDatedPath('folio', '.db', options, (path) => [path, `${path}${MEDIA_SUFFIX}`])

/** `backups/folio-export-2026-12-04-1405`. */
export const defaultExportFolder = (options: DefaultNameOptions): string =>
  freeDatedPath('folio-export', '', options, (path) => [path])
