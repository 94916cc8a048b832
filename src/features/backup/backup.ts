// Owns `backup FILE` and `restore FILE`: consistent copies of the live database and its media.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { syncPathSync } from '../../lib/durable-files.ts'
import { formatBytes } from '../../lib/format-bytes.ts'
import { plural } from '../../lib/text.ts'
import { addCopies, copyMediaFolder, type MediaCopy } from './media-copy.ts'
import {
  BackupError,
  checkCopy,
  type DatabaseSummary,
  removeWithSideFiles,
  SIDE_FILES,
} from './sqlite-file.ts'

/** The CLI catches these from here, with the commands that throw them. */
export { BackupError }

/*
 * What `backup backups/site.db` leaves behind:
 *
 *   backups/site.db         the database: one self-contained SQLite file (rollback-journal mode,
 *                           no -wal beside it), checked with PRAGMA integrity_check
 *   backups/site.db.media/  MEDIA_DIR as it was: the same file names, in the same folders
 *
 * Uploaded files are named by a hash of their content and never rewritten, so a media file
 * already in the backup folder is the same file and is kept; new ones are hard-linked when the
 * backup is on the same file system (free, and safe because nothing edits a file in place) and
 * copied otherwise. Files deleted from the site since an earlier backup stay in the backup.
 */

/** The suffix of the media folder that goes with a backup file. */
export const MEDIA_SUFFIX = '.media'

/**
 * Pages copied per step: between steps the server (another connection) may write, and SQLite then
 * restarts the copy to stay consistent. Under constant writes that could go on for ever, so after a
 * couple of restarts the rest is copied in one step, under one read snapshot. In WAL mode the
 * server's writers never wait for that reader.
 */
const PAGES_PER_STEP = 256
const RESTARTS_BEFORE_ONE_STEP = 2

export interface BackupOptions {
  readonly databasePath: string
  readonly mediaDir: string
  readonly file: string
  /** Replace FILE when it exists. */
  readonly force?: boolean
  /** Called as the database's pages are copied, with how many of how many. */
  readonly onProgress?: (done: number, total: number) => void
}

export interface BackupResult extends DatabaseSummary {
  readonly file: string
  readonly mediaFolder: string
  readonly media: MediaCopy
}

/**
 * Copies the live database with SQLite's online backup API while the server keeps serving and
 * writing, into FILE.partial first, checks the copy, and only then renames it to FILE: a crash at
 * any point never leaves a half-written file under the name the operator asked for.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const file = resolve(options.file)
  const databasePath = resolve(options.databasePath)
  if (file === databasePath) throw new BackupError('The backup cannot be written over the database itself.')
  if (!existsSync(databasePath)) throw new BackupError(`There is no database at ${options.databasePath}.`)
  if (existsSync(file) && !options.force)
    throw new BackupError(`${options.file} already exists. Choose a new name, or add --force to replace it.`)
  if (existsSync(file) && statSync(file).isDirectory()) throw new BackupError(`${options.file} is a folder.`)

  mkdirSync(dirname(file), { recursive: true })
  const partial = `${file}.partial`
  removeWithSideFiles(partial)
  const mediaFolder = `${file}${MEDIA_SUFFIX}`

  // Media before the snapshot (files that are deleted meanwhile are still in the backup)…
  const before = copyMediaFolder(options.mediaDir, mediaFolder)

  const source = new Database(databasePath, { fileMustExist: true })
  try {
    source.pragma('busy_timeout = 5000')
    // A restarted copy starts again from page one, so the pages left stop going down.
    let restarts = 0
    let lastRemaining = Number.POSITIVE_INFINITY
    const { totalPages } = await source.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages >= lastRemaining) restarts += 1
        lastRemaining = remainingPages
        options.onProgress?.(totalPages - remainingPages, totalPages)
        return restarts >= RESTARTS_BEFORE_ONE_STEP ? 0x7fffffff : PAGES_PER_STEP
      },
    })
    // SQLite reports no step after the last one.
    options.onProgress?.(totalPages, totalPages)
  } catch (err) {
    removeWithSideFiles(partial)
    throw err
  } finally {
    source.close()
  }

  let summary: DatabaseSummary
  try {
    forgetVisitors(partial)
    summary = checkCopy(partial, { requireFolio: false })
    syncPathSync(partial)
    // A journal left beside an older FILE would be rolled back into the new one on first open.
    for (const suffix of SIDE_FILES) rmSync(`${file}${suffix}`, { force: true })
    renameSync(partial, file)
    syncPathSync(dirname(file))
  } catch (err) {
    removeWithSideFiles(partial)
    throw err
  }

  // …and after it (files uploaded while the snapshot was taken are in it too).
  const after = copyMediaFolder(options.mediaDir, mediaFolder)
  return {
    ...summary,
    bytes: statSync(file).size,
    file,
    mediaFolder,
    media: addCopies(before, after),
  }
}

/**
 * The stats' salt of the day and its visitor hashes are meant to vanish at midnight; a backup kept
 * for months must not hold them. Emptied in the copy (with secure_delete, then VACUUM, so their
 * bytes are gone too) before it gets its name. A restored site simply starts a new salt.
 */
