// Owns what the pages screens show: a page's view model, the editor with its address hint, and the list, delete and missing views.
import type { FastifyReply } from 'fastify'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { absoluteUrl, adminPageUrl, pageUrl } from '../../../lib/urls.ts'
import { PAGE_LIMITS, type PageRow, RESERVED_PAGE_SLUGS, wantedPageSlug } from '../../content/pages.ts'
import type { PageValues } from './forms.ts'

const STATUS_LABELS: Record<string, string> = { draft: 'Draft', published: 'Published' }

export type PageView = ReturnType<typeof pageView>

export function pageView(row: PageRow, siteUrl: string) {
  return {
    id: row.id,
    title: row.title,
    slug: row.slug,
    url: pageUrl(row.slug),
    fullUrl: absoluteUrl(siteUrl, pageUrl(row.slug)),
    published: row.status === 'published',
    status: row.status,
    statusLabel: STATUS_LABELS[row.status] ?? row.status,
    inNav: row.navOrder !== null,
    navLabel: row.navOrder === null ? 'Not in navigation' : `In navigation: #${row.navOrder}`,
    editUrl: adminPageUrl(row.id),
    deleteUrl: `${adminPageUrl(row.id)}/delete`,
  }
}

/** Where a page's address would end up, and whether it is reserved, for the slug field's hint. */
function slugHint(values: PageValues, siteUrl: string) {
  if (!values.slug.trim() && !values.title.trim()) return null
  const slug = wantedPageSlug(values.slug, values.title)
  return { url: absoluteUrl(siteUrl, pageUrl(slug)), reserved: RESERVED_PAGE_SLUGS.has(slug) }
}

export interface EditorData {
  readonly row?: PageRow | undefined
  readonly values: PageValues
  readonly errors?: FieldErrors
  /** Present when previewing: the rendered body, or null when it could not be rendered. */
  readonly previewHtml?: string | null
  readonly done?: string | undefined
}

export function renderEditor(reply: FastifyReply, siteUrl: string, data: EditorData, status = 200) {
  const { row, values } = data
  const page = row ? pageView(row, siteUrl) : null
  return reply.admin(
    'admin/pages/edit',
    {
      title: data.previewHtml !== undefined ? 'Preview' : page ? `Edit “${page.title}”` : 'New page',
      section: 'pages',
      page,
      values,
      errors: data.errors ?? {},
      previewHtml: data.previewHtml,
      slugHint: slugHint(values, siteUrl),
      action: page ? page.editUrl : '/admin/pages',
      limits: PAGE_LIMITS,
      ...(data.done ? { done: data.done } : {}),
    },
    status,
  )
}

/** The message after a save whose address had to change; it names the address actually used, from the database. */
export const movedMessage = (row: PageRow): string =>
  `Page saved. The address you chose is reserved or used by another page, so this page is at ${pageUrl(row.slug)}.`

export const renderList = (reply: FastifyReply, pages: PageView[]) =>
  reply.admin('admin/pages/list', { title: 'Pages', section: 'pages', pages })

export const renderDelete = (reply: FastifyReply, page: PageView) =>
  reply.admin('admin/pages/delete', { title: `Delete “${page.title}”?`, section: 'pages', page })

export const renderMissing = (reply: FastifyReply) =>
  reply.admin('admin/pages/missing', { title: 'Page not found', section: 'pages' }, 404)
