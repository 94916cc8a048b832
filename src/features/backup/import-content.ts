// Owns importing posts, pages and settings from an export folder through the admin's own save functions.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import type { Db } from '../../db/client.ts'
import { pages, posts } from '../../db/schema.ts'
import { loadMarkdownPipeline } from '../../lib/markdown-here.ts'
import { RESERVED_PAGE_SLUGS, savePage } from '../content/pages.ts'
import { ContentInputError, type PostInput } from '../content/posts.ts'
import { savePostWithRevision } from '../content/revisions.ts'
import { applySettings } from '../settings/service.ts'
import { FrontMatterError, fromYaml } from './front-matter.ts'
import {
  type ImportCounts,
  type ImportProblem,
  InvalidFile,
  markdownFiles,
  pageSchema,
  parseWith,
  postSchema,
  readFrontMatterFile,
  slugFor,
} from './import-files.ts'
import {
  byCodeUnit,
  type PageRecord,
  type PostRecord,
  pageFileText,
  postFileText,
  readPageRecord,
  readPostRecord,
  SETTINGS_FILE,
} from './records.ts'

/** What happened to settings.yml. */
export type SettingsOutcome = 'updated' | 'unchanged' | 'absent' | 'skipped'

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
    featureImage:
      front.feature_image !== undefined
        ? front.feature_image?.trim() || null
        : (existing?.featureImage ?? null),
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
    featureImage: record.featureImage ?? '',
  }
}

interface SaveStep {
  readonly existed: boolean
  /** The site already says what the file says: nothing to save. */
  readonly unchanged: boolean
  readonly save: () => Promise<void>
}

/**
 * Saves each candidate whose file differs from the site, counting what happened. A save the
 * admin's own checks refuse is reported with the file's name; the others still go in. Saves are
 * awaited, so their errors are caught here even if saving becomes asynchronous.
 */
async function saveEachChanged<T extends { file: string }>(
  candidates: readonly T[],
  kind: 'posts' | 'pages',
  problems: ImportProblem[],
  stepFor: (candidate: T) => SaveStep,
): Promise<ImportCounts> {
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 }
  for (const candidate of candidates) {
    const step = stepFor(candidate)
    if (step.unchanged) {
      counts.unchanged += 1
      continue
    }
    try {
      await step.save()
    } catch (err) {
      if (!(err instanceof ContentInputError)) throw err
      problems.push({ file: `${kind}/${candidate.file}`, reason: `${err.field}: ${err.message}` })
      continue
    }
    if (step.existed) counts.updated += 1
    else counts.created += 1
  }
  return counts
}

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

export async function importPosts(
  db: Db,
  dir: string,
  now: Date,
  problems: ImportProblem[],
): Promise<ImportCounts> {
  // The admin's save functions render the Markdown on this thread.
  await loadMarkdownPipeline()
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
  return saveEachChanged(ordered, 'posts', problems, (candidate) => {
    const existing = readPostRecord(db, candidate.slug)
    const record = postRecordFrom(candidate, existing, now)
    return {
      existed: existing !== undefined,
      unchanged: existing !== undefined && postFileText(existing) === postFileText(record),
      // The admin's own save: Markdown, tags, series, search entry and a revision, in one transaction.
      save: async () => {
        const id = existing
          ? db.select({ id: posts.id }).from(posts).where(eq(posts.slug, candidate.slug)).get()?.id
          : undefined
        const input = postInputFrom(record)
        const options = id ? { id, now: record.updatedAt } : { now: record.updatedAt }
        try {
          await savePostWithRevision(db, input, options)
        } catch (err) {
          // A picture missing from the export costs the post its feature image, not the post.
          if (!(err instanceof ContentInputError) || err.field !== 'feature_image') throw err
          problems.push({
            file: `posts/${candidate.file}`,
            reason: `feature_image: ${record.featureImage} is not in the media library, so the post was imported without it`,
          })
          await savePostWithRevision(db, { ...input, featureImage: '' }, options)
        }
      },
    }
  })
}

interface PageCandidate {
  readonly file: string
  readonly slug: string
  readonly front: z.output<typeof pageSchema>
  readonly body: string
}

export async function importPages(
  db: Db,
  dir: string,
  now: Date,
  problems: ImportProblem[],
): Promise<ImportCounts> {
  // The admin's save functions render the Markdown on this thread.
  await loadMarkdownPipeline()
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
  return saveEachChanged(firstPerSlug(candidates, 'pages', problems), 'pages', problems, (candidate) => {
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
    return {
      existed: existing !== undefined,
      unchanged: existing !== undefined && pageFileText(existing) === pageFileText(record),
      save: async () => {
        const id = existing
          ? db.select({ id: pages.id }).from(pages).where(eq(pages.slug, candidate.slug)).get()?.id
          : undefined
        const { updatedAt, ...input } = record
        await savePage(db, input, id ? { id, now: updatedAt } : { now: updatedAt })
      },
    }
  })
}

/** settings.yml, applied the way the admin's settings form applies it; a refusal names the keys at fault. */
export async function importSettings(
  db: Db,
  dir: string,
  now: Date,
  problems: ImportProblem[],
): Promise<SettingsOutcome> {
  const path = join(dir, SETTINGS_FILE)
  if (!existsSync(path)) return 'absent'
  try {
    const applied = await applySettings(db, fromYaml(readFileSync(path, 'utf8')) ?? {}, now)
    if (applied.outcome !== 'refused') return applied.outcome
    const reason = applied.problems
      .slice(0, 3)
      .map((problem) =>
        problem.path.length ? `${problem.path.join('.')}: ${problem.message}` : problem.message,
      )
      .join('; ')
    problems.push({ file: SETTINGS_FILE, reason })
  } catch (err) {
    if (!(err instanceof FrontMatterError)) throw err
    problems.push({ file: SETTINGS_FILE, reason: err.message })
  }
  return 'skipped'
}
