// Checks `backup` and `export` without a name: a dated name under ./backups/ in the site's timezone, never an existing one.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { defaultBackupFile, defaultExportFolder } from '../../../src/features/backup/default-names.ts'
import { saveSettings } from '../../../src/features/settings/service.ts'
import { dateTimeStamp } from '../../../src/lib/dates.ts'
import { createTestDb, scratchDir } from '../../helpers/app.ts'
import { createPost } from '../../helpers/fixtures.ts'
import { ROOT } from '../../helpers/processes.ts'

const AT = new Date('2026-12-04T13:05:00Z')

test('the default names carry the date and minute in the site’s timezone and step to -2, -3 past existing ones', (t) => {
  const dir = join(scratchDir(t), 'backups')
  const paris = { timeZone: 'Europe/Paris', now: AT, dir }
  assert.equal(defaultBackupFile(paris), join(dir, 'folio-2026-12-04-1405.db'))
  assert.ok(statSync(dir).isDirectory(), 'the folder is created')
  assert.equal(defaultExportFolder(paris), join(dir, 'folio-export-2026-12-04-1405'))
  assert.equal(
    defaultBackupFile({ ...paris, timeZone: 'Pacific/Auckland' }),
    join(dir, 'folio-2026-12-05-0205.db'),
  )

  writeFileSync(join(dir, 'folio-2026-12-04-1405.db'), 'an earlier backup')
  // A backup's media folder alone also takes its name: the two belong together.
  mkdirSync(join(dir, 'folio-2026-12-04-1405-2.db.media'))
  assert.equal(defaultBackupFile(paris), join(dir, 'folio-2026-12-04-1405-3.db'))
  mkdirSync(join(dir, 'folio-export-2026-12-04-1405'))
  assert.equal(defaultExportFolder(paris), join(dir, 'folio-export-2026-12-04-1405-2'))
})

/** `npm run cli -- …` run from `cwd`, as an operator in their own folder would. */
function cliIn(cwd: string, args: string[], env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli.ts'), ...args],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  )
}

/** `run`'s result and the stamps it may have used: the minute before it ran to the minute after. */
function stampsAround<T>(timeZone: string, run: () => T): { result: T; stamps: string[] } {
  const before = dateTimeStamp(timeZone)
  const result = run()
  return { result, stamps: [...new Set([before, dateTimeStamp(timeZone)])] }
}

test('backup and export without a name write to a new dated name under ./backups/ and print it', (t) => {
  const { db, dir, path } = createTestDb(t)
  createPost(db, { title: 'Kept safe' })
  saveSettings(db, { timezone: 'Pacific/Auckland' })
  const cwd = scratchDir(t)
  const env = { DATABASE_PATH: path, MEDIA_DIR: join(dir, 'media') }

  const { result, stamps } = stampsAround('Pacific/Auckland', () => [
    cliIn(cwd, ['backup'], env),
    cliIn(cwd, ['backup'], env),
  ])
  const [first, second] = result
  assert.ok(first && second)
  assert.equal(first.status, 0, first.stderr)
  const firstFile = /Backed up to (\S+) /.exec(first.stdout)?.[1] ?? ''
  const secondFile = /Backed up to (\S+) /.exec(second.stdout)?.[1] ?? ''
  assert.ok(
    stamps.some((stamp) => firstFile.startsWith(`backups/folio-${stamp}`)),
    `${firstFile} is dated ${stamps.join(' or ')}`,
  )
  assert.match(firstFile, /^backups\/folio-\d{4}-\d{2}-\d{2}-\d{4}(-\d+)?\.db$/)
  assert.notEqual(secondFile, firstFile, 'a second backup never replaces the first')
  assert.match(secondFile, /-\d+\.db$/)
  for (const file of [firstFile, secondFile])
    assert.match(readFileSync(join(cwd, file), 'latin1'), /^SQLite format 3/)

  const exported = cliIn(cwd, ['export'], env)
  assert.equal(exported.status, 0, exported.stderr)
  const folder = /to (backups\/folio-export-\S+)\.\n/.exec(exported.stdout)?.[1] ?? ''
  assert.match(folder, /^backups\/folio-export-\d{4}-\d{2}-\d{2}-\d{4}(-\d+)?$/)
  assert.ok(existsSync(join(cwd, folder, 'posts', 'kept-safe.md')), exported.stdout)
  const again = cliIn(cwd, ['export'], env)
  assert.equal(again.status, 0, again.stderr)
  assert.ok(!again.stdout.includes(`to ${folder}.`), 'a second export goes to a new folder')
})
