// Owns copying a media folder into a backup and back: hard links where possible, whole files only, nothing deleted.
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

export interface MediaCopy {
  /** Files in the source folder. */
  readonly files: number
  readonly linked: number
  readonly copied: number
  /** Files the destination already held. */
  readonly present: number
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
export function addCopies(first: MediaCopy, second: MediaCopy): MediaCopy {
  const linked = first.linked + second.linked
  const copied = first.copied + second.copied
  const present = Math.max(0, second.present - first.linked - first.copied)
  return { files: linked + copied + present, linked, copied, present }
}
