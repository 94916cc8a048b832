// Owns what the backup tests share: running the operator's CLI as a child process, and reading folders.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const ROOT = join(import.meta.dirname, '..', '..', '..')

/** `npm run cli -- …` without npm: the same entry point, with only the variables given. */
export function runCli(
  args: string[],
  env: { DATABASE_PATH: string; MEDIA_DIR: string },
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

/** Every file under `dir`, by relative path, with its bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else files.set(relative(dir, path), readFileSync(path))
    }
  }
  walk(dir)
  return files
}