function forgetVisitors(file: string): void {
  const copy = new Database(file, { fileMustExist: true })
  try {
    const tables = copy
      .prepare(
        "select name from sqlite_master where type = 'table' and name in ('stats_salt', 'stats_visitors')",
      )
      .pluck()
      .all() as string[]
    if (tables.length === 0) return
    copy.pragma('secure_delete = ON')
    for (const table of tables) copy.exec(`delete from ${table}`)
    copy.exec('VACUUM')
  } finally {
    copy.close()
  }
}

export interface RestoreOptions {
  readonly file: string
  readonly databasePath: string
  readonly mediaDir: string
  readonly now?: Date
}

/** What `restore FILE` does, printed when it is run without --yes. */
export function restoreSteps(options: RestoreOptions): string {
  return [
    `Restoring replaces the database at ${options.databasePath}, so the server must not be running`,
    '(restore refuses when it sees the database open elsewhere, but cannot see that on every file system).',
    '',
    '  1. Stop the server (systemctl stop folio; on Fly.io: fly scale count 0).',
    `  2. Run: npm run cli -- restore ${options.file} --yes`,
    `     It checks ${options.file} with PRAGMA integrity_check, moves the current database (and its`,
    '     -wal and -shm files) aside to a ".before-restore-<time>" name, puts the copy in its place,',
    `     and copies ${options.file}${MEDIA_SUFFIX}/ into ${options.mediaDir}.`,
    '  3. Start the server again. It applies any newer migrations to the restored database.',
  ].join('\n')
}

export interface RestoreResult extends DatabaseSummary {
  /** Where the database that was replaced now is; undefined when there was none. */
  readonly previous: string | undefined
  /** Undefined when the backup has no media folder beside it. */
  readonly media: MediaCopy | undefined
  readonly mediaFolder: string
}

/**
 * Refuses when another process (the server, most likely) has the database open. In WAL mode every
 * open connection holds a shared lock, so an exclusive one is only granted when nobody else is
 * there. Locks can be unreliable on network file systems, which is why the operator still confirms.
 */
function assertNotInUse(databasePath: string): void {
  if (!existsSync(databasePath)) return
  const db = new Database(databasePath, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 0')
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('BEGIN EXCLUSIVE')
    db.exec('COMMIT')
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new BackupError(
        `${databasePath} is open in another process: is the server still running? Stop it, then run restore again.`,
      )
    throw err
  } finally {
    db.close()
  }
}

/**
 * Puts a backup in place of the database. Run only while the server is stopped: a running server
 * would keep writing to the file it has open, which is no longer the database.
 */
