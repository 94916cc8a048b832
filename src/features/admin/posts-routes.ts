// Owns the admin's /admin/posts screens: the list, the editor and its preview, revisions, and deleting.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { notSavedMessage, recordStorageFailure } from '../../db/storage-health.ts'
import { formatDateTime, timeZoneLabel, toLocalInput } from '../../lib/dates.ts'
import { type FieldErrors, formFields } from '../../lib/form-errors.ts'
import { absoluteUrl, displayHost, isHttpUrl, postUrl } from '../../lib/urls.ts'
import { ContentInputError, deletePost, renderPostHtml, renderPostPreview } from '../content/posts.ts'
import {
  changedFields,
  diffLines,
  type EditablePost,
  findRevision,
  listRevisions,
  loadPostContent,
  renderDiffHtml,
  revisionAsInput,
  savePostWithRevision,
} from '../content/revisions.ts'
import { type PostState, postState } from '../content/visibility.ts'
import { getSettings } from '../settings/service.ts'
import { parseId } from './params.ts'
import {
  EMPTY_POST_VALUES,
  POST_FIELD_LABELS,
  type PostField,
  type PostFormValues,
  parsePostForm,
  postFormValues,
  readPostFilters,
} from './posts-forms.ts'
import { type AdminPostFilters, listAdminPosts, listSeriesOptions, listTagOptions } from './posts-queries.ts'

const STATUS_LABELS: Record<PostState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
}

const editUrl = (id: number): string => `/admin/posts/${id}`

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

/**
 * What the preview shows, built from the editor's fields with the public pipeline. Text the pipeline
 * refuses (too deep, too slow) shows the reason instead, and `errorField` names the field.
 */
async function previewView(values: PostFormValues) {
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

/** The editor's fields for a stored post, in the author's timezone. */
function valuesFromPost(post: EditablePost, timeZone: string, now: Date): PostFormValues {
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
    // A scheduled post whose time has come is published: saving it again must not ask for a future date.
    status: postState(post, now),
    published_at: toLocalInput(post.publishedAt, timeZone),
  }
}

/** The confirmation after a save: what happened, and whether an old address now redirects. */
function doneCode(before: EditablePost | undefined, after: EditablePost, now: Date): string {
  const was = before ? postState(before, now) : 'draft'
  const is = postState(after, now)
  if (before && before.slug !== after.slug && was === 'published' && is === 'published') return 'post-renamed'
  if (is === 'scheduled') return 'post-scheduled'
  if (is === 'published' && was !== 'published') return 'post-published'
  return 'post-saved'
}

interface EditorState {
  readonly post?: EditablePost | undefined
  readonly values: PostFormValues
  readonly errors?: FieldErrors
  readonly preview?: Awaited<ReturnType<typeof previewView>> | undefined
  /** The page shows input that is not saved (after an error or a preview). */
  readonly unsaved?: boolean
}

