// Owns the post editor's form: its zod schema, the values it shows, and the posts list's filters.
import * as z from 'zod'
import { POST_KINDS, POST_STATUSES } from '../../../db/schema.ts'
import { fromLocalInput, toLocalInput } from '../../../lib/dates.ts'
import { type FieldErrors, fieldErrors } from '../../../lib/form-errors.ts'
import { slugify } from '../../../lib/slugs.ts'
import { atMost, linkAndDateProblems, POST_LIMITS, POST_MESSAGES } from '../../content/post-rules.ts'
import type { PostInput } from '../../content/posts.ts'
import type { EditablePost } from '../../content/revisions.ts'
import { type PostState, postState } from '../../content/visibility.ts'
import type { AdminPostFilters } from './queries.ts'

const SHOWN_STATUSES: readonly PostState[] = ['draft', 'scheduled', 'published']

/** Every field the editor posts, by its contract name. */
export const POST_FIELDS = [
  'title',
  'slug',
  'kind',
  'body',
  'excerpt',
  'link_url',
  'quote',
  'tags',
  'series',
  'series_part',
  'meta_description',
  'feature_image',
  'status',
  'published_at',
] as const

export type PostField = (typeof POST_FIELDS)[number]
export type PostFormValues = Record<PostField, string>

/** What the error summary calls each field, so a message can be read without its label. */
export const POST_FIELD_LABELS: Record<PostField, string> = {
  title: 'Title',
  slug: 'Address (slug)',
  kind: 'Kind',
  body: 'Text',
  excerpt: 'Excerpt',
  link_url: 'Link URL',
  quote: 'Quoted passage',
  tags: 'Tags',
  series: 'Series',
  series_part: 'Part number',
  meta_description: 'Meta description',
  feature_image: 'Feature image',
  status: 'Status',
  published_at: 'Publish date and time',
}

/** The longest value each text field of the editor takes, by its form name (the schema below checks the same). */
export const POST_FIELD_LIMITS: Partial<Record<PostField, number>> = {
  title: POST_LIMITS.title,
  slug: POST_LIMITS.slug,
  body: POST_LIMITS.body,
  excerpt: POST_LIMITS.excerpt,
  link_url: POST_LIMITS.linkUrl,
  quote: POST_LIMITS.quote,
  tags: POST_LIMITS.tagsField,
  series: POST_LIMITS.series,
  meta_description: POST_LIMITS.metaDescription,
}
/** An id or a /media/ URL, absolute or not: never longer than this. */
const FEATURE_IMAGE_REFERENCE_LENGTH = 500

export const EMPTY_POST_VALUES: PostFormValues = {
  title: '',
  slug: '',
  kind: 'article',
  body: '',
  excerpt: '',
  link_url: '',
  quote: '',
  tags: '',
  series: '',
  series_part: '',
  meta_description: '',
  feature_image: '',
  status: 'draft',
  published_at: '',
}

/** The editor's fields for a stored post, its date in the author's timezone. */
export function valuesFromPost(post: EditablePost, timeZone: string, now: Date): PostFormValues {
  return {
    title: post.title,
    slug: post.slug,
    kind: post.kind,
    body: post.bodyMd,
    excerpt: post.excerptMd,
    link_url: post.linkUrl ?? '',
    quote: post.quoteMd,
    tags: post.tags,
    series: post.series,
    series_part: post.series && post.seriesPart !== null ? String(post.seriesPart) : '',
    meta_description: post.metaDescription,
    feature_image: post.featureImageId === null ? '' : String(post.featureImageId),
    // A scheduled post whose time has come is published: saving it again must not ask for a future date.
    status: postState(post, now),
    published_at: toLocalInput(post.publishedAt, timeZone),
  }
}

/**
 * The editor's fields from a parsed form body; anything missing is empty, never undefined, except
 * the feature image: a plain POST written before it existed leaves the post's own as it is.
 */
export function postFormValues(fields: Record<string, string>, current?: EditablePost): PostFormValues {
  const values = { ...EMPTY_POST_VALUES }
  for (const name of POST_FIELDS) values[name] = fields[name] ?? ''
  if (fields.feature_image === undefined && current?.featureImageId)
    values.feature_image = String(current.featureImageId)
  return values
}

// Browsers send textareas with CRLF; stored Markdown and revision diffs use plain newlines.
const multiline = (max: number, message: string) =>
  z
    .string()
    .max(max, message)
    .transform((v) => v.replace(/\r\n?/g, '\n'))

export function splitTags(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
}

export interface PostFormOptions {
  readonly timeZone: string
  readonly now: Date
  /** The post's stored date, when editing one. */
  readonly currentDate?: Date | null | undefined
}

/**
 * The editor's schema for one request: `timeZone` reads `published_at`, `now` decides what
 * "in the future" means. Its output is the input savePost takes.
 */
