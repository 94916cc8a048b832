// Owns writing files that survive a crash: whole-or-nothing writes, and fsync of files and folders.
import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * A hidden name in the same folder: readers (the /media/ route, backups, exports) skip dotfiles,
 * and a rename within one folder is atomic.
 */
export const temporaryNameFor = (fileName: string): string =>
  `.${fileName}.${randomBytes(6).toString('hex')}.tmp`

/**
 * Writes to a hidden temporary name, flushes it to disk, then renames it into place: a reader
 * never sees half a file. The rename itself is only durable once the folder is synced too
 * (`syncPath(dir)`), which callers do once after writing several files.
 */
export async function writeFileAtomically(dir: string, fileName: string, data: Uint8Array): Promise<void> {
  const temporary = join(dir, temporaryNameFor(fileName))
  try {
    const handle = await open(temporary, 'wx')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, join(dir, fileName))
  } catch (err) {
    await unlink(temporary).catch(() => {})
    throw err
  }
}

/** Flushes a file's data, or a folder's entries (so the names created or renamed in it persist). */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** syncPath for the operator's commands, which work synchronously. */
export function syncPathSync(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