export default async function postsRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options

  const notFound = (reply: FastifyReply) =>
    reply.admin('admin/posts/missing', { title: 'Post not found', section: 'posts' }, 404)

  function renderEditor(reply: FastifyReply, state: EditorState, status = 200) {
    const site = getSettings(db)
    const now = new Date()
    const { post } = state
    const errors = state.errors ?? {}
    const shown = post ? postState(post, now) : undefined
    return reply.admin(
      'admin/posts/edit',
      {
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
              goLive: post.publishedAt ? formatDateTime(post.publishedAt, site.timezone) : '',
              publicPath: postUrl(post.slug),
              publicUrl: absoluteUrl(config.siteUrl, postUrl(post.slug)),
              isPublic: shown === 'published',
              revisionsUrl: `${editUrl(post.id)}/revisions`,
              deleteUrl: `${editUrl(post.id)}/delete`,
              updated: formatDateTime(post.updatedAt, site.timezone),
            }
          : null,
        seriesOptions: listSeriesOptions(db),
        preview: state.preview ?? null,
        unsaved: state.unsaved ?? false,
        timeZone: site.timezone,
        timeZoneLabel: timeZoneLabel(site.timezone, now),
      },
      status,
    )
  }

  /** Create (no `existing`) or update: validate, save with a revision, or show the form again. */
  async function savePostForm(request: { body: unknown }, reply: FastifyReply, existing?: EditablePost) {
    const fields = formFields(request.body)
    const values = postFormValues(fields)
    if (fields.action === 'preview') {
      // The no-JavaScript preview: render what was typed, save nothing.
      const preview = await previewView(values)
      const errors = preview.errorField ? { [preview.errorField]: preview.error } : undefined
      return renderEditor(
        reply,
        { post: existing, values, preview, errors, unsaved: true },
        errors ? 422 : 200,
      )
    }
    const site = getSettings(db)
    const now = new Date()
    const parsed = parsePostForm(values, {
      timeZone: site.timezone,
      now,
      currentDate: existing?.publishedAt,
    })
    if (!parsed.ok)
      return renderEditor(reply, { post: existing, values, errors: parsed.errors, unsaved: true }, 422)
    let id: number
    try {
      const html = await renderPostHtml(db, parsed.input)
      id = savePostWithRevision(db, parsed.input, existing ? { id: existing.id, now, html } : { now, html })
    } catch (error) {
      const storage = recordStorageFailure(db, error)
      if (storage) {
        // A full or read-only disk: keep the author's text on screen (the summary links to the form).
        reply.header('retry-after', '60')
        const errors = { 'post-form': notSavedMessage(storage) }
        return renderEditor(reply, { post: existing, values, errors, unsaved: true }, 503)
      }
      if (!(error instanceof ContentInputError)) throw error
      if (error.field === 'id') return notFound(reply)
      return renderEditor(
        reply,
        { post: existing, values, errors: { [error.field]: error.message }, unsaved: true },
        422,
      )
    }
    const saved = loadPostContent(db, id)
    const code = saved ? doneCode(existing, saved, now) : 'post-saved'
    return reply.redirect(`${editUrl(id)}?done=${code}`, 303)
  }

  app.get('/admin/posts', async (request, reply) => {
    const filters = readPostFilters(request.query)
    const now = new Date()
    const { timezone } = getSettings(db)
    const result = listAdminPosts(db, filters, now)
    const rows = result.items.map((row) => ({
      id: row.id,
      title: row.title,
      editUrl: editUrl(row.id),
      kind: row.kind === 'link' ? 'Link' : 'Article',
      status: row.shownStatus,
      statusLabel: STATUS_LABELS[row.shownStatus],
      goLive:
        row.shownStatus === 'scheduled' && row.publishedAt ? formatDateTime(row.publishedAt, timezone) : '',
      dateIso: (row.publishedAt ?? row.updatedAt).toISOString(),
      dateLabel:
        row.shownStatus === 'draft'
          ? `Edited ${formatDateTime(row.updatedAt, timezone)}`
          : row.publishedAt
            ? formatDateTime(row.publishedAt, timezone)
            : '',
      publicUrl: row.shownStatus === 'published' ? postUrl(row.slug) : '',
      tags: row.tags.map((tag) => ({ name: tag.name, url: listUrl({ tag: tag.slug, page: 1 }, 1) })),
    }))
    const filtered = Boolean(filters.status || filters.kind || filters.tag || filters.q)
    return reply.admin('admin/posts/list', {
      title: 'Posts',
      section: 'posts',
      rows,
      total: result.total,
      filtered,
      filters: {
        q: filters.q ?? '',
        status: filters.status ?? '',
        kind: filters.kind ?? '',
        tag: filters.tag ?? '',
      },
      tagOptions: listTagOptions(db),
      pagination: {
        page: result.page,
        totalPages: result.totalPages,
        prevUrl: result.page > 1 ? listUrl(filters, Math.min(result.page - 1, result.totalPages)) : '',
        nextUrl: result.page < result.totalPages ? listUrl(filters, result.page + 1) : '',
        firstUrl: listUrl(filters, 1),
      },
    })
  })

  app.get('/admin/posts/new', async (_request, reply) =>
    renderEditor(reply, { values: { ...EMPTY_POST_VALUES } }),
  )

  app.post('/admin/posts', async (request, reply) => savePostForm(request, reply))

  // The live preview: an HTML fragment that editor.js puts beside the form. Static routes win over
  // /admin/posts/:id, so this never reads as a post id.
  app.post('/admin/posts/preview', async (request, reply) => {
    const values = postFormValues(formFields(request.body))
    const preview = await previewView(values)
    const html = await reply.viewAsync('admin/posts/preview', { preview })
    return reply
      .code(preview.error ? 422 : 200)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html)
  })

  app.get<{ Params: { id: string } }>('/admin/posts/:id', async (request, reply) => {
    const id = parseId(request.params.id)
    const post = id ? loadPostContent(db, id) : undefined
    if (!post) return notFound(reply)
    const { timezone } = getSettings(db)
    return renderEditor(reply, { post, values: valuesFromPost(post, timezone, new Date()) })
  })

  app.post<{ Params: { id: string } }>('/admin/posts/:id', async (request, reply) => {
    const id = parseId(request.params.id)
    const post = id ? loadPostContent(db, id) : undefined
    if (!post) return notFound(reply)
    return savePostForm(request, reply, post)
  })

  app.get<{ Params: { id: string } }>('/admin/posts/:id/delete', async (request, reply) => {
    const id = parseId(request.params.id)
    const post = id ? loadPostContent(db, id) : undefined
    if (!post) return notFound(reply)
    return reply.admin('admin/posts/delete', {
      title: `Delete “${post.title}”?`,
      section: 'posts',
      post: {
        id: post.id,
        title: post.title,
        editUrl: editUrl(post.id),
        isPublic: postState(post, new Date()) === 'published',
      },
    })
  })

  app.post<{ Params: { id: string } }>('/admin/posts/:id/delete', async (request, reply) => {
    const id = parseId(request.params.id)
    const post = id ? loadPostContent(db, id) : undefined
    if (!post) return notFound(reply)
    deletePost(db, post.id)
    return reply.redirect('/admin/posts?done=post-deleted', 303)
  })

  app.get<{ Params: { id: string } }>('/admin/posts/:id/revisions', async (request, reply) => {
    const id = parseId(request.params.id)
    const post = id ? loadPostContent(db, id) : undefined
    if (!post) return notFound(reply)
    const { timezone } = getSettings(db)
    const revisions = listRevisions(db, post.id).map((revision, index) => ({
      id: revision.id,
      title: revision.title,
      url: `${editUrl(post.id)}/revisions/${revision.id}`,
      when: formatDateTime(revision.createdAt, timezone),
      iso: revision.createdAt.toISOString(),
      statusLabel: STATUS_LABELS[revision.status],
      latest: index === 0,
    }))
    return reply.admin('admin/posts/revisions', {
      title: `Revisions of “${post.title}”`,
      section: 'posts',
      post: { id: post.id, title: post.title, editUrl: editUrl(post.id) },
      revisions,
    })
  })

  function revisionPage(
    reply: FastifyReply,
    post: EditablePost,
    revisionId: number,
    error: string | undefined = undefined,
  ) {
    const revision = findRevision(db, post.id, revisionId)
    if (!revision) return notFound(reply)
    const { timezone } = getSettings(db)
    const formatDate = (date: Date) => formatDateTime(date, timezone)
    const diffHtml = renderDiffHtml(diffLines(revision.bodyMd, post.bodyMd))
    return reply.admin(
      'admin/posts/revision',
      {
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
          when: formatDate(revision.createdAt),
          iso: revision.createdAt.toISOString(),
          restoreUrl: `${editUrl(post.id)}/revisions/${revision.id}/restore`,
        },
        changes: changedFields(revision, post, formatDate),
        diffHtml,
        error: error ?? null,
      },
      error ? 422 : 200,
    )
  }

  app.get<{ Params: { id: string; rev: string } }>(
    '/admin/posts/:id/revisions/:rev',
    async (request, reply) => {
      const id = parseId(request.params.id)
      const revisionId = parseId(request.params.rev)
      const post = id ? loadPostContent(db, id) : undefined
      if (!post || !revisionId) return notFound(reply)
      return revisionPage(reply, post, revisionId)
    },
  )

  app.post<{ Params: { id: string; rev: string } }>(
    '/admin/posts/:id/revisions/:rev/restore',
    async (request, reply) => {
      const id = parseId(request.params.id)
      const revisionId = parseId(request.params.rev)
      const post = id ? loadPostContent(db, id) : undefined
      const revision = post && revisionId ? findRevision(db, post.id, revisionId) : undefined
      if (!post || !revision) return notFound(reply)
      try {
        const input = revisionAsInput(revision, post)
        const html = await renderPostHtml(db, input)
        savePostWithRevision(db, input, { id: post.id, now: new Date(), html })
      } catch (error) {
        if (!(error instanceof ContentInputError)) throw error
        return revisionPage(reply, post, revision.id, `This revision could not be restored: ${error.message}`)
      }
      return reply.redirect(`${editUrl(post.id)}?done=revision-restored`, 303)
    },
  )
}
