// Owns the CLI's commands about the site's content as a whole: seed, backup, restore, export, import and rerender, each with its progress shown.
import { parseArgs } from 'node:util'
import { parseTarget, required, UsageError, withDatabase } from './cli-support.ts'
import type { Config } from './config.ts'
import {
  backupDatabase,
  describeBackup,
  describeRestore,
  restoreBackup,
  restoreSteps,
} from './features/backup/backup.ts'
import { defaultBackupFile, defaultExportFolder, siteTimeZoneAt } from './features/backup/default-names.ts'
import { describeExport, exportSite } from './features/backup/export.ts'
import { describeImport, importSite } from './features/backup/import.ts'
import { describeRerender, rerenderEverything } from './features/content/rerender.ts'
import { seedDemoContent } from './features/seed/demo.ts'
import { describeSeedRemoval, removeSeededContent } from './features/seed/remove.ts'
import { getSettings } from './features/settings/service.ts'
import { loadMarkdownPipeline } from './lib/markdown-here.ts'
import { withProgress } from './lib/progress.ts'

export const CONTENT_COMMANDS = new Set(['seed', 'backup', 'restore', 'export', 'import', 'rerender'])

/** Runs one of CONTENT_COMMANDS; the exit code. */
export async function runContentCommand(command: string, rest: string[], config: Config): Promise<number> {
  switch (command) {
    case 'seed': {
      // Seeding renders demo Markdown on this thread.
      await loadMarkdownPipeline()
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
      await withDatabase(config, async (db) => {
        const started = performance.now()
        const result = await withProgress('Seeding', (onProgress) =>
          seedDemoContent(db, { posts, onProgress }),
        )
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        console.log(
          `Seeded ${result.posts} posts, ${result.pages} pages, ${result.series} series and ${result.tags} tags into ${config.databasePath} in ${seconds}s. To take them away again: npm run cli -- seed --remove`,
        )
      })
      return 0
    }
    case 'backup': {
      const { values, target } = parseTarget(
        rest,
        { force: { type: 'boolean', default: false } },
        'Name at most one backup file, like: npm run cli -- backup backups/folio.db',
      )
      const file = target ?? defaultBackupFile({ timeZone: siteTimeZoneAt(config.databasePath) })
      const result = await withProgress('Backing up', (onProgress) =>
        backupDatabase({
          databasePath: config.databasePath,
          mediaDir: config.mediaDir,
          file,
          force: values.force,
          onProgress,
        }),
      )
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
      await withDatabase(config, async (db) => {
        const dir = target ?? defaultExportFolder({ timeZone: getSettings(db).timezone })
        const result = await withProgress('Exporting', (onProgress) =>
          exportSite(db, dir, { mediaDir: config.mediaDir, force: values.force, onProgress }),
        )
        console.log(describeExport(result, dir))
      })
      return 0
    }
    case 'import': {
      const importExample = 'Name one folder, like: npm run cli -- import site/'
      const dir = required(parseTarget(rest, {}, importExample).target, importExample)
      const result = await withDatabase(config, (db) =>
        withProgress('Importing', (onProgress) =>
          importSite(db, dir, { mediaDir: config.mediaDir, onProgress }),
        ),
      )
      const report = describeImport(result, dir)
      console.log(report.out)
      if (report.err) console.error(report.err)
      return result.problems.length > 0 ? 1 : 0
    }
    case 'rerender': {
      parseArgs({ args: rest, options: {}, strict: true })
      const report = await withDatabase(config, (db) =>
        withProgress('Re-rendering', (onProgress) => rerenderEverything(db, { onProgress })),
      )
      const { out, err } = describeRerender(report)
      console.log(out)
      if (err) console.error(err)
      return report.failures.length > 0 ? 1 : 0
    }
    default:
      throw new Error(`${command} is not a content command`)
  }
}
