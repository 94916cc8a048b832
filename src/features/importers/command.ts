// Owns `import-wordpress FILE.xml` and `import-ghost FILE.json`: their options, the run with its progress, and what they print and write.
import { existsSync, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { withProgress } from '../../lib/progress.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import { hasFailures, reportJson } from './report.ts'
import { describeReport } from './report-text.ts'
import { type ExportFormat, runImport } from './run.ts'

/** A mistake in how the command was typed: the message says how to type it. */
export class ImportCommandError extends Error {
  override name = 'ImportCommandError'
}

export interface ImportCommand {
  readonly format: ExportFormat
  readonly file: string
  readonly mediaDir: string | undefined
  readonly dryRun: boolean
  readonly reportFile: string | undefined
  readonly oldUrl: string | undefined
}

const EXAMPLES: Record<ExportFormat, string> = {
  wordpress:
    'npm run cli -- import-wordpress export.xml [--media-dir wp-content/uploads] [--dry-run] [--report report.json]',
  ghost:
    'npm run cli -- import-ghost export.json [--old-url https://old.example] [--media-dir content/images] [--dry-run] [--report report.json]',
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory()
}

/** The command's options, checked before anything is read, so a typo never costs a long import. */
export function parseImportArgs(format: ExportFormat, args: string[]): ImportCommand {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'media-dir': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      report: { type: 'string' },
      'old-url': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  })
  const [file, ...extra] = positionals
  if (!file || extra.length > 0)
    throw new ImportCommandError(`Name one export file, like: ${EXAMPLES[format]}`)
  const mediaDir = values['media-dir']
  if (mediaDir !== undefined && !isFolder(mediaDir))
    throw new ImportCommandError(
      `There is no folder ${mediaDir}. --media-dir names a copy of the old site's ${format === 'wordpress' ? 'wp-content/uploads' : 'content/images'} folder.`,
    )
  const reportFile = values.report
  if (reportFile !== undefined && (reportFile === '' || !isFolder(dirname(resolve(reportFile)))))
    throw new ImportCommandError(
      `--report ${reportFile}: there is no folder ${dirname(resolve(reportFile))} to write it in.`,
    )
  const oldUrl = values['old-url']?.trim().replace(/\/+$/, '')
  if (oldUrl !== undefined && !isHttpUrl(oldUrl))
    throw new ImportCommandError(
      `--old-url must be the old site's address, like --old-url https://old.example.com`,
    )
  return { format, file, mediaDir, dryRun: values['dry-run'], reportFile, oldUrl }
}

/**
 * Runs the import, printing its report on stdout (progress goes to stderr) and, with --report,
 * writing it as JSON. 0 when everything came in, 1 when some items failed.
 */
export async function runImportCommand(db: Db, config: Config, command: ImportCommand): Promise<number> {
  const report = await withProgress(command.dryRun ? 'Checking' : 'Importing', (onProgress) =>
    runImport(db, config, { ...command, onProgress }),
  )
  // Written first: the printed report points at it for what it cuts short.
  if (command.reportFile) await writeFile(command.reportFile, reportJson(report))
  console.log(describeReport(report, command.reportFile))
  if (command.reportFile) console.log(`\nThe report is also in ${command.reportFile}.`)
  return hasFailures(report) ? 1 : 0
}
