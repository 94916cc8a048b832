// Owns an image's files in MEDIA_DIR: the names Folio gives them, and writing and removing them durably.
import { mkdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Media } from '../../db/schema.ts'
import { syncPath, writeFileAtomically } from '../../lib/durable-files.ts'
import { slugify } from '../../lib/slugs.ts'
import type { PreparedImage } from './pipeline.ts'
import { IMAGE_TYPES, type ImageFormat } from './sniff.ts'

export interface MediaVariant {
  readonly width: number
  readonly height: number
  readonly format: 'webp'
  readonly fileName: string
}

/**
 * A stored name: plain ASCII (so URLs and Markdown never need escaping), no leading dot, and the
 * extension of a format Folio writes (WebP copies included). /media/ serves nothing else.
 */
export const STORED_NAME = new RegExp(
  `^[A-Za-z0-9_][A-Za-z0-9_.-]{0,194}\\.(?:${Object.values(IMAGE_TYPES)
    .map((type) => type.extension)
    .join('|')})$`,
)

/** The stored name's readable part: ASCII only, so URLs and Markdown never need escaping. */
export function storedNameStem(originalName: string): string {
  const base = originalName.split(/[/\\]/).pop() ?? ''
  const withoutExtension = base.replace(/\.[^.]*$/, '')
  const stem = slugify(withoutExtension)
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '')
  return stem || 'image'
}

/** Whether a stored name's extension is the one Folio writes for `format` (".jpg" for JPEG, …). */
export const hasExtensionFor = (fileName: string, format: ImageFormat): boolean =>
  fileName.endsWith(`.${IMAGE_TYPES[format].extension}`)

/** "abc-photo.jpg" → its WebP copies "abc-photo-480.webp", … */
export function variantsFor(fileName: string, image: PreparedImage): MediaVariant[] {
  const stem = fileName.replace(/\.[^.]*$/, '')
  return image.variants.map((v) => ({
    width: v.width,
    height: v.height,
    format: 'webp',
    fileName: `${stem}-${v.width}.webp`,
  }))
}

/** The variants column, read defensively: a bad value means "no variants", never a crash. */
export function parseVariants(json: string): MediaVariant[] {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return []
  }
  if (!Array.isArray(value)) return []
  return value
    .filter(
      (v): v is MediaVariant =>
        typeof v === 'object' &&
        v !== null &&
        typeof v.width === 'number' &&
        typeof v.height === 'number' &&
        typeof v.fileName === 'string',
    )
    .sort((a, b) => a.width - b.width)
}

/** Every file a library entry owns: the original, then its WebP copies. */
export const fileNamesOf = (row: Pick<Media, 'fileName' | 'variants'>): string[] => [
  row.fileName,
  ...parseVariants(row.variants).map((v) => v.fileName),
]

export async function removeFiles(dir: string, fileNames: readonly string[]): Promise<void> {
  await Promise.all(
    fileNames.map((name) =>
      unlink(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
      }),
    ),
  )
}

/**
 * Writes the original and its copies, each whole or not at all, and syncs the folder so the names
 * survive a crash before the row that points at them is committed. On failure nothing is left.
 */
export async function writeImageFiles(
  dir: string,
  fileName: string,
  variants: readonly MediaVariant[],
  image: PreparedImage,
): Promise<void> {
  const written = [fileName, ...variants.map((v) => v.fileName)]
  await mkdir(dir, { recursive: true })
  try {
    await writeFileAtomically(dir, fileName, image.original)
    for (const [i, variant] of image.variants.entries())
      await writeFileAtomically(dir, written[i + 1] as string, variant.data)
    await syncPath(dir)
  } catch (err) {
    await removeFiles(dir, written).catch(() => {})
    throw err
  }
}
