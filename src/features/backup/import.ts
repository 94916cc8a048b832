// Owns `import DIR`: reading an export folder back into a site through the admin's own services.
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs'
import { basename, join } from 'node:path'
import { eq } from 'drizzle-orm'
import sharp from 'sharp'
import { z } from 'zod'
import type { Db } from '../../db/client.ts'
import { media, PAGE_STATUSES, POST_KINDS, POST_STATUSES, pages, posts } from '../../db/schema.ts'
import { SLUG_PATTERN, slugify } from '../../lib/slugs.ts'
import { RESERVED_PAGE_SLUGS, savePage } from '../content/pages.ts'
import { ContentInputError, type PostInput } from '../content/posts.ts'
import { savePostWithRevision } from '../content/revisions.ts'
import { cleanAlt, findMediaByFileName, MediaInputError, updateAlt } from '../media/service.ts'
import { IMAGE_TYPES, sniffImageFormat } from '../media/sniff.ts'
import { type SettingsInput, saveSettings, settingsSchema } from '../settings/service.ts'
import {
  byCodeUnit,
  MEDIA_INDEX_FILE,
  type PageRecord,
  type PostRecord,
  pageFileText,
  postFileText,
  readPageRecord,
  readPostRecord,
  readSettings,
  SETTINGS_FILE,
  settingsFileText,
} from './export.ts'
import { FrontMatterError, fromYaml, parseFrontMatter } from './front-matter.ts'

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

export class ImportFolderError extends Error {
  override name = 'ImportFolderError'
}

/** A file that cannot be imported: reported with its name, skipped, and the import goes on. */
class InvalidFile extends Error {}

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

const postSchema = z.strictObject({
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
})

const pageSchema = z.strictObject({
  title: title('a page needs a title'),
  slug: slugField
    .refine((slug) => !RESERVED_PAGE_SLUGS.has(slug), 'that address belongs to one of Folio’s own routes')
    .optional(),
  status: z.enum(PAGE_STATUSES, { error: 'expected draft or published' }).default('draft'),
  nav_order: z.int({ error: 'expected a whole number from 0 to 999' }).min(0).max(999).nullable().optional(),
  meta_description: optionalText,
  updated_at: dateField.optional(),
})

const MEDIA_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/
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

function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new InvalidFile(describeIssues(parsed.error))
  return parsed.data
}

function readFrontMatterFile(path: string): { data: Record<string, unknown>; body: string } {
  try {
    return parseFrontMatter(readFileSync(path, 'utf8'))
  } catch (err) {
    if (err instanceof FrontMatterError) throw new InvalidFile(err.message)
    throw err
  }
}

/** The visible *.md files of a folder, in a stable order; none when the folder is absent. */
function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.endsWith('.md'))
    .map((e) => e.name)
    .sort(byCodeUnit)
}

/** A file's slug: its front matter's, or one made from its name ("My Post.md" → my-post). */
function slugFor(file: string, slug: string | undefined): string {
  const wanted = slug ?? slugify(basename(file, '.md'))
  if (!wanted) throw new InvalidFile('it has no slug, and none can be made from its file name')
  return wanted
}

interface PostCandidate {
  readonly file: string
  readonly slug: string
  readonly front: z.output<typeof postSchema>
  readonly body: string
}

function readPostFile(dir: string, file: string): PostCandidate {
  const { data, body } = readFrontMatterFile(join(dir, file))
  const front = parseWith(postSchema, data)
  return { file, slug: slugFor(file, front.slug), front, body }
}

/**
 * The post a file describes, as export would write it. Where the file is silent (no date, no
 * part number) the post keeps what it has, so a hand-written file only changes what it says.
 */
function postRecordFrom(candidate: PostCandidate, existing: PostRecord | undefined, now: Date): PostRecord {
  const { front, body } = candidate
  const series = front.series?.trim() || null
  const tagNames = [...new Set((front.tags ?? []).map((t) => t.trim()).filter(Boolean))].sort(byCodeUnit)
  return {
    title: front.title.trim(),
    slug: candidate.slug,
    kind: front.kind,
    status: front.status,
    publishedAt: front.published_at !== undefined ? front.published_at : (existing?.publishedAt ?? null),
    updatedAt: front.updated_at ?? existing?.updatedAt ?? now,
    tags: tagNames,
    series,
    seriesPart: series
      ? (front.series_part ?? (existing?.series === series ? existing.seriesPart : null))
      : null,
    linkUrl: front.kind === 'link' ? (front.link_url ?? null) : null,
    excerptMd: front.excerpt ?? '',
    quoteMd: front.quote ?? '',
    metaDescription: front.meta_description?.trim() ?? '',
    bodyMd: body,
  }
}

