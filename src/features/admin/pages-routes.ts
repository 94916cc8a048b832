// Owns the admin's /admin/pages screens: the list, the editor with preview, and deleting with confirmation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { notSavedMessage, recordStorageFailure } from '../../db/storage-health.ts'
import { fieldErrors, formFields } from '../../lib/form-errors.ts'
import { htmlToText, truncateText } from '../../lib/markdown.ts'
import { slugify } from '../../lib/slugs.ts'
import { absoluteUrl, pageUrl } from '../../lib/urls.ts'
import {
  deletePage,
  findPage,
  listPages,
  nextNavOrder,
  type PageRow,
  RESERVED_PAGE_SLUGS,
  renderPageHtml,
  savePage,
} from '../content/pages.ts'
import { ContentInputError } from '../content/posts.ts'
import { PAGE_LIMITS, pageFormSchema, toPageInput } from './pages-forms.ts'
import { parseId } from './params.ts'

/** What the editor's inputs show, keyed by form field name. */
interface PageValues {
  title: string
  slug: string
  body: string
  meta_description: string
  status: string
  in_nav: boolean
  nav_order: string
}

/** savePage's field names → the form's, so a service error lands beside the right input. */
const SERVICE_FIELDS: Record<string, keyof PageValues> = {
  title: 'title',
  slug: 'slug',
  bodyMd: 'body',
  metaDescription: 'meta_description',
  status: 'status',
  navOrder: 'nav_order',
}

const STATUS_LABELS: Record<string, string> = { draft: 'Draft', published: 'Published' }

/** The slug savePage starts from before making it unique; used to tell the author when it had to change. */
const wantedSlug = (slug: string, title: string): string => slugify(slug.trim() || title.trim()) || 'untitled'

/** savePage fills an empty description from the body; showing that back would freeze it, so it shows as empty. */
function authoredDescription(row: PageRow): string {
  const derived = truncateText(htmlToText(row.bodyHtml), 160)
  return row.metaDescription === derived ? '' : row.metaDescription
}

function valuesFromRow(row: PageRow, defaultNavOrder: number): PageValues {
  return {
    title: row.title,
    slug: row.slug,
    body: row.bodyMd,
    meta_description: authoredDescription(row),
    status: row.status,
    in_nav: row.navOrder !== null,
    nav_order: String(row.navOrder ?? defaultNavOrder),
  }
}

function valuesFromForm(fields: Record<string, string>): PageValues {
  return {
    title: fields.title ?? '',
    slug: fields.slug ?? '',
    body: fields.body ?? '',
    meta_description: fields.meta_description ?? '',
    status: fields.status ?? 'draft',
    in_nav: Boolean(fields.in_nav),
    nav_order: fields.nav_order ?? '',
  }
}

