// Owns turning one imported entry into what Folio's editor would save: its images brought in, its HTML as Markdown, its fields within Folio's limits.
import type { Db } from '../../db/client.ts'
import { slugify } from '../../lib/slugs.ts'
import { truncateText } from '../../lib/text.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import { PAGE_LIMITS, type PageInput, renderPageHtml, wantedPageSlug } from '../content/pages.ts'
import { POST_LIMITS } from '../content/post-rules.ts'
import { ContentInputError, type PostHtml, type PostInput, renderPostHtml } from '../content/posts.ts'
import { bodyToHtml, convertBody, htmlToMarkdown } from './convert.ts'
import type { ImageReport } from './images.ts'
import type { ImportBundle, ImportedEntry } from './model.ts'
import { addImages, type ImportReport } from './report.ts'

/**
 * How an entry's pictures come into the media library: the one part of an import that reaches
 * the network (or --media-dir). In a dry run they fetch nothing and say what they would do.
 */
export interface ImageSteps {
  /** The HTML pointing at the library's copies of its images. */
  localizeImages(html: string): Promise<ImageReport & { readonly html: string }>
  /** The image as a library reference for savePost, or undefined when it could not be brought in. */
  localizeFeatureImage(url: string): Promise<ImageReport & { readonly reference: string | undefined }>
}

export type PreparedEntry =
  | { readonly kind: 'post'; readonly input: PostInput; readonly html: PostHtml }
  | { readonly kind: 'page'; readonly input: PageInput; readonly bodyHtml: string }

/** The title Folio shows: WordPress allows none, Folio needs one within its limit. */
export function titleOf(entry: ImportedEntry): string {
  const title = entry.title.trim().replace(/\s+/g, ' ')
  return truncateText(title || 'Untitled', POST_LIMITS.title)
}

/** The slug the entry asks for, before it is made unique (and, for a page, kept off Folio's own routes). */
export function wantedSlugOf(entry: ImportedEntry, title: string): string {
  return entry.kind === 'page'
    ? wantedPageSlug(entry.slug, title)
    : slugify(entry.slug.trim() || title) || 'untitled'
}

/** Notes the report shows about an entry whose fields had to change to fit Folio. */
function fitNotes(entry: ImportedEntry, title: string): string[] {
  const notes: string[] = []
  if (!entry.title.trim()) notes.push('had no title: imported as “Untitled”')
  else if (title !== entry.title.trim().replace(/\s+/g, ' '))
    notes.push(`title shortened to ${POST_LIMITS.title} characters`)
  if (entry.metaDescription.trim().length > POST_LIMITS.metaDescription)
    notes.push(`meta description shortened to ${POST_LIMITS.metaDescription} characters`)
  return notes
}

const tagNameOf = (name: string): string =>
  truncateText(name.trim().replace(/\s+/g, ' '), POST_LIMITS.tagLength)

/** The Folio tag an old tag or category becomes: by its name, as savePost finds or makes it. */
export const tagSlugOf = (name: string): string => slugify(tagNameOf(name))

const quotedList = (names: readonly string[]): string => names.map((name) => `“${name}”`).join(', ')

/**
 * Tags by name, each once, within Folio's limits on their number and length. A tag whose name has
 * nothing to make an address from ("!!!") is left out, and so are those past the limit: each named
 * in `notes` (their old addresses then lead to the list of tags).
 */
function tagNamesOf(entry: ImportedEntry, notes: string[]): string[] {
  const bySlug = new Map<string, string>()
  const unaddressable: string[] = []
  for (const tag of entry.tags) {
    const name = tagNameOf(tag.name)
    if (name !== tag.name.trim().replace(/\s+/g, ' ')) notes.push(`tag “${tag.name}” shortened to “${name}”`)
    const slug = slugify(name)
    if (!slug) unaddressable.push(tag.name)
    else if (!bySlug.has(slug)) bySlug.set(slug, name)
  }
  if (unaddressable.length > 0)
    notes.push(
      `${unaddressable.length === 1 ? 'tag' : 'tags'} ${quotedList(unaddressable)} left out: a tag needs a letter or digit for its address`,
    )
  const names = [...bySlug.values()]
  const kept = names.slice(0, POST_LIMITS.tagCount)
  if (names.length > kept.length)
    notes.push(
      `${names.length} tags: only the first ${POST_LIMITS.tagCount} were kept; left out: ${quotedList(names.slice(kept.length))}`,
    )
  return kept
}

type PrepareContext = { readonly images: ImageSteps; readonly attachmentUrls: ImportBundle['attachmentUrls'] }

