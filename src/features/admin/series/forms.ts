// Owns the series form: its fields, their validation, the numbered part fields, and the translation to the series service.
//
// Field names: title, slug, description, one `part_<postId>` number per part, and `parts`, the
// hidden list of the post ids the form showed when it was loaded. That list tells a part that left
// the series in another tab since (ignored) from an id that never was in it (refused).
import * as z from 'zod'
import type { Series } from '../../../db/schema.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { optionalMarkdown, optionalText, requiredText } from '../../../lib/form-text.ts'
import { SERIES_LIMITS, type SeriesInput, type SeriesPartRow } from '../../content/series.ts'
import { parseId } from '../params.ts'

// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
export const seriesFormSchema = z.lazy(() =>
  z.object({
    title: requiredText(SERIES_LIMITS.title, 'Give the series a title, like “Building a blog with Fastify”.'),
    slug: optionalText(SERIES_LIMITS.slug, 'the address'),
    description: optionalMarkdown(SERIES_LIMITS.descriptionMd),
  }),
)

export type SeriesForm = z.infer<typeof seriesFormSchema>

export const toSeriesInput = (form: SeriesForm): SeriesInput => ({
  title: form.title,
  slug: form.slug || undefined,
  descriptionMd: form.description,
})

/** The series service's field names → the form's, so its refusals land beside the right input. */
const SERVICE_FIELDS: Record<string, string> = { title: 'title', slug: 'slug', descriptionMd: 'description' }
export const formFieldOf = (serviceField: string): string => SERVICE_FIELDS[serviceField] ?? '_form'

/** What the form's inputs show: the series' fields, and each part's number keyed by its field name. */
export interface SeriesValues {
  readonly title: string
  readonly slug: string
  readonly description: string
  readonly parts: Readonly<Record<string, string>>
}

export const partField = (postId: number): string => `part_${postId}`
const PART_PREFIX = 'part_'

export const emptySeriesValues = (): SeriesValues => ({ title: '', slug: '', description: '', parts: {} })

export function valuesFromSeries(row: Series, parts: readonly SeriesPartRow[]): SeriesValues {
  return {
    title: row.title,
    slug: row.slug,
    description: row.descriptionMd,
    parts: Object.fromEntries(parts.map((part, i) => [partField(part.id), String(i + 1)])),
  }
}

export function valuesFromForm(fields: Record<string, string>): SeriesValues {
  return {
    title: fields.title ?? '',
    slug: fields.slug ?? '',
    description: fields.description ?? '',
    parts: Object.fromEntries(Object.entries(fields).filter(([name]) => name.startsWith(PART_PREFIX))),
  }
}

const PART_NUMBER = `Enter a whole number from 1 to ${SERIES_LIMITS.partNumber}; part 1 comes first.`
const NOT_A_PART =
  'The form sent a part that is not in this series, so nothing was saved. Reload the page and try again.'

/** The ids in the hidden `parts` field; anything that is not an id is dropped. */
const loadedIds = (value: string | undefined): Set<number> =>
  new Set(
    (value ?? '')
      .split(',')
      .map((id) => parseId(id.trim()))
      .filter((id) => id !== undefined),
  )

/**
 * The chosen number of each part still in the series (`current`), read from the `part_<postId>`
 * fields, and an error per field that is not a whole number 1…999. A part that was on the form
 * but has left the series since is ignored; an id that was never in it is refused.
 */
export function readPartNumbers(
  fields: Record<string, string>,
  current: readonly SeriesPartRow[],
): { numbers: Map<number, number>; errors: FieldErrors } {
  const inSeries = new Set(current.map((part) => part.id))
  const shown = loadedIds(fields.parts)
  const numbers = new Map<number, number>()
  const errors: FieldErrors = {}
  for (const [name, raw] of Object.entries(fields)) {
    if (!name.startsWith(PART_PREFIX)) continue
    const id = parseId(name.slice(PART_PREFIX.length))
    if (id === undefined || (!inSeries.has(id) && !shown.has(id))) {
      errors._form ??= NOT_A_PART
      continue
    }
    if (!inSeries.has(id)) continue
    const value = raw.trim()
    const n = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN
    if (Number.isInteger(n) && n >= 1 && n <= SERIES_LIMITS.partNumber) numbers.set(id, n)
    else errors[name] = PART_NUMBER
  }
  return { numbers, errors }
}