export function restoreBackup(options: RestoreOptions): RestoreResult {
  const file = resolve(options.file)
  const databasePath = resolve(options.databasePath)
  if (file === databasePath) throw new BackupError('That file is the database itself.')
  if (!existsSync(file) || !statSync(file).isFile())
    throw new BackupError(`There is no backup file ${options.file}.`)
  if (existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0)
    throw new BackupError(
      `${options.file} has a -wal file beside it holding changes that are not in the file itself. Use a file made by \`backup\`.`,
    )

  mkdirSync(dirname(databasePath), { recursive: true })
  const incoming = `${databasePath}.restoring`
  removeWithSideFiles(incoming)
  let summary: DatabaseSummary
  try {
    copyFileSync(file, incoming)
    summary = checkCopy(incoming, { requireFolio: true })
    syncPathSync(incoming)
    assertNotInUse(databasePath)
  } catch (err) {
    removeWithSideFiles(incoming)
    throw err
  }

  // The old database moves aside with its -wal (which may hold its latest commits), so it can be
  // brought back; its -shm is only an index of that -wal and is dropped.
  let previous: string | undefined
  if (existsSync(databasePath)) {
    const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')
    previous = `${databasePath}.before-restore-${stamp}`
    renameSync(databasePath, previous)
    for (const suffix of ['-wal', '-journal'])
      if (existsSync(`${databasePath}${suffix}`))
        renameSync(`${databasePath}${suffix}`, `${previous}${suffix}`)
  }
  for (const suffix of SIDE_FILES) rmSync(`${databasePath}${suffix}`, { force: true })
  renameSync(incoming, databasePath)
  syncPathSync(dirname(databasePath))

  const mediaFolder = `${file}${MEDIA_SUFFIX}`
  const media = existsSync(mediaFolder) ? copyMediaFolder(mediaFolder, options.mediaDir) : undefined
  return { ...summary, bytes: statSync(databasePath).size, previous, media, mediaFolder }
}

/** "Media: 12 files in backups/site.db.media/ (3 hard-linked, 9 already there)." */
function describeMedia(copy: MediaCopy, folder: string): string {
  if (copy.files === 0) return 'Media: no files to copy.'
  const how = [
    copy.linked ? `${copy.linked} hard-linked` : '',
    copy.copied ? `${copy.copied} copied` : '',
    copy.present ? `${copy.present} already there` : '',
  ].filter(Boolean)
  return `Media: ${plural(copy.files, 'file')} in ${folder}/ (${how.join(', ')}).`
}

const describeCounts = (s: DatabaseSummary): string =>
  `${plural(s.posts, 'post')}, ${plural(s.pages, 'page')}, ${plural(s.messages, 'message')}`

/** What `backup` prints. */
export function describeBackup(result: BackupResult, shownFile: string): string {
  return [
    `Backed up to ${shownFile} (${formatBytes(result.bytes)}): integrity check ok; ${describeCounts(result)}.`,
    describeMedia(result.media, `${shownFile}${MEDIA_SUFFIX}`),
    // A copy of the database is a copy of everything in it, secrets included.
    'Keep it private: it holds password hashes, sessions and the key the blog signs with on the fediverse.',
  ].join('\n')
}

/** What `restore --yes` prints. */
export function describeRestore(result: RestoreResult, options: RestoreOptions): string {
  return [
    `Restored ${options.file} to ${options.databasePath} (${formatBytes(result.bytes)}): integrity check ok; ${describeCounts(result)}.`,
    result.previous
      ? `The database it replaced is kept as ${result.previous}; delete it once the site looks right.`
      : 'There was no database there before.',
    result.media
      ? describeMedia(result.media, options.mediaDir)
      : `No ${options.file}${MEDIA_SUFFIX}/ folder beside the backup, so ${options.mediaDir} was left as it is.`,
    'Start the server now.',
  ].join('\n')
}
