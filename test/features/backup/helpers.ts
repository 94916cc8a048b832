// Owns what the backup tests share beyond test/helpers/: reading a folder back, file by file.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

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
