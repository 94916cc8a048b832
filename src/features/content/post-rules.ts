// Owns the rules every post obeys, whoever writes it: its limits, a link post's URL, a scheduled post's date.
import { slugify } from '../../lib/slugs.ts'
import { formatCount } from '../../lib/text.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import type { PostInput } from './posts.ts'

/** Lengths in characters, except the counts `tagCount` and `seriesPart` (the highest part number). */
export const POST_LIMITS = {
  title: 200,
  slug: 200,
  body: 200_000,
  excerpt: 10_000,
  quote: 20_000,
  linkUrl: 2000,
  /** The editor's tags field as typed, commas and all. */
  tagsField: 2000,
  tagCount: 20,
  tagLength: 50,
  series: 200,
  seriesPart: 9999,
  metaDescription: 300,
} as const

/** "Use at most 2,000 characters." */
export const atMost = (max: number): string => `Use at most ${formatCount(max)} characters.`

export const POST_MESSAGES = {
  title: 'Give the post a title.',
  body: `The text is too long: use at most ${formatCount(POST_LIMITS.body)} characters.`,
  tagCount: `Use at most ${POST_LIMITS.tagCount} tags.`,
  tagLength: `Keep each tag to ${POST_LIMITS.tagLength} characters or fewer.`,
  seriesName: 'A series name needs at least one letter or digit.',
  seriesPart: `Use a whole number from 1 to ${POST_LIMITS.seriesPart}, or leave it empty to add the post as the next part.`,
  metaDescription: `Use at most ${POST_LIMITS.metaDescription} characters; search engines cut the rest.`,
  linkMissing: 'A link post needs the URL it links to.',
  linkNotHttp: 'Use a full address starting with http:// or https://.',
  dateMissing: 'Choose when the post goes live.',
} as const

export interface PostProblem {
  /** The editor's field name, where the message is shown. */
  readonly field: string
  readonly message: string
}

/** A link post needs an http(s) URL, a scheduled post a date: checked alike by the editor's form and savePost. */
export function linkAndDateProblems(
  post: Pick<PostInput, 'kind' | 'linkUrl' | 'status' | 'publishedAt'>,
): PostProblem[] {
  const problems: PostProblem[] = []
  if (post.kind === 'link' && !post.linkUrl)
    problems.push({ field: 'link_url', message: POST_MESSAGES.linkMissing })
  else if (post.kind === 'link' && post.linkUrl && !isHttpUrl(post.linkUrl))
    problems.push({ field: 'link_url', message: POST_MESSAGES.linkNotHttp })
  if (post.status === 'scheduled' && !post.publishedAt)
    problems.push({ field: 'published_at', message: POST_MESSAGES.dateMissing })
  return problems
}

/** The first rule `input` breaks, for writers that do not go through the editor's form (seed, imports). */
export function postInputProblem(input: PostInput): PostProblem | undefined {
  if (!input.title.trim()) return { field: 'title', message: POST_MESSAGES.title }
  const [linkOrDate] = linkAndDateProblems(input)
  if (linkOrDate) return linkOrDate
  const lengths: [field: string, value: string | undefined, max: number, message: string][] = [
    ['title', input.title.trim(), POST_LIMITS.title, atMost(POST_LIMITS.title)],
    ['slug', input.slug?.trim(), POST_LIMITS.slug, atMost(POST_LIMITS.slug)],
    ['link_url', input.linkUrl, POST_LIMITS.linkUrl, atMost(POST_LIMITS.linkUrl)],
    ['body', input.bodyMd, POST_LIMITS.body, POST_MESSAGES.body],
    ['excerpt', input.excerptMd, POST_LIMITS.excerpt, atMost(POST_LIMITS.excerpt)],
    ['quote', input.quoteMd, POST_LIMITS.quote, atMost(POST_LIMITS.quote)],
    ['series', input.series?.trim(), POST_LIMITS.series, atMost(POST_LIMITS.series)],
    [
      'meta_description',
      input.metaDescription?.trim(),
      POST_LIMITS.metaDescription,
      POST_MESSAGES.metaDescription,
    ],
  ]
  for (const [field, value, max, message] of lengths)
    if (value !== undefined && value.length > max) return { field, message }
  const tags = input.tags ?? []
  if (tags.length > POST_LIMITS.tagCount) return { field: 'tags', message: POST_MESSAGES.tagCount }
  if (tags.some((tag) => tag.trim().length > POST_LIMITS.tagLength))
    return { field: 'tags', message: POST_MESSAGES.tagLength }
  const part = input.seriesPart
  if (part !== undefined && (!Number.isInteger(part) || part < 1 || part > POST_LIMITS.seriesPart))
    return { field: 'series_part', message: POST_MESSAGES.seriesPart }
  if (input.series?.trim() && !slugify(input.series))
    return { field: 'series', message: POST_MESSAGES.seriesName }
  return undefined
}
