// Owns `backup FILE` and `restore FILE`: consistent copies of the live database and its media.
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import Database from 'better-sqlite3'

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

export class BackupError extends Error {
  override name = 'BackupError'
}

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

export interface DatabaseSummary {
  readonly bytes: number
  readonly posts: number
  readonly pages: number
  readonly messages: number
}

export interface MediaCopy {
  /** Files in the source folder. */
  readonly files: number
  readonly linked: number
  readonly copied: number
  /** Files the destination already held. */
  readonly present: number
}

const countRows = (db: Database.Database, table: string): number => {
  const exists = db.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(table)
  if (!exists) return 0
  return (db.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n
}

/**
 * Checks a database file and counts what it holds. The file is switched to rollback-journal mode
 * so it stays one self-contained file; the server switches it back to WAL when it opens it.
 */
function checkCopy(path: string, options: { requireFolio: boolean }): DatabaseSummary {
  let db: Database.Database
  try {
    db = new Database(path, { fileMustExist: true })
  } catch (err) {
    throw new BackupError(`${path} cannot be opened as a database: ${(err as Error).message}`)
  }
  try {
    let problems: string[]
    try {
      db.pragma('journal_mode = DELETE')
      problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check)
    } catch (err) {
      throw new BackupError(`${path} is not a usable SQLite database: ${(err as Error).message}`)
    }
    if (problems.length !== 1 || problems[0] !== 'ok')
      throw new BackupError(`The integrity check of ${path} failed:\n  ${problems.slice(0, 10).join('\n  ')}`)
    if (options.requireFolio && countRows(db, '__drizzle_migrations') === 0)
      throw new BackupError(
        `${path} is a SQLite database, but not one of Folio's (it has no migrations table).`,
      )
    return {
      bytes: 0,
      posts: countRows(db, 'posts'),
      pages: countRows(db, 'pages'),
      messages: countRows(db, 'messages'),
    }
  } finally {
    db.close()
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** A database's side files: a stale one next to a new main file would be replayed into it. */
const SIDE_FILES = ['-journal', '-wal', '-shm'] as const

function removeWithSideFiles(path: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(`${path}${suffix}`, { force: true })
}

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Hidden names are the media service's half-written temporary files.
    if (entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) listFiles(root, path, out)
    else if (entry.isFile()) out.push(relative(root, path))
  }
  return out
}

/**
 * Brings every file of `from` into `to` (see the layout above): kept when `to` already has it at
 * the same size, hard-linked when possible, copied otherwise. Each file appears under its final
 * name only once complete. Nothing in `to` is ever deleted.
 */
export function copyMediaFolder(from: string, to: string): MediaCopy {
  if (!existsSync(from)) return { files: 0, linked: 0, copied: 0, present: 0 }
  let linked = 0
  let copied = 0
  let present = 0
  let canLink = true
  const files = listFiles(from)
  for (const name of files) {
    const source = join(from, name)
    const target = join(to, name)
    if (existsSync(target) && statSync(target).size === statSync(source).size) {
      present += 1
      continue
    }
    mkdirSync(dirname(target), { recursive: true })
    const temporary = join(dirname(target), `.${randomBytes(6).toString('hex')}.tmp`)
    let done = false
    if (canLink) {
      try {
        linkSync(source, temporary)
        linked += 1
        done = true
      } catch (err) {
        // Another file system (EXDEV), or one without hard links: copy from now on.
        const code = (err as NodeJS.ErrnoException).code
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err
        canLink = false
      }
    }
    if (!done) {
      copyFileSync(source, temporary)
      copied += 1
    }
    renameSync(temporary, target)
  }
  return { files: files.length, linked, copied, present }
}

/** Both passes as one: what was new to the backup folder, and what it already held. */
function addCopies(first: MediaCopy, second: MediaCopy): MediaCopy {
  const linked = first.linked + second.linked
  const copied = first.copied + second.copied
  const present = Math.max(0, second.present - first.linked - first.copied)
  return { files: linked + copied + present, linked, copied, present }
}

export interface BackupOptions {
  readonly databasePath: string
  readonly mediaDir: string
  readonly file: string
  /** Replace FILE when it exists. */
  readonly force?: boolean
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
    await source.backup(partial, {
      progress: ({ remainingPages }) => {
        if (remainingPages >= lastRemaining) restarts += 1
        lastRemaining = remainingPages
        return restarts >= RESTARTS_BEFORE_ONE_STEP ? 0x7fffffff : PAGES_PER_STEP
      },
    })
  } catch (err) {
    removeWithSideFiles(partial)
    throw err
  } finally {
    source.close()
  }

  let summary: DatabaseSummary
  try {
    summary = checkCopy(partial, { requireFolio: false })
    fsyncPath(partial)
    // A journal left beside an older FILE would be rolled back into the new one on first open.
    for (const suffix of SIDE_FILES) rmSync(`${file}${suffix}`, { force: true })
    renameSync(partial, file)
    fsyncPath(dirname(file))
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
    fsyncPath(incoming)
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
  fsyncPath(dirname(databasePath))

  const mediaFolder = `${file}${MEDIA_SUFFIX}`
  const media = existsSync(mediaFolder) ? copyMediaFolder(mediaFolder, options.mediaDir) : undefined
  return { ...summary, bytes: statSync(databasePath).size, previous, media, mediaFolder }
}

/** "1.4 MB", for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

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