export default async function pagesRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options

  const pageView = (row: PageRow) => ({
    id: row.id,
    title: row.title,
    slug: row.slug,
    url: pageUrl(row.slug),
    fullUrl: absoluteUrl(config.siteUrl, pageUrl(row.slug)),
    published: row.status === 'published',
    status: row.status,
    statusLabel: STATUS_LABELS[row.status] ?? row.status,
    inNav: row.navOrder !== null,
    navLabel: row.navOrder === null ? 'Not in navigation' : `In navigation: #${row.navOrder}`,
    editUrl: `/admin/pages/${row.id}`,
    deleteUrl: `/admin/pages/${row.id}/delete`,
  })

  /** Where a new page's address would end up, and why it might differ, for the slug field's hint. */
  function slugHint(values: PageValues) {
    if (!values.slug.trim() && !values.title.trim()) return null
    const slug = wantedSlug(values.slug, values.title)
    return {
      url: absoluteUrl(config.siteUrl, pageUrl(slug)),
      reserved: RESERVED_PAGE_SLUGS.has(slug),
    }
  }

  function renderEditor(
    reply: FastifyReply,
    data: {
      row?: PageRow | undefined
      values: PageValues
      errors?: Record<string, string>
      previewHtml?: string | null
      done?: string
    },
    status = 200,
  ) {
    const { row, values } = data
    const page = row ? pageView(row) : null
    return reply.admin(
      'admin/pages/edit',
      {
        title: data.previewHtml !== undefined ? 'Preview' : page ? `Edit “${page.title}”` : 'New page',
        section: 'pages',
        page,
        values,
        errors: data.errors ?? {},
        previewHtml: data.previewHtml,
        slugHint: slugHint(values),
        action: page ? page.editUrl : '/admin/pages',
        limits: PAGE_LIMITS,
        ...(data.done ? { done: data.done } : {}),
      },
      status,
    )
  }

  const renderMissing = (reply: FastifyReply) =>
    reply.admin('admin/pages/missing', { title: 'Page not found', section: 'pages' }, 404)

  /** The page named by :id, or undefined after answering 404. */
  async function loadPage(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const id = parseId(request.params.id)
    const row = id === undefined ? undefined : findPage(db, id)
    if (!row) await renderMissing(reply)
    return row
  }

  /** Shared by create and update: preview, validate, save, and say where the page ended up. */
  async function handleSave(request: FastifyRequest, reply: FastifyReply, row?: PageRow) {
    const fields = formFields(request.body)
    const values = valuesFromForm(fields)

    if (fields.action === 'preview') {
      // The one Markdown pipeline, exactly as the public page renders it; nothing is written.
      if (values.body.length > PAGE_LIMITS.body)
        return renderEditor(reply, {
          row,
          values,
          previewHtml: null,
          errors: { body: 'The page is too long to preview or save.' },
        })
      try {
        return renderEditor(reply, { row, values, previewHtml: await renderPageHtml(undefined, values.body) })
      } catch (err) {
        if (!(err instanceof ContentInputError)) throw err
        return renderEditor(reply, { row, values, previewHtml: null, errors: { body: err.message } }, 422)
      }
    }

    const parsed = pageFormSchema.safeParse(fields)
    if (!parsed.success) return renderEditor(reply, { row, values, errors: fieldErrors(parsed.error) }, 422)

    let id: number
    try {
      const input = toPageInput(parsed.data)
      const bodyHtml = await renderPageHtml(db, input.bodyMd)
      id = savePage(db, input, row ? { id: row.id, bodyHtml } : { bodyHtml })
    } catch (err) {
      const storage = recordStorageFailure(db, err)
      if (storage) {
        reply.header('retry-after', '60')
        return renderEditor(reply, { row, values, errors: { _form: notSavedMessage(storage) } }, 503)
      }
      if (!(err instanceof ContentInputError)) throw err
      const field = SERVICE_FIELDS[err.field] ?? '_form'
      return renderEditor(reply, { row, values, errors: { [field]: err.message } }, 422)
    }
    const saved = findPage(db, id)
    const moved = saved !== undefined && saved.slug !== wantedSlug(parsed.data.slug, parsed.data.title)
    return reply.redirect(`/admin/pages/${id}?done=${moved ? 'page-saved-new-slug' : 'page-saved'}`, 303)
  }

  app.get('/admin/pages', async (_request, reply) => {
    return reply.admin('admin/pages/list', {
      title: 'Pages',
      section: 'pages',
      pages: listPages(db).map(pageView),
    })
  })

  app.post('/admin/pages', async (request, reply) => handleSave(request, reply))

  app.get('/admin/pages/new', async (_request, reply) => {
    return renderEditor(reply, {
      values: {
        title: '',
        slug: '',
        body: '',
        meta_description: '',
        status: 'draft',
        in_nav: false,
        nav_order: String(nextNavOrder(db)),
      },
    })
  })

  app.get<{ Params: { id: string } }>('/admin/pages/:id', async (request, reply) => {
    const row = await loadPage(request, reply)
    if (!row) return reply
    const done = (request.query as Record<string, unknown>).done
    return renderEditor(reply, {
      row,
      values: valuesFromRow(row, nextNavOrder(db)),
      // Names the address actually used; it comes from the database, never from the query string.
      ...(done === 'page-saved-new-slug'
        ? {
            done: `Page saved. The address you chose is reserved or used by another page, so this page is at ${pageUrl(row.slug)}.`,
          }
        : {}),
    })
  })

  app.post<{ Params: { id: string } }>('/admin/pages/:id', async (request, reply) => {
    const row = await loadPage(request, reply)
    if (!row) return reply
    return handleSave(request, reply, row)
  })

  app.get<{ Params: { id: string } }>('/admin/pages/:id/delete', async (request, reply) => {
    const row = await loadPage(request, reply)
    if (!row) return reply
    return reply.admin('admin/pages/delete', {
      title: `Delete “${row.title}”?`,
      section: 'pages',
      page: pageView(row),
    })
  })

  app.post<{ Params: { id: string } }>('/admin/pages/:id/delete', async (request, reply) => {
    const row = await loadPage(request, reply)
    if (!row) return reply
    deletePage(db, row.id)
    return reply.redirect('/admin/pages?done=page-deleted', 303)
  })
}
