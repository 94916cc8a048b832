// Owns the admin's /admin/pages screens: the list, the editor with preview, and deleting with confirmation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { notSavedMessage, recordStorageFailure } from '../../../db/storage-health.ts'
import { fieldErrors, formFields } from '../../../lib/form-errors.ts'
import { adminPageUrl } from '../../../lib/urls.ts'
import {
  deletePage,
  findPage,
  listPages,
  nextNavOrder,
  PAGE_LIMITS,
  type PageRow,
  renderPageHtml,
  savePage,
  wantedPageSlug,
} from '../../content/pages.ts'
import { ContentInputError } from '../../content/posts.ts'
import { withRow } from '../params.ts'
import {
  emptyPageValues,
  formFieldOf,
  pageFormSchema,
  toPageInput,
  valuesFromForm,
  valuesFromRow,
} from './forms.ts'
import { movedMessage, pageView, renderDelete, renderEditor, renderList, renderMissing } from './render.ts'

export default async function pagesRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options
  const { siteUrl } = options.config

  /** A handler for /admin/pages/:id…, given the page; an unknown id gets the screen's own 404 page. */
  const withPage = withRow((id) => findPage(db, id), renderMissing)

  /** The body rendered exactly as the public page will show it; nothing is written. */
  async function preview(reply: FastifyReply, row: PageRow | undefined, fields: Record<string, string>) {
    const values = valuesFromForm(fields)
    if (values.body.length > PAGE_LIMITS.body) {
      const errors = { body: 'The page is too long to preview or save.' }
      return renderEditor(reply, siteUrl, { row, values, previewHtml: null, errors })
    }
    try {
      const previewHtml = await renderPageHtml(undefined, values.body)
      return renderEditor(reply, siteUrl, { row, values, previewHtml })
    } catch (err) {
      if (!(err instanceof ContentInputError)) throw err
      return renderEditor(
        reply,
        siteUrl,
        { row, values, previewHtml: null, errors: { body: err.message } },
        422,
      )
    }
  }

  /** Shared by create and update: validate, save, and say where the page ended up. */
  async function save(request: FastifyRequest, reply: FastifyReply, row?: PageRow) {
    const fields = formFields(request.body)
    if (fields.action === 'preview') return preview(reply, row, fields)
    const values = valuesFromForm(fields)
    const parsed = pageFormSchema.safeParse(fields)
    if (!parsed.success)
      return renderEditor(reply, siteUrl, { row, values, errors: fieldErrors(parsed.error) }, 422)

    let id: number
    try {
      const input = toPageInput(parsed.data)
      const bodyHtml = await renderPageHtml(db, input.bodyMd)
      id = savePage(db, input, row ? { id: row.id, bodyHtml } : { bodyHtml })
    } catch (err) {
      const storage = recordStorageFailure(db, err)
      if (storage) {
        reply.header('retry-after', '60')
        return renderEditor(reply, siteUrl, { row, values, errors: { _form: notSavedMessage(storage) } }, 503)
      }
      if (!(err instanceof ContentInputError)) throw err
      return renderEditor(
        reply,
        siteUrl,
        { row, values, errors: { [formFieldOf(err.field)]: err.message } },
        422,
      )
    }
    const saved = findPage(db, id)
    const moved = saved !== undefined && saved.slug !== wantedPageSlug(parsed.data.slug, parsed.data.title)
    return reply.redirect(`${adminPageUrl(id)}?done=${moved ? 'page-saved-new-slug' : 'page-saved'}`, 303)
  }

  app.get('/admin/pages', async (_request, reply) => {
    return renderList(
      reply,
      listPages(db).map((row) => pageView(row, siteUrl)),
    )
  })

  app.post('/admin/pages', async (request, reply) => save(request, reply))

  app.get('/admin/pages/new', async (_request, reply) => {
    return renderEditor(reply, siteUrl, { values: emptyPageValues(nextNavOrder(db)) })
  })

  app.get(
    '/admin/pages/:id',
    withPage(async (row, request, reply) => {
      const done = (request.query as Record<string, unknown>).done
      const values = valuesFromRow(row, nextNavOrder(db))
      return renderEditor(reply, siteUrl, {
        row,
        values,
        done: done === 'page-saved-new-slug' ? movedMessage(row) : undefined,
      })
    }),
  )

  app.post(
    '/admin/pages/:id',
    withPage(async (row, request, reply) => {
      return save(request, reply, row)
    }),
  )

  app.get(
    '/admin/pages/:id/delete',
    withPage(async (row, _request, reply) => {
      return renderDelete(reply, pageView(row, siteUrl))
    }),
  )

  app.post(
    '/admin/pages/:id/delete',
    withPage(async (row, _request, reply) => {
      deletePage(db, row.id)
      return reply.redirect('/admin/pages?done=page-deleted', 303)
    }),
  )
}