/** The body as Markdown: WordPress's shortcodes and paragraphs made HTML, its images brought in, then converted. */
async function bodyMarkdown(
  context: PrepareContext,
  entry: ImportedEntry,
  title: string,
  report: ImportReport,
): Promise<string> {
  const html = bodyToHtml(entry.body, entry.bodyFormat, {
    attachmentUrls: context.attachmentUrls,
    attachedImages: entry.attachedImages,
  })
  const images = await context.images.localizeImages(html.html)
  addImages(report, images)
  const body = htmlToMarkdown(images.html)
  if (body.keptHtml.length > 0) report.keptHtml.push({ title, items: body.keptHtml })
  if (body.removed.length > 0) report.removed.push({ title, items: body.removed })
  if (html.unconvertedShortcodes.length > 0)
    report.unconvertedShortcodes.push({ title, items: html.unconvertedShortcodes })
  return body.markdown
}

/**
 * A quote post's quotation as Folio's link post stores it: the text inside its quote block. It is
 * converted inside a blockquote again, in the entry's own format (WordPress's line breaks are
 * paragraphs), so that a `<cite>` at its end reads as the attribution ("— Mark Twain").
 */
function quoteMarkdown(entry: ImportedEntry): string {
  const html = entry.quoteHtml.trim()
  if (!html) return ''
  const quote = /^<blockquote\b/i.test(html) ? html : `<blockquote>${html}</blockquote>`
  const markdown = convertBody(quote, entry.bodyFormat).markdown
  const lines = markdown.split('\n')
  return lines.every((line) => line.startsWith('>'))
    ? lines
        .map((line) => line.replace(/^> ?/, ''))
        .join('\n')
        .trim()
    : markdown
}

async function preparePage(db: Db, entry: ImportedEntry, fields: PageInput, notes: string[]) {
  if (entry.status === 'scheduled')
    notes.push('scheduled on the old site: a page cannot wait, so it is a draft')
  if (fields.bodyMd.length > PAGE_LIMITS.body)
    throw new ContentInputError('body', `The text is too long: use at most ${PAGE_LIMITS.body} characters.`)
  return { kind: 'page', input: fields, bodyHtml: await renderPageHtml(db, fields.bodyMd) } as const
}

async function preparePost(
  db: Db,
  context: PrepareContext,
  entry: ImportedEntry,
  fields: Pick<PostInput, 'title' | 'bodyMd' | 'metaDescription'>,
  notes: string[],
  report: ImportReport,
) {
  const convert = (html: string) => (html.trim() ? convertBody(html, 'html').markdown : '')
  let excerptMd = convert(entry.excerpt)
  if (excerptMd.length > POST_LIMITS.excerpt) {
    notes.push(`excerpt longer than ${POST_LIMITS.excerpt} characters: left out`)
    excerptMd = ''
  }
  const isLink = isHttpUrl(entry.linkUrl)
  if (entry.linkUrl && !isLink)
    notes.push(`link ${entry.linkUrl} is not a web address: imported as an article`)
  let status = entry.status
  if (status === 'scheduled' && !entry.publishedAt) {
    notes.push('scheduled without a date: imported as a draft')
    status = 'draft'
  }
  let featureImage: string | undefined
  if (entry.featureImageUrl) {
    const feature = await context.images.localizeFeatureImage(entry.featureImageUrl)
    addImages(report, feature)
    featureImage = feature.reference
  }
  const input: PostInput = {
    ...fields,
    kind: isLink ? 'link' : 'article',
    excerptMd,
    linkUrl: isLink ? entry.linkUrl : undefined,
    quoteMd: quoteMarkdown(entry),
    tags: tagNamesOf(entry, notes),
    status,
    publishedAt: entry.publishedAt ?? undefined,
    featureImage,
  }
  return { kind: 'post', input, html: await renderPostHtml(db, input) } as const
}

/**
 * The entry as savePost or savePage takes it (all but its slug, which the writer makes unique):
 * images brought in, body, excerpt and quotation as Markdown, fields within Folio's limits, and
 * rendered. What needs the operator's eye goes into `report`; a body Folio refuses is a
 * ContentInputError.
 */
export async function prepareEntry(
  db: Db,
  context: PrepareContext,
  entry: ImportedEntry,
  report: ImportReport,
): Promise<PreparedEntry> {
  const title = titleOf(entry)
  const notes = [...entry.notes, ...fitNotes(entry, title)]
  const bodyMd = await bodyMarkdown(context, entry, title, report)
  const metaDescription = truncateText(entry.metaDescription.trim(), POST_LIMITS.metaDescription)
  const prepared =
    entry.kind === 'page'
      ? await preparePage(
          db,
          entry,
          {
            title,
            bodyMd,
            metaDescription,
            status: entry.status === 'published' ? 'published' : 'draft',
            navOrder: null,
          },
          notes,
        )
      : await preparePost(db, context, entry, { title, bodyMd, metaDescription }, notes, report)
  report.entryNotes.push(...notes.map((note) => ({ kind: entry.kind, title, note })))
  return prepared
}
