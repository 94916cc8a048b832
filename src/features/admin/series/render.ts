// Owns what the series screens show: the list, the editor with its parts in order, and the delete and missing views.
import type { FastifyReply } from 'fastify'
import type { Series } from '../../../db/schema.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { plural } from '../../../lib/text.ts'
import { absoluteUrl, adminPostUrl, adminSeriesUrl, postUrl, seriesUrl } from '../../../lib/urls.ts'
import { SERIES_LIMITS, type SeriesPartRow } from '../../content/series.ts'
import { type PostState, postState } from '../../content/visibility.ts'
import { partField, type SeriesValues } from './forms.ts'
import type { AdminSeriesRow } from './queries.ts'

const SECTION = 'series'

/** The flash after each redirect, chosen by `?done=`; no visitor text is ever echoed. */
const DONE_MESSAGES: Record<string, string> = {
  'series-created': 'Series created. Add posts to it from the post editor’s Series field.',
  'series-saved': 'Series saved. The public pages show the changes now.',
  'series-deleted': 'Series deleted. Its posts are still there, outside any series.',
}

/** `{ done }` for the layout when the query names one of this screen's messages; nothing otherwise. */
function doneOf(reply: FastifyReply): { done?: string } {
  const code = (reply.request.query as Record<string, unknown> | undefined)?.done
  const message = typeof code === 'string' ? DONE_MESSAGES[code] : undefined
  return message ? { done: message } : {}
}

const STATE_LABELS: Record<PostState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
}

const editUrl = adminSeriesUrl

function seriesLinks(row: { id: number; slug: string }, siteUrl: string) {
  return {
    editUrl: editUrl(row.id),
    deleteUrl: `${editUrl(row.id)}/delete`,
    url: seriesUrl(row.slug),
    fullUrl: absoluteUrl(siteUrl, seriesUrl(row.slug)),
  }
}

export function renderList(reply: FastifyReply, rows: readonly AdminSeriesRow[], siteUrl: string) {
  const series = rows.map((row) => {
    const hidden = row.parts - row.publicParts
    return {
      ...seriesLinks(row, siteUrl),
      title: row.title,
      isPublic: row.publicParts > 0,
      partsLabel: plural(row.parts, 'part'),
      hiddenLabel: hidden > 0 ? `${hidden} not public yet` : '',
    }
  })
  return reply.admin('admin/series/list', { title: 'Series', section: SECTION, series, ...doneOf(reply) })
}

/** One part as the editor lists it: where it stands for readers, and its number field. */
function partView(part: SeriesPartRow, values: SeriesValues, now: Date, timeZone: string) {
  const state = postState(part, now)
  const field = partField(part.id)
  const when = part.publishedAt ? formatDateTime(part.publishedAt, timeZone) : ''
  return {
    id: part.id,
    field,
    title: part.title,
    number: values.parts[field] ?? '',
    editUrl: adminPostUrl(part.id),
    url: state === 'published' ? postUrl(part.slug) : null,
    state,
    stateLabel: STATE_LABELS[state],
    whenLabel: state === 'scheduled' ? `Goes live ${when}` : state === 'published' ? `Since ${when}` : '',
  }
}

export interface EditorData {
  readonly row?: Series | undefined
  readonly parts?: readonly SeriesPartRow[]
  readonly values: SeriesValues
  readonly errors?: FieldErrors
}

const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  slug: 'Address',
  description: 'Description',
  _form: 'Series',
}

/**
 * The error summary's lines in the form's order, each linking to the input it is about; a problem
 * with the form as a whole links to the parts when the form lists them.
 */
function errorList(errors: FieldErrors, parts: readonly ReturnType<typeof partView>[], listsParts: boolean) {
  const byField = new Map(parts.map((part) => [part.field, part]))
  const order = ['title', 'slug', 'description', '_form', ...parts.map((part) => part.field)]
  return Object.entries(errors)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([field, message]) => {
      const part = byField.get(field)
      return {
        anchor: field === '_form' ? (listsParts ? 'parts' : 'title') : field,
        label: part ? `Part “${part.title}”` : (FIELD_LABELS[field] ?? 'Form'),
        message,
      }
    })
}

/** Where the site lives and which timezone its author reads dates in. */
export interface SiteContext {
  readonly siteUrl: string
  readonly timeZone: string
}

export function renderEditor(reply: FastifyReply, site: SiteContext, data: EditorData, status = 200) {
  const { row, values } = data
  const errors = data.errors ?? {}
  const now = new Date()
  const parts = (data.parts ?? []).map((part) => partView(part, values, now, site.timeZone))
  const series = row
    ? { ...seriesLinks(row, site.siteUrl), id: row.id, title: row.title, isPublic: parts.some((p) => p.url) }
    : null
  return reply.admin(
    'admin/series/edit',
    {
      title: series ? `Edit “${series.title}”` : 'New series',
      section: SECTION,
      scripts: parts.length > 1 ? ['js/series-order.js'] : [],
      action: series ? series.editUrl : '/admin/series',
      series,
      parts,
      shownParts: parts.map((part) => part.id).join(','),
      publicCount: parts.filter((part) => part.url).length,
      values,
      errors,
      errorList: errorList(errors, parts, series !== null),
      limits: SERIES_LIMITS,
      ...doneOf(reply),
    },
    status,
  )
}

export function renderDelete(
  reply: FastifyReply,
  row: Series,
  parts: readonly SeriesPartRow[],
  siteUrl: string,
) {
  const now = new Date()
  return reply.admin('admin/series/delete', {
    title: `Delete “${row.title}”?`,
    section: SECTION,
    series: {
      ...seriesLinks(row, siteUrl),
      title: row.title,
      isPublic: parts.some((part) => postState(part, now) === 'published'),
      partsLabel: plural(parts.length, 'post'),
      hasParts: parts.length > 0,
    },
  })
}

export const renderMissing = (reply: FastifyReply) =>
  reply.admin('admin/series/missing', { title: 'Series not found', section: SECTION }, 404)
