// Owns the posts screens' view models: the list's rows, the editor and its preview, deleting, revisions and their diff.
import { formatDateTime, timeZoneLabel } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { plural } from '../../../lib/text.ts'
import { absoluteUrl, adminPostUrl, displayHost, isHttpUrl, postUrl } from '../../../lib/urls.ts'
import { DESCRIPTION_LENGTH } from '../../content/descriptions.ts'
import { POST_LIMITS } from '../../content/post-rules.ts'
import { ContentInputError, renderPostPreview } from '../../content/posts.ts'
import { changedFields, type DiffLine, diffText } from '../../content/revision-diff.ts'
import type { EditablePost, Revision, RevisionSummary } from '../../content/revisions.ts'
import { type PostState, postState } from '../../content/visibility.ts'
import { POST_FIELD_LABELS, type PostField, type PostFormValues } from './forms.ts'
import type { AdminPostFilters, AdminPostPage } from './queries.ts'

const STATUS_LABELS: Record<PostState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
}

export const editUrl = adminPostUrl

// The error summary lists problems in the order the fields appear on the page.
const FIELD_ORDER: readonly string[] = [
  'title',
  'kind',
  'link_url',
  'quote',
  'body',
  'excerpt',
  'status',
  'published_at',
  'slug',
  'tags',
  'series',
  'series_part',
  'meta_description',
]
const fieldOrder = (field: string): number => {
  const index = FIELD_ORDER.indexOf(field)
  return index === -1 ? FIELD_ORDER.length : index
}

/** The list's URL with its filters, so paging keeps them. */
function listUrl(filters: AdminPostFilters, page: number): string {
  const params = new URLSearchParams()
  if (filters.q) params.set('q', filters.q)
  if (filters.status) params.set('status', filters.status)
  if (filters.kind) params.set('kind', filters.kind)
  if (filters.tag) params.set('tag', filters.tag)
  if (page > 1) params.set('page', String(page))
  const query = params.toString()
  return query ? `/admin/posts?${query}` : '/admin/posts'
}

export function listView(
  result: AdminPostPage,
  filters: AdminPostFilters,
  context: { timeZone: string; tagOptions: readonly { slug: string; name: string }[] },
) {
  const when = (date: Date) => formatDateTime(date, context.timeZone)
  const rows = result.items.map((row) => ({
    id: row.id,
    title: row.title,
    editUrl: editUrl(row.id),
    kind: row.kind === 'link' ? 'Link' : 'Article',
    status: row.shownStatus,
    statusLabel: STATUS_LABELS[row.shownStatus],
    goLive: row.shownStatus === 'scheduled' && row.publishedAt ? when(row.publishedAt) : '',
    dateIso: (row.publishedAt ?? row.updatedAt).toISOString(),
    dateLabel:
      row.shownStatus === 'draft'
        ? `Edited ${when(row.updatedAt)}`
        : row.publishedAt
          ? when(row.publishedAt)
          : '',
    publicUrl: row.shownStatus === 'published' ? postUrl(row.slug) : '',
    tags: row.tags.map((tag) => ({ name: tag.name, url: listUrl({ tag: tag.slug, page: 1 }, 1) })),
  }))
  return {
    title: 'Posts',
    section: 'posts',
    rows,
    total: result.total,
    filtered: Boolean(filters.status || filters.kind || filters.tag || filters.q),
    filters: {
      q: filters.q ?? '',
      status: filters.status ?? '',
      kind: filters.kind ?? '',
      tag: filters.tag ?? '',
    },
    tagOptions: context.tagOptions,
    pagination: {
      page: result.page,
      totalPages: result.totalPages,
      prevUrl: result.page > 1 ? listUrl(filters, Math.min(result.page - 1, result.totalPages)) : '',
      nextUrl: result.page < result.totalPages ? listUrl(filters, result.page + 1) : '',
      firstUrl: listUrl(filters, 1),
    },
  }
}

/**
 * What the preview shows, built from the editor's fields with the public pipeline. Text the pipeline
 * refuses (too deep, too slow) shows the reason instead, and `errorField` names the field.
 */
export async function previewView(values: PostFormValues) {
  let rendered = { bodyHtml: '', quoteHtml: '' }
  let refused: ContentInputError | undefined
  try {
    rendered = await renderPostPreview({
      bodyMd: values.body,
      excerptMd: values.excerpt,
      quoteMd: values.quote,
    })
  } catch (error) {
    if (!(error instanceof ContentInputError)) throw error
    refused = error
  }
  const linkUrl = values.kind === 'link' && isHttpUrl(values.link_url.trim()) ? values.link_url.trim() : ''
  return {
    kind: values.kind === 'link' ? 'link' : 'article',
    title: values.title.trim() || 'Untitled',
    linkUrl,
    linkHost: linkUrl ? displayHost(linkUrl) : '',
    bodyHtml: rendered.bodyHtml,
    quoteHtml: rendered.quoteHtml,
    error: refused?.message ?? '',
    errorField: refused?.field ?? '',
  }
}

