// Owns reading an export folder: its Markdown files, their front matter and the media index, checked with zod.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import * as z from 'zod'
import { PAGE_STATUSES, POST_KINDS, POST_STATUSES } from '../../db/schema.ts'
import { SLUG_PATTERN, slugify } from '../../lib/slugs.ts'
import { RESERVED_PAGE_SLUGS } from '../content/pages.ts'
import { fileNameFromSrc } from '../media/render.ts'
import { FrontMatterError, fromYaml, parseFrontMatter } from './front-matter.ts'
import { byCodeUnit, MEDIA_INDEX_FILE } from './records.ts'

export interface ImportCounts {
  created: number
  updated: number
  unchanged: number
}

export interface ImportProblem {
  /** Relative to the import folder, e.g. "posts/hello.md". */
  readonly file: string
  readonly reason: string
}

export interface ImportResult {
  readonly posts: ImportCounts
  readonly pages: ImportCounts
  readonly media: ImportCounts
  readonly settings: 'updated' | 'unchanged' | 'absent' | 'skipped'
  /** Files that were skipped, and why. */
  readonly problems: ImportProblem[]
}

/** A file that cannot be imported: reported with its name, skipped, and the import goes on. */
export class InvalidFile extends Error {}

const DATE_HINT = 'expected a date and time like 2024-05-01T09:30:00Z, or a date like 2024-05-01'

const dateField = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: DATE_HINT })
  .transform((value) => new Date(value))

/** YAML reads `title: 1984` as a number; a title, tag or series name is text all the same. */
const text = z.union([z.string(), z.number()], { error: 'expected text' }).transform(String)
const title = (missing: string) =>
  z
    .union([z.string(), z.number()], {
      error: (issue) => (issue.input === undefined ? missing : 'expected text'),
    })
    .transform(String)
    .refine((v) => v.trim() !== '', missing)
const optionalText = z
  .union([z.string(), z.number()], { error: 'expected text' })
  .transform(String)
  .nullable()
  .optional()

const slugField = z
  .string({ error: 'expected text' })
  .regex(SLUG_PATTERN, 'expected lower-case letters, digits and single hyphens, like my-first-post')
  // Folio folds accents ("café" → "cafe"); a slug it would rewrite could never be matched again.
  .refine((slug) => slugify(slug) === slug, {
    error: (issue) => `Folio writes this slug as "${slugify(String(issue.input))}"`,
  })

export const postSchema = z.strictObject({
  title: title('a post needs a title'),
  slug: slugField.optional(),
  kind: z.enum(POST_KINDS, { error: 'expected article or link' }).default('article'),
  status: z.enum(POST_STATUSES, { error: 'expected draft, published or scheduled' }).default('draft'),
  published_at: dateField.nullable().optional(),
  updated_at: dateField.optional(),
  tags: z
    .union([z.array(text), z.string().transform((v) => v.split(','))], {
      error: 'expected a list of tags, or tags separated by commas',
    })
    .nullable()
    .optional(),
  series: optionalText,
  series_part: z.int({ error: 'expected a whole number of 1 or more' }).min(1).nullable().optional(),
  link_url: optionalText,
  excerpt: optionalText,
  quote: optionalText,
  meta_description: optionalText,
  /** A /media/ URL of an image in the same export (or already in the library); null: none. Never an id: ids differ between sites. */
  feature_image: z
    .string({ error: 'expected the image’s /media/ URL' })
    .trim()
    .refine(
      (v) => v === '' || fileNameFromSrc(v) !== undefined,
      'expected the image’s /media/ URL, like /media/3f2a9c1b7d-harbour.jpg',
    )
    .nullable()
    .optional(),
})

export const pageSchema = z.strictObject({
  title: title('a page needs a title'),
  slug: slugField
    .refine((slug) => !RESERVED_PAGE_SLUGS.has(slug), 'that address belongs to one of Folio’s own routes')
    .optional(),
  status: z.enum(PAGE_STATUSES, { error: 'expected draft or published' }).default('draft'),
  nav_order: z.int({ error: 'expected a whole number from 0 to 999' }).min(0).max(999).nullable().optional(),
  meta_description: optionalText,
  updated_at: dateField.optional(),
})

export const MEDIA_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/
const mediaName = z.string({ error: 'expected a file name' }).regex(MEDIA_NAME, 'expected a plain file name')
const dimension = z.int({ error: 'expected a whole number of pixels' }).min(1)

const mediaEntrySchema = z.strictObject({
  file: mediaName,
  original_name: z.string().optional(),
  mime_type: z.string().optional(),
  width: dimension.optional(),
  height: dimension.optional(),
  alt: z.string({ error: 'expected text' }).nullable().optional(),
  created_at: dateField.optional(),
  variants: z
    .array(
      z.strictObject({
        file: mediaName,
        width: dimension,
        height: dimension,
        format: z.literal('webp', { error: 'expected webp' }).default('webp'),
      }),
    )
    .nullable()
    .optional(),
})

/** "tags.1: expected text" — the first thing wrong, named by its front matter key. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new InvalidFile(describeIssues(parsed.error))
  return parsed.data
}

export function readFrontMatterFile(path: string): { data: Record<string, unknown>; body: string } {
  try {
    return parseFrontMatter(readFileSync(path, 'utf8'))
  } catch (err) {
    if (err instanceof FrontMatterError) throw new InvalidFile(err.message)
    throw err
  }
}

/** The visible *.md files of a folder, in a stable order; none when the folder is absent. */
export function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.endsWith('.md'))
    .map((e) => e.name)
    .sort(byCodeUnit)
}

/** A file's slug: its front matter's, or one made from its name ("My Post.md" → my-post). */
export function slugFor(file: string, slug: string | undefined): string {
  const wanted = slug ?? slugify(basename(file, '.md'))
  if (!wanted) throw new InvalidFile('it has no slug, and none can be made from its file name')
  return wanted
}

export type MediaEntry = z.output<typeof mediaEntrySchema>

/**
 * The images media/index.yml lists, each checked on its own: a bad entry is reported and the rest
 * still come in. A missing index lists nothing; an unreadable one is reported as a whole.
 */
export function readMediaIndex(folder: string, problems: ImportProblem[]): MediaEntry[] {
  const indexPath = join(folder, MEDIA_INDEX_FILE)
  const indexLabel = `media/${MEDIA_INDEX_FILE}`
  if (!existsSync(indexPath)) return []
  const entries: MediaEntry[] = []
  try {
    const listed = fromYaml(readFileSync(indexPath, 'utf8')) ?? []
    if (!Array.isArray(listed)) throw new InvalidFile('expected a list of images, each starting "- file: …"')
    listed.forEach((item, i) => {
      const parsed = mediaEntrySchema.safeParse(item)
      if (parsed.success) entries.push(parsed.data)
      else problems.push({ file: indexLabel, reason: `image ${i + 1}: ${describeIssues(parsed.error)}` })
    })
  } catch (err) {
    if (!(err instanceof InvalidFile || err instanceof FrontMatterError)) throw err
    problems.push({ file: indexLabel, reason: err.message })
    return []
  }
  return entries
}
