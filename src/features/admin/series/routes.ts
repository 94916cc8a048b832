// Owns the admin's /admin/series screens: the list, a new series, the editor with its parts' order, and deleting with confirmation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import type { Series } from '../../../db/schema.ts'
import { notSavedMessage, recordStorageFailure } from '../../../db/storage-health.ts'
import { fieldErrors, formFields } from '../../../lib/form-errors.ts'
import { adminSeriesUrl } from '../../../lib/urls.ts'
import { ContentInputError } from '../../content/posts.ts'
import {
  deleteSeries,
  findSeries,
  listSeriesPartRows,
  renderSeriesDescription,
  saveSeries,
} from '../../content/series.ts'
import { getSettings } from '../../settings/service.ts'
import { withRow } from '../params.ts'
import {
  emptySeriesValues,
  formFieldOf,
  readPartNumbers,
  seriesFormSchema,
  toSeriesInput,
  valuesFromForm,
  valuesFromSeries,
} from './forms.ts'
import { listSeriesForAdmin } from './queries.ts'
import { renderDelete, renderEditor, renderList, renderMissing, type SiteContext } from './render.ts'

export default async function seriesRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options
  const { siteUrl } = options.config
  const site = (): SiteContext => ({ siteUrl, timeZone: getSettings(db).timezone })

  /** A handler for /admin/series/:id…, given the series; an unknown id gets the screen's own 404 page. */
  const withSeries = withRow((id) => findSeries(db, id), renderMissing)

  /** Shared by create and update: validate everything, render the description, save in one go. */
  async function save(request: FastifyRequest, reply: FastifyReply, row?: Series) {
    const fields = formFields(request.body)
    const values = valuesFromForm(fields)
    const parts = row ? listSeriesPartRows(db, row.id) : []
    const parsed = seriesFormSchema.safeParse(fields)
    const order = readPartNumbers(fields, parts)
    const errors = { ...(parsed.success ? {} : fieldErrors(parsed.error)), ...order.errors }
    if (!parsed.success || Object.keys(errors).length > 0)
      return renderEditor(reply, site(), { row, parts, values, errors }, 422)

    let id: number
    try {
      const descriptionHtml = await renderSeriesDescription(db, parsed.data.description)
      const input = toSeriesInput(parsed.data)
      id = saveSeries(
        db,
        input,
        row ? { id: row.id, descriptionHtml, partNumbers: order.numbers } : { descriptionHtml },
      )
    } catch (err) {
      const storage = recordStorageFailure(db, err)
      if (storage) {
        reply.header('retry-after', '60')
        const failed = { _form: notSavedMessage(storage) }
        return renderEditor(reply, site(), { row, parts, values, errors: failed }, 503)
      }
      if (!(err instanceof ContentInputError)) throw err
      if (err.field === 'id') return renderMissing(reply)
      const refused = { [formFieldOf(err.field)]: err.message }
      return renderEditor(reply, site(), { row, parts, values, errors: refused }, 422)
    }
    return reply.redirect(`${adminSeriesUrl(id)}?done=${row ? 'series-saved' : 'series-created'}`, 303)
  }

  app.get('/admin/series', async (_request, reply) => {
    return renderList(reply, listSeriesForAdmin(db, new Date()), siteUrl)
  })

  app.post('/admin/series', async (request, reply) => save(request, reply))

  app.get('/admin/series/new', async (_request, reply) => {
    return renderEditor(reply, site(), { values: emptySeriesValues() })
  })

  app.get(
    '/admin/series/:id',
    withSeries(async (row, _request, reply) => {
      const parts = listSeriesPartRows(db, row.id)
      return renderEditor(reply, site(), { row, parts, values: valuesFromSeries(row, parts) })
    }),
  )

  app.post(
    '/admin/series/:id',
    withSeries(async (row, request, reply) => {
      return save(request, reply, row)
    }),
  )

  app.get(
    '/admin/series/:id/delete',
    withSeries(async (row, _request, reply) => {
      return renderDelete(reply, row, listSeriesPartRows(db, row.id), siteUrl)
    }),
  )

  app.post(
    '/admin/series/:id/delete',
    withSeries(async (row, _request, reply) => {
      deleteSeries(db, row.id)
      return reply.redirect('/admin/series?done=series-deleted', 303)
    }),
  )
}