function postInputFrom(record: PostRecord): PostInput {
  return {
    title: record.title,
    slug: record.slug,
    kind: record.kind,
    bodyMd: record.bodyMd,
    excerptMd: record.excerptMd,
    linkUrl: record.linkUrl ?? undefined,
    quoteMd: record.quoteMd,
    tags: record.tags,
    series: record.series ?? '',
    seriesPart: record.seriesPart ?? undefined,
    status: record.status,
    publishedAt: record.publishedAt ?? undefined,
    metaDescription: record.metaDescription,
  }
}

const contentProblem = (err: ContentInputError): string => `${err.field}: ${err.message}`

/** Rejects a second file claiming a slug an earlier file of the import already took. */
function firstPerSlug<T extends { file: string; slug: string }>(
  candidates: T[],
  kind: 'posts' | 'pages',
  problems: ImportProblem[],
): T[] {
  const seen = new Map<string, string>()
  return candidates.filter((c) => {
    const earlier = seen.get(c.slug)
    if (earlier) {
      problems.push({
        file: `${kind}/${c.file}`,
        reason: `slug "${c.slug}" is already used by ${kind}/${earlier}`,
      })
      return false
    }
    seen.set(c.slug, c.file)
    return true
  })
}

function importPosts(db: Db, dir: string, now: Date, problems: ImportProblem[]): ImportCounts {
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 }
  const folder = join(dir, 'posts')
  const candidates: PostCandidate[] = []
  for (const file of markdownFiles(folder)) {
    try {
      candidates.push(readPostFile(folder, file))
    } catch (err) {
      if (!(err instanceof InvalidFile)) throw err
      problems.push({ file: `posts/${file}`, reason: err.message })
    }
  }
  // Oldest first, so new posts get ids in the order they were written, as on the original site.
  const when = (c: PostCandidate) => c.front.published_at?.getTime() ?? Number.POSITIVE_INFINITY
  const ordered = firstPerSlug(candidates, 'posts', problems).sort(
    (a, b) => when(a) - when(b) || byCodeUnit(a.slug, b.slug),
  )
  for (const candidate of ordered) {
    const existing = readPostRecord(db, candidate.slug)
    const record = postRecordFrom(candidate, existing, now)
    if (existing && postFileText(existing) === postFileText(record)) {
      counts.unchanged += 1
      continue
    }
    const id = existing
      ? db.select({ id: posts.id }).from(posts).where(eq(posts.slug, candidate.slug)).get()?.id
      : undefined
    try {
      // The admin's own save: Markdown, tags, series, search entry and a revision, in one transaction.
      savePostWithRevision(
        db,
        postInputFrom(record),
        id ? { id, now: record.updatedAt } : { now: record.updatedAt },
      )
    } catch (err) {
      if (!(err instanceof ContentInputError)) throw err
      problems.push({ file: `posts/${candidate.file}`, reason: contentProblem(err) })
      continue
    }
    if (existing) counts.updated += 1
    else counts.created += 1
  }
  return counts
}

interface PageCandidate {
  readonly file: string
  readonly slug: string
  readonly front: z.output<typeof pageSchema>
  readonly body: string
}

function importPages(db: Db, dir: string, now: Date, problems: ImportProblem[]): ImportCounts {
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 }
  const folder = join(dir, 'pages')
  const candidates: PageCandidate[] = []
  for (const file of markdownFiles(folder)) {
    try {
      const { data, body } = readFrontMatterFile(join(folder, file))
      const front = parseWith(pageSchema, data)
      const slug = slugFor(file, front.slug)
      if (RESERVED_PAGE_SLUGS.has(slug))
        throw new InvalidFile(
          `slug: "${slug}" belongs to one of Folio’s own routes; give the page another slug`,
        )
      candidates.push({ file, slug, front, body })
    } catch (err) {
      if (!(err instanceof InvalidFile)) throw err
      problems.push({ file: `pages/${file}`, reason: err.message })
    }
  }
  for (const candidate of firstPerSlug(candidates, 'pages', problems)) {
    const existing = readPageRecord(db, candidate.slug)
    const { front } = candidate
    const record: PageRecord = {
      title: front.title.trim(),
      slug: candidate.slug,
      status: front.status,
      navOrder: front.nav_order !== undefined ? front.nav_order : (existing?.navOrder ?? null),
      metaDescription: front.meta_description?.trim() ?? '',
      updatedAt: front.updated_at ?? existing?.updatedAt ?? now,
      bodyMd: candidate.body,
    }
    if (existing && pageFileText(existing) === pageFileText(record)) {
      counts.unchanged += 1
      continue
    }
    const id = existing
      ? db.select({ id: pages.id }).from(pages).where(eq(pages.slug, candidate.slug)).get()?.id
      : undefined
    try {
      savePage(
        db,
        {
          title: record.title,
          slug: record.slug,
          bodyMd: record.bodyMd,
          status: record.status,
          metaDescription: record.metaDescription,
          navOrder: record.navOrder,
        },
        id ? { id, now: record.updatedAt } : { now: record.updatedAt },
      )
    } catch (err) {
      if (!(err instanceof ContentInputError)) throw err
      problems.push({ file: `pages/${candidate.file}`, reason: contentProblem(err) })
      continue
    }
    if (existing) counts.updated += 1
    else counts.created += 1
  }
  return counts
}

