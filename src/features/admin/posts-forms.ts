// Owns the post editor's form: its zod schema, the values it shows, and the list's filters.
import { z } from 'zod'
import { POST_KINDS, POST_STATUSES } from '../../db/schema.ts'
import { fromLocalInput, toLocalInput } from '../../lib/dates.ts'
import type { FieldErrors } from '../../lib/form-errors.ts'
import { fieldErrors } from '../../lib/form-errors.ts'
import { slugify } from '../../lib/slugs.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import type { PostInput } from '../content/posts.ts'
import type { PostState } from '../content/visibility.ts'
import type { AdminPostFilters } from './posts-queries.ts'

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
  status: 'Status',
  published_at: 'Publish date and time',
}

export const MAX_BODY_LENGTH = 200_000
export const MAX_TAGS = 20
export const MAX_TAG_LENGTH = 50
export const MAX_META_DESCRIPTION = 300

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
  status: 'draft',
  published_at: '',
}

/** The editor's fields from a parsed form body; anything missing is empty, never undefined. */
export function postFormValues(fields: Record<string, string>): PostFormValues {
  const values = { ...EMPTY_POST_VALUES }
  for (const name of POST_FIELDS) values[name] = fields[name] ?? ''
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
      title: z.string().trim().min(1, 'Give the post a title.').max(200, 'Use at most 200 characters.'),
      slug: z
        .string()
        .trim()
        .max(200, 'Use at most 200 characters.')
        .refine((v) => v === '' || slugify(v) !== '', 'Use at least one letter or digit, or leave it empty.'),
      kind: z.enum(POST_KINDS, 'Choose article or link.'),
      body: multiline(MAX_BODY_LENGTH, 'The text is too long: use at most 200,000 characters.'),
      excerpt: multiline(10_000, 'Use at most 10,000 characters.'),
      link_url: z.string().trim().max(2000, 'Use at most 2,000 characters.'),
      quote: multiline(20_000, 'Use at most 20,000 characters.'),
      tags: z
        .string()
        .max(2000, 'Too many tags.')
        .transform(splitTags)
        .refine((tags) => tags.length <= MAX_TAGS, `Use at most ${MAX_TAGS} tags.`)
        .refine(
          (tags) => tags.every((t) => t.length <= MAX_TAG_LENGTH),
          `Keep each tag to ${MAX_TAG_LENGTH} characters or fewer.`,
        )
        .refine(
          (tags) => tags.every((t) => slugify(t) !== ''),
          'Each tag needs at least one letter or digit.',
        ),
      series: z
        .string()
        .trim()
        .max(200, 'Use at most 200 characters.')
        .refine((v) => v === '' || slugify(v) !== '', 'A series name needs at least one letter or digit.'),
      series_part: z
        .string()
        .trim()
        .refine(
          (v) => v === '' || (/^\d{1,4}$/.test(v) && Number(v) >= 1),
          'Use a whole number from 1 to 9999, or leave it empty to add the post as the next part.',
        )
        .transform((v) => (v === '' ? undefined : Number(v))),
      meta_description: z
        .string()
        .trim()
        .max(
          MAX_META_DESCRIPTION,
          `Use at most ${MAX_META_DESCRIPTION} characters; search engines cut the rest.`,
        ),
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
      if (form.kind === 'link') {
        if (!form.link_url)
          ctx.addIssue({
            code: 'custom',
            path: ['link_url'],
            message: 'A link post needs the URL it links to.',
          })
        else if (!isHttpUrl(form.link_url))
          ctx.addIssue({
            code: 'custom',
            path: ['link_url'],
            message: 'Use a full address starting with http:// or https://.',
          })
      }
      if (form.status === 'scheduled') {
        if (!form.published_at)
          ctx.addIssue({
            code: 'custom',
            path: ['published_at'],
            message: 'Choose when the post goes live.',
          })
        else if (form.published_at.getTime() <= now.getTime())
          ctx.addIssue({
            code: 'custom',
            path: ['published_at'],
            message: 'A scheduled time must be in the future. To publish now, choose “Published”.',
          })
      }
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
