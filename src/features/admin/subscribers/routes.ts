// Owns the admin's /admin/subscribers routes: the list by status with search and pages, adding an address by hand, importing and exporting CSV, and unsubscribing or deleting one.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import type { Subscriber } from '../../../db/schema.ts'
import { dateStamp, formatDate } from '../../../lib/dates.ts'
import { ADMIN_SUBSCRIBERS_URL } from '../../../lib/urls.ts'
import { ImportRefusedError, importSubscribers } from '../../newsletter/import.ts'
import { MAX_IMPORT_BYTES } from '../../newsletter/import-file.ts'
import {
  addSubscriber,
  deleteSubscriber,
  listSubscribers,
  subscriberCounts,
  subscribersCsv,
} from '../../newsletter/manage.ts'
import { findSubscriber, unsubscribeSubscriber } from '../../newsletter/subscribers.ts'
import { getSettings } from '../../settings/service.ts'
import { requireUser } from '../context.ts'
import { acceptOneFile, uploadedFile } from '../media/forms.ts'
import { withRow } from '../params.ts'
import { importUploadProblem, type ListState, listStateFrom, removeActionFrom, typedEmail } from './forms.ts'
import {
  doneMessage,
  exportFileName,
  type FormState,
  IMPORT_URL,
  importedView,
  listView,
  removeView,
  SUBSCRIBERS_CSV_URL,
  subscribersUrl,
  unsubscribedNote,
} from './render.ts'

export default async function subscribersRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const timeZone = () => getSettings(db).timezone

  // As for media uploads: a stranger's import is refused before a byte of it is buffered.
  app.addHook('preValidation', requireUser)
  const parsedMultipart = await acceptOneFile(app, MAX_IMPORT_BYTES)

  function renderList(request: FastifyRequest, reply: FastifyReply, form?: FormState, status = 200) {
    const state: ListState = listStateFrom(request.query)
    const settings = getSettings(db)
    const sending = { smtp: Boolean(config.smtpUrl), formEnabled: settings.newsletterEnabled }
    const view = listView(
      state,
      listSubscribers(db, state),
      subscriberCounts(db, state.q),
      sending,
      settings.timezone,
      form,
    )
    return reply.admin('admin/subscribers/list', { ...view, ...doneMessage(request.query) }, status)
  }

  const importFailed = (request: FastifyRequest, reply: FastifyReply, message: string, status: number) =>
    renderList(request, reply, { importError: message }, status)

  const withSubscriber = withRow(
    (id) => findSubscriber(db, id),
    (reply) =>
      reply.admin(
        'admin/subscribers/missing',
        {
          title: 'Subscriber not found',
          section: 'subscribers',
          note: 'No subscriber has that number. They may have been deleted already.',
        },
        404,
      ),
  )

  const renderRemove = (reply: FastifyReply, row: Subscriber, error?: string, status = 200) =>
    reply.admin('admin/subscribers/remove', removeView(row, timeZone(), error), status)

  // Body-parsing failures (a file over the limit, a second file, a cut-off body) happen before any
  // handler runs; answer them on the page with the form, never with Fastify's JSON.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (!request.auth || !request.isMultipart() || parsedMultipart.has(request)) throw error
    request.log.info({ err: { message: error.message, code: error.code } }, 'import refused while parsing')
    const problem = importUploadProblem(error)
    return importFailed(request, reply, problem.message, problem.status)
  })

  app.get(ADMIN_SUBSCRIBERS_URL, async (request, reply) => renderList(request, reply))

  app.post(ADMIN_SUBSCRIBERS_URL, async (request, reply) => {
    const email = typedEmail(request.body)
    const result = addSubscriber(db, email)
    const refuse = (message: string) =>
      renderList(request, reply, { add: { errors: { email: message }, email } }, 422)
    switch (result.outcome) {
      case 'invalid':
        return refuse(
          email.trim()
            ? 'That is not an email address Folio can send to. Check it for typos: it looks like name@example.com.'
            : 'Enter the email address to add.',
        )
      case 'already':
        return refuse(
          `${result.subscriber.email} is subscribed already, since ${formatDate(result.subscriber.confirmedAt ?? result.subscriber.createdAt, timeZone())}.`,
        )
      case 'unsubscribed':
        return refuse(unsubscribedNote(result.subscriber, timeZone()))
      default:
        return reply.redirect(
          subscribersUrl({ done: result.outcome === 'added' ? 'subscriber-added' : 'subscriber-confirmed' }),
          303,
        )
    }
  })

  app.get(SUBSCRIBERS_CSV_URL, async (_request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${exportFileName(dateStamp(timeZone()))}"`)
      .type('text/csv; charset=utf-8')
      .send(await subscribersCsv(db)),
  )

  app.post(IMPORT_URL, async (request, reply) => {
    const file = uploadedFile(request.body)
    if (!file) return importFailed(request, reply, 'Choose a CSV file to import.', 422)
    try {
      const report = await importSubscribers(db, file.buffer)
      return reply.admin('admin/subscribers/imported', importedView(report, file.filename))
    } catch (err) {
      if (!(err instanceof ImportRefusedError)) throw err
      return importFailed(request, reply, err.message, err.statusCode)
    }
  })

  app.get(
    '/admin/subscribers/:id/remove',
    withSubscriber((row, _request, reply) => renderRemove(reply, row)),
  )

  app.post(
    '/admin/subscribers/:id/remove',
    withSubscriber((row, request, reply) => {
      const action = removeActionFrom(request.body)
      if (action === 'delete') {
        deleteSubscriber(db, row.id)
        return reply.redirect(subscribersUrl({ status: row.status, done: 'subscriber-deleted' }), 303)
      }
      if (action === 'unsubscribe' && row.status !== 'unsubscribed') {
        unsubscribeSubscriber(db, row.id)
        return reply.redirect(subscribersUrl({ status: row.status, done: 'subscriber-unsubscribed' }), 303)
      }
      return renderRemove(reply, row, 'Nothing was changed. Choose one of the buttons below.', 422)
    }),
  )
}