function importSettings(db: Db, dir: string, now: Date, problems: ImportProblem[]): ImportResult['settings'] {
  const path = join(dir, SETTINGS_FILE)
  if (!existsSync(path)) return 'absent'
  try {
    const data = fromYaml(readFileSync(path, 'utf8')) ?? {}
    const input = parseWith(settingsSchema.partial().strict(), data)
    const current = readSettings(db)
    if (settingsFileText({ ...current, ...input } as SettingsInput) === settingsFileText(current))
      return 'unchanged'
    saveSettings(db, input, now)
    return 'updated'
  } catch (err) {
    if (!(err instanceof InvalidFile || err instanceof FrontMatterError)) throw err
    problems.push({ file: SETTINGS_FILE, reason: err.message })
    return 'skipped'
  }
}

/** Copies into MEDIA_DIR under a hidden name, then renames, so the server never serves half a file. */
function copyIntoMediaDir(from: string, mediaDir: string, name: string): void {
  const temporary = join(mediaDir, `.${name}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    copyFileSync(from, temporary)
    renameSync(temporary, join(mediaDir, name))
  } catch (err) {
    if (existsSync(temporary)) unlinkSync(temporary)
    throw err
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

type MediaEntry = z.output<typeof mediaEntrySchema>

/**
 * Images are copied as they are, under their stored names, and recorded in the library. They are
 * not re-uploaded through saveUpload: that would re-encode them under a new hashed name, and the
 * /media/<file> links in every imported post would point nowhere.
 */
async function importMedia(
  db: Db,
  dir: string,
  mediaDir: string,
  now: Date,
  problems: ImportProblem[],
): Promise<ImportCounts> {
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 }
  const folder = join(dir, 'media')
  if (!existsSync(folder)) return counts
  const indexLabel = `media/${MEDIA_INDEX_FILE}`

  let entries: MediaEntry[] = []
  const indexPath = join(folder, MEDIA_INDEX_FILE)
  if (existsSync(indexPath)) {
    try {
      const listed = fromYaml(readFileSync(indexPath, 'utf8')) ?? []
      if (!Array.isArray(listed))
        throw new InvalidFile('expected a list of images, each starting "- file: …"')
      listed.forEach((item, i) => {
        const parsed = mediaEntrySchema.safeParse(item)
        if (parsed.success) entries.push(parsed.data)
        else problems.push({ file: indexLabel, reason: `image ${i + 1}: ${describeIssues(parsed.error)}` })
      })
    } catch (err) {
      if (!(err instanceof InvalidFile || err instanceof FrontMatterError)) throw err
      problems.push({ file: indexLabel, reason: err.message })
      entries = []
    }
  }
  // Images added to the folder by hand, without an index entry, come in with no alt text.
  const listed = new Set(entries.flatMap((e) => [e.file, ...(e.variants ?? []).map((v) => v.file)]))
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.') || entry.name === MEDIA_INDEX_FILE) continue
    if (listed.has(entry.name)) continue
    if (!MEDIA_NAME.test(entry.name)) {
      problems.push({
        file: `media/${entry.name}`,
        reason: 'its name may only use letters, digits, ".", "-" and "_"',
      })
      continue
    }
    entries.push({ file: entry.name })
  }
  entries.sort((a, b) => byCodeUnit(a.file, b.file))

  mkdirSync(mediaDir, { recursive: true })
  let copied = false
  for (const entry of entries) {
    const label = `media/${entry.file}`
    try {
      const source = join(folder, entry.file)
      if (!existsSync(source)) throw new InvalidFile(`${indexLabel} lists it, but the file is not in media/`)
      const head = readFileSync(source).subarray(0, 64)
      const format = sniffImageFormat(head)
      if (!format) throw new InvalidFile('it is not a JPEG, PNG, WebP, GIF or AVIF image')
      const variants = entry.variants ?? []
      for (const variant of variants)
        if (!existsSync(join(folder, variant.file)))
          throw new InvalidFile(`its resized copy ${variant.file} is listed but not in media/`)
      const alt = cleanAltOrInvalid(entry.alt ?? '')

      const files = [entry.file, ...variants.map((v) => v.file)]
      const missing = files.filter((name) => !existsSync(join(mediaDir, name)))
      const existing = findMediaByFileName(db, entry.file)
      if (existing) {
        // Stored names carry a hash of the upload: a file already in MEDIA_DIR is this image.
        for (const name of missing) copyIntoMediaDir(join(folder, name), mediaDir, name)
        copied ||= missing.length > 0
        if (existing.alt !== alt) updateAlt(db, existing.id, alt)
        if (existing.alt !== alt || missing.length > 0) counts.updated += 1
        else counts.unchanged += 1
        continue
      }
      let { width, height } = entry
      if (width === undefined || height === undefined) {
        const metadata = await sharp(source, { animated: true })
          .metadata()
          .catch(() => undefined)
        if (!metadata?.width || !metadata.height)
          throw new InvalidFile('the image is damaged and cannot be read')
        width = metadata.width
        height = metadata.pageHeight ?? metadata.height
      }
      for (const name of missing) copyIntoMediaDir(join(folder, name), mediaDir, name)
      copied ||= missing.length > 0
      db.insert(media)
        .values({
          fileName: entry.file,
          originalName: entry.original_name || entry.file,
          mimeType: IMAGE_TYPES[format].mimeType,
          width,
          height,
          bytes: statSync(source).size,
          alt,
          variants: JSON.stringify(
            variants.map((v) => ({ width: v.width, height: v.height, format: v.format, fileName: v.file })),
          ),
          createdAt: entry.created_at ?? now,
        })
        .run()
      counts.created += 1
    } catch (err) {
      if (!(err instanceof InvalidFile)) throw err
      problems.push({ file: label, reason: err.message })
    }
  }
  // The rows say the files exist; make the files' names durable before anything links to them.
  if (copied) syncDirectory(mediaDir)
  return counts
}

function cleanAltOrInvalid(alt: string): string {
  try {
    return cleanAlt(alt)
  } catch (err) {
    if (err instanceof MediaInputError) throw new InvalidFile(`alt: ${err.message}`)
    throw err
  }
}

export interface ImportOptions {
  readonly mediaDir: string
  readonly now?: Date
}

/**
 * Reads an export folder (see export.ts for its layout) into the site: media first, so the posts
 * that show them render with their sizes, then settings, pages and posts. Posts and pages are
 * matched by slug: an existing one is updated, a new one created, and nothing is deleted.
 * An invalid file is reported in `problems` and skipped; everything else is still imported.
 */
export async function importSite(db: Db, dir: string, options: ImportOptions): Promise<ImportResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ImportFolderError(`There is no folder ${dir}.`)
  const parts = [SETTINGS_FILE, 'posts', 'pages', 'media']
  if (!parts.some((part) => existsSync(join(dir, part))))
    throw new ImportFolderError(
      `${dir} holds none of settings.yml, posts/, pages/ or media/, so it is not a folder \`export\` wrote.`,
    )
  const now = options.now ?? new Date()
  const problems: ImportProblem[] = []
  const mediaCounts = await importMedia(db, dir, options.mediaDir, now, problems)
  const settings = importSettings(db, dir, now, problems)
  const pageCounts = importPages(db, dir, now, problems)
  const postCounts = importPosts(db, dir, now, problems)
  return { posts: postCounts, pages: pageCounts, media: mediaCounts, settings, problems }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

const describeCounts = (c: ImportCounts): string =>
  `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`

const SETTINGS_OUTCOMES: Record<ImportResult['settings'], string> = {
  updated: 'updated',
  unchanged: 'unchanged',
  absent: 'no settings.yml, left as they are',
  skipped: 'not imported (see below), left as they are',
}

/** What `import` prints; the problems go to stderr. */
export function describeImport(result: ImportResult, dir: string): { out: string; err: string } {
  const out = [
    `Imported ${dir}:`,
    `  posts:    ${describeCounts(result.posts)}`,
    `  pages:    ${describeCounts(result.pages)}`,
    `  media:    ${describeCounts(result.media)}`,
    `  settings: ${SETTINGS_OUTCOMES[result.settings]}`,
  ].join('\n')
  const err = result.problems.length
    ? [
        `Skipped ${plural(result.problems.length, 'item')}:`,
        ...result.problems.map((p) => `  ${p.file}: ${p.reason}`),
      ].join('\n')
    : ''
  return { out, err }
}
