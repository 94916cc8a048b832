// Owns the posts screens' view models: the list's rows, the preview, deleting, revisions and their diff (the editor: render-editor.ts).
import { formatDateTime } from '../../../lib/dates.ts'
import { plural } from '../../../lib/text.ts'
import { adminPostUrl, displayHost, isHttpUrl, postUrl } from '../../../lib/urls.ts'
import { ContentInputError, type PostInput } from '../../content/posts.ts'
import type { DiffLine } from '../../content/revision-diff.ts'
import type { EditablePost, Revision, RevisionSummary } from '../../content/revisions.ts'
import { type PostState, postState } from '../../content/visibility.ts'
import { type FeatureImageRow, featureImageView } from '../../media/render.ts'
import type { PostFormValues } from './forms.ts'
import type { AdminPostFilters, AdminPostPage } from './queries.ts'

export const STATUS_LABELS: Record<PostState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
}

export const editUrl = adminPostUrl

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

/** Renders a post's Markdown as the public site would (content/posts.ts renderPostPreview). */
export type PreviewRenderer = (
  markdown: Pick<PostInput, 'bodyMd' | 'excerptMd' | 'quoteMd'>,
) => Promise<{ bodyHtml: string; quoteHtml: string }>

export type PreviewView = Awaited<ReturnType<typeof previewView>>

/**
 * What the preview shows, built from the editor's fields with the public pipeline. Text the pipeline
 * refuses (too deep, too slow) shows the reason instead, and `errorField` names the field.
 */
export async function previewView(
  values: PostFormValues,
  render: PreviewRenderer,
  featureImage?: FeatureImageRow | undefined,
) {
  let rendered = { bodyHtml: '', quoteHtml: '' }
  let refused: ContentInputError | undefined
  try {
    rendered = await render({
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
    featureImage: featureImage ? featureImageView(featureImage) : null,
    error: refused?.message ?? '',
    errorField: refused?.field ?? '',
  }
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

export async function revisionView(
  post: EditablePost,
  revision: Revision,
  context: { timeZone: string; error?: string | undefined },
) {
  const when = (date: Date) => formatDateTime(date, context.timeZone)
  // The diff library loads when an author first compares a revision, not when the server starts.
  const { changedFields, diffText } = await import('../../content/revision-diff.ts')
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