export interface EditorState {
  readonly post?: EditablePost | undefined
  readonly values: PostFormValues
  readonly errors?: FieldErrors
  readonly preview?: Awaited<ReturnType<typeof previewView>> | undefined
  /** The page shows input that is not saved (after an error or a preview). */
  readonly unsaved?: boolean
}

export interface EditorContext {
  readonly timeZone: string
  readonly siteUrl: string
  readonly now: Date
  readonly seriesOptions: readonly string[]
}

export function editorView(state: EditorState, context: EditorContext) {
  const { post } = state
  const { timeZone, now } = context
  const errors = state.errors ?? {}
  const shown = post ? postState(post, now) : undefined
  return {
    title: post ? `Edit “${post.title}”` : 'New post',
    section: 'posts',
    scripts: ['js/editor.js', 'js/media-upload.js'],
    action: post ? editUrl(post.id) : '/admin/posts',
    values: state.values,
    errors,
    errorList: Object.entries(errors)
      .sort(([a], [b]) => fieldOrder(a) - fieldOrder(b))
      .map(([field, message]) => ({
        anchor: field === 'kind' ? 'kind-article' : field,
        label: POST_FIELD_LABELS[field as PostField] ?? 'Form',
        message,
      })),
    post: post
      ? {
          id: post.id,
          title: post.title,
          status: shown,
          statusLabel: STATUS_LABELS[shown ?? 'draft'],
          goLive: post.publishedAt ? formatDateTime(post.publishedAt, timeZone) : '',
          publicPath: postUrl(post.slug),
          publicUrl: absoluteUrl(context.siteUrl, postUrl(post.slug)),
          isPublic: shown === 'published',
          revisionsUrl: `${editUrl(post.id)}/revisions`,
          deleteUrl: `${editUrl(post.id)}/delete`,
          updated: formatDateTime(post.updatedAt, timeZone),
        }
      : null,
    limits: { ...POST_LIMITS, seriesPartDigits: String(POST_LIMITS.seriesPart).length },
    descriptionLength: DESCRIPTION_LENGTH,
    seriesOptions: context.seriesOptions,
    preview: state.preview ?? null,
    unsaved: state.unsaved ?? false,
    timeZone,
    timeZoneLabel: timeZoneLabel(timeZone, now),
  }
}

/** The confirmation after a save: what happened, and whether an old address now redirects. */
export function doneCode(before: EditablePost | undefined, after: EditablePost, now: Date): string {
  const was = before ? postState(before, now) : 'draft'
  const is = postState(after, now)
  if (before && before.slug !== after.slug && was === 'published' && is === 'published') return 'post-renamed'
  if (is === 'scheduled') return 'post-scheduled'
  if (is === 'published' && was !== 'published') return 'post-published'
  return 'post-saved'
}

export function deleteView(post: EditablePost, now: Date) {
  return {
    title: `Delete “${post.title}”?`,
    section: 'posts',
    post: {
      id: post.id,
      title: post.title,
      editUrl: editUrl(post.id),
      isPublic: postState(post, now) === 'published',
    },
  }
}

export function revisionsView(post: EditablePost, revisions: readonly RevisionSummary[], timeZone: string) {
  return {
    title: `Revisions of “${post.title}”`,
    section: 'posts',
    post: { id: post.id, title: post.title, editUrl: editUrl(post.id) },
    revisions: revisions.map((revision, index) => ({
      id: revision.id,
      title: revision.title,
      url: `${editUrl(post.id)}/revisions/${revision.id}`,
      when: formatDateTime(revision.createdAt, timeZone),
      iso: revision.createdAt.toISOString(),
      statusLabel: STATUS_LABELS[revision.status],
      latest: index === 0,
    })),
  }
}

/** A diff line as views/admin/posts/diff.eta shows it: a folded stretch says how many lines it hides. */
const diffLineView = (line: DiffLine) =>
  line.kind === 'skipped'
    ? { kind: line.kind, text: `… ${plural(line.count, 'unchanged line')} …` }
    : { kind: line.kind, text: line.text }

export function revisionView(
  post: EditablePost,
  revision: Revision,
  context: { timeZone: string; error?: string | undefined },
) {
  const when = (date: Date) => formatDateTime(date, context.timeZone)
  return {
    title: `Revision of “${post.title}”`,
    section: 'posts',
    post: {
      id: post.id,
      title: post.title,
      editUrl: editUrl(post.id),
      revisionsUrl: `${editUrl(post.id)}/revisions`,
    },
    revision: {
      id: revision.id,
      title: revision.title,
      when: when(revision.createdAt),
      iso: revision.createdAt.toISOString(),
      restoreUrl: `${editUrl(post.id)}/revisions/${revision.id}/restore`,
    },
    changes: changedFields(revision, post, when),
    // The text from the revision to now: "removed" lines are in the revision only.
    diff: diffText(revision.bodyMd, post.bodyMd).map(diffLineView),
    error: context.error ?? null,
  }
}