export function postFormSchema(options: PostFormOptions) {
  const { timeZone, now, currentDate } = options
  // The field shows minutes only: an unchanged value keeps the stored instant, seconds and all.
  const readDate = (v: string): Date | undefined =>
    currentDate && v === toLocalInput(currentDate, timeZone) ? currentDate : fromLocalInput(v, timeZone)
  return z
    .object({
      title: z.string().trim().min(1, POST_MESSAGES.title).max(POST_LIMITS.title, atMost(POST_LIMITS.title)),
      slug: z
        .string()
        .trim()
        .max(POST_LIMITS.slug, atMost(POST_LIMITS.slug))
        .refine((v) => v === '' || slugify(v) !== '', 'Use at least one letter or digit, or leave it empty.'),
      kind: z.enum(POST_KINDS, 'Choose article or link.'),
      body: multiline(POST_LIMITS.body, POST_MESSAGES.body),
      excerpt: multiline(POST_LIMITS.excerpt, atMost(POST_LIMITS.excerpt)),
      link_url: z.string().trim().max(POST_LIMITS.linkUrl, atMost(POST_LIMITS.linkUrl)),
      quote: multiline(POST_LIMITS.quote, atMost(POST_LIMITS.quote)),
      tags: z
        .string()
        .max(POST_LIMITS.tagsField, 'Too many tags.')
        .transform(splitTags)
        .refine((tags) => tags.length <= POST_LIMITS.tagCount, POST_MESSAGES.tagCount)
        .refine((tags) => tags.every((t) => t.length <= POST_LIMITS.tagLength), POST_MESSAGES.tagLength)
        .refine(
          (tags) => tags.every((t) => slugify(t) !== ''),
          'Each tag needs at least one letter or digit.',
        ),
      series: z
        .string()
        .trim()
        .max(POST_LIMITS.series, atMost(POST_LIMITS.series))
        .refine((v) => v === '' || slugify(v) !== '', POST_MESSAGES.seriesName),
      series_part: z
        .string()
        .trim()
        .refine(
          (v) => v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= POST_LIMITS.seriesPart),
          POST_MESSAGES.seriesPart,
        )
        .transform((v) => (v === '' ? undefined : Number(v))),
      meta_description: z.string().trim().max(POST_LIMITS.metaDescription, POST_MESSAGES.metaDescription),
      // Which image it names is savePost's to check, against the library.
      feature_image: z
        .string()
        .trim()
        .max(FEATURE_IMAGE_REFERENCE_LENGTH, 'Choose an image from the library.'),
      status: z.enum(POST_STATUSES, 'Choose draft, published or scheduled.'),
      // One step that both checks and converts: the form-level checks below must never see the raw text.
      published_at: z
        .string()
        .trim()
        .transform((v, ctx) => {
          if (v === '') return undefined
          const date = readDate(v)
          if (!date)
            ctx.addIssue({
              code: 'custom',
              message: 'Enter a date and time that exists, like 2026-03-01 14:30.',
            })
          return date
        }),
    })
    .superRefine((form, ctx) => {
      const problems = linkAndDateProblems({
        kind: form.kind,
        linkUrl: form.link_url,
        status: form.status,
        publishedAt: form.published_at,
      })
      if (form.status === 'scheduled' && form.published_at && form.published_at.getTime() <= now.getTime())
        problems.push({
          field: 'published_at',
          message: 'A scheduled time must be in the future. To publish now, choose “Published”.',
        })
      for (const { field, message } of problems) ctx.addIssue({ code: 'custom', path: [field], message })
    })
    .transform((form): PostInput => {
      // A published post dated in the future is a scheduled one: say so, so lists and the editor agree.
      const status =
        form.status === 'published' && form.published_at && form.published_at.getTime() > now.getTime()
          ? 'scheduled'
          : form.status
      return {
        title: form.title,
        slug: form.slug === '' ? undefined : slugify(form.slug),
        kind: form.kind,
        bodyMd: form.body,
        excerptMd: form.excerpt,
        linkUrl: form.kind === 'link' ? form.link_url : undefined,
        quoteMd: form.quote,
        tags: form.tags,
        series: form.series,
        seriesPart: form.series === '' ? undefined : form.series_part,
        status,
        publishedAt: form.published_at,
        metaDescription: form.meta_description,
        featureImage: form.feature_image,
      }
    })
}

export type ParsedPostForm = { ok: true; input: PostInput } | { ok: false; errors: FieldErrors }

export function parsePostForm(values: PostFormValues, options: PostFormOptions): ParsedPostForm {
  const parsed = postFormSchema(options).safeParse(values)
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) }
}

/** The first string of a query parameter that may be repeated or missing. */
const firstString = (value: unknown): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : undefined
}

/** The list's filters from the query string. Values that mean nothing are ignored, never an error. */
export function readPostFilters(query: unknown): AdminPostFilters {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>
  const status = firstString(q.status)
  const kind = firstString(q.kind)
  const tag = firstString(q.tag)?.trim()
  const text = firstString(q.q)?.trim().slice(0, 200)
  const page = firstString(q.page)
  const pageNumber = page && /^\d{1,6}$/.test(page) ? Number(page) : 1
  return {
    status: SHOWN_STATUSES.find((s) => s === status),
    kind: POST_KINDS.find((k) => k === kind),
    tag: tag && tag.length <= 200 ? tag : undefined,
    q: text || undefined,
    page: Math.max(1, pageNumber),
  }
}
