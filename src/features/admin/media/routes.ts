// Owns the admin's /admin/media routes: the library, uploads (forms and the editor's JSON), alt text, deleting.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import type { Media } from '../../../db/schema.ts'
import { type FieldErrors, formFields } from '../../../lib/form-errors.ts'
import { rerendersSettled, rerenderWhereImageUsed } from '../../content/rerender.ts'
import { MAX_UPLOAD_BYTES, MediaInputError } from '../../media/pipeline.ts'
import { deleteMedia, findMedia, listMedia, saveUpload, updateAlt } from '../../media/service.ts'
import { describeUsage, mediaUsage, mediaUsageFor } from '../../media/usage.ts'
import { getSettings } from '../../settings/service.ts'
import { requireUser } from '../context.ts'
import { parseId, withRow } from '../params.ts'
import { acceptOneFile, flattenMultipart, multipartProblem, uploadedFile, wantsJson } from './forms.ts'
import { deleteView, detailUrl, detailView, type FormState, libraryView, uploadedJson } from './render.ts'

interface UploadProblem {
  readonly field: string
  readonly message: string
  readonly status: number
}

export default async function mediaRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options
  const mediaDir = options.config.mediaDir
  const timeZone = () => getSettings(db).timezone

  // The signed-in check also runs later for every admin route; running it before the body is
  // read means a stranger's upload is refused before a single byte of it is buffered.
  app.addHook('preValidation', requireUser)
  app.addHook('onClose', () => rerendersSettled(db))
  const parsedMultipart = await acceptOneFile(app, MAX_UPLOAD_BYTES)

  function renderLibrary(request: FastifyRequest, reply: FastifyReply, form?: FormState, status = 200) {
    const page = parseId((request.query as Record<string, unknown>).page) ?? 1
    const result = listMedia(db, { page })
    // Where every image on the page is used, in one query rather than one search per image.
    const usage = mediaUsageFor(db, result.items)
    return reply.admin('admin/media/index', libraryView(result, usage, timeZone(), form), status)
  }

  const renderDetail = (reply: FastifyReply, row: Media, form?: FormState, status = 200) =>
    reply.admin('admin/media/show', detailView(row, mediaUsage(db, row), timeZone(), form), status)

  const renderDelete = (reply: FastifyReply, row: Media, errors?: FieldErrors, status = 200) =>
    reply.admin('admin/media/delete', deleteView(row, mediaUsage(db, row), timeZone(), errors), status)

  function uploadFailed(request: FastifyRequest, reply: FastifyReply, problem: UploadProblem) {
    if (problem.status === 503) reply.header('retry-after', '10')
    if (wantsJson(request))
      return reply
        .code(problem.status)
        .header('cache-control', 'no-store')
        .send({ error: problem.message, field: problem.field })
    const alt = formFields(request.body).alt ?? ''
    const form = { errors: { [problem.field]: problem.message }, values: { alt } }
    return renderLibrary(request, reply, form, problem.status)
  }

  /** A handler for /admin/media/:id…, given the image; an unknown id is the site's 404. */
  const withImage = withRow(
    (id) => findMedia(db, id),
    (reply) => reply.callNotFound(),
  )

  // Body-parsing failures (a file over the limit, a second file, a cut-off body) happen before
  // any handler runs; answer them like any other upload problem, never with Fastify's JSON.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (!request.auth || !request.isMultipart() || parsedMultipart.has(request)) throw error
    request.log.info({ err: { message: error.message, code: error.code } }, 'upload refused while parsing')
    request.body = flattenMultipart(request.body)
    return uploadFailed(request, reply, { field: 'file', ...multipartProblem(error) })
  })

  app.get('/admin/media', async (request, reply) => renderLibrary(request, reply))

  app.post('/admin/media', async (request, reply) => {
    const file = uploadedFile(request.body)
    if (!file) {
      const problem = { field: 'file', message: 'Choose an image file to upload.', status: 422 }
      return uploadFailed(request, reply, problem)
    }
    let row: Media
    try {
      const alt = formFields(request.body).alt
      row = await saveUpload(db, mediaDir, { buffer: file.buffer, originalName: file.filename, alt })
    } catch (err) {
      if (!(err instanceof MediaInputError)) throw err
      return uploadFailed(request, reply, { field: err.field, message: err.message, status: err.statusCode })
    }
    if (wantsJson(request)) return reply.code(201).header('cache-control', 'no-store').send(uploadedJson(row))
    return reply.redirect('/admin/media?done=media-uploaded', 303)
  })

  app.get(
    '/admin/media/:id',
    withImage((row, _request, reply) => renderDetail(reply, row)),
  )

  app.post(
    '/admin/media/:id',
    withImage((row, request, reply) => {
      const alt = formFields(request.body).alt ?? ''
      let saved: Media | undefined
      try {
        saved = updateAlt(db, row.id, alt)
      } catch (err) {
        if (!(err instanceof MediaInputError)) throw err
        if (wantsJson(request))
          return reply.code(err.statusCode).send({ error: err.message, field: err.field })
        return renderDetail(reply, row, { errors: { alt: err.message }, values: { alt } }, err.statusCode)
      }
      // Posts and pages showing this image without alt text of their own show the new one.
      if (saved && saved.alt !== row.alt) rerenderWhereImageUsed(db, saved, request.log)
      if (wantsJson(request))
        return reply.header('cache-control', 'no-store').send(uploadedJson(saved ?? row))
      return reply.redirect(`${detailUrl(row.id)}?done=media-saved`, 303)
    }),
  )

  app.get(
    '/admin/media/:id/delete',
    withImage((row, _request, reply) => renderDelete(reply, row)),
  )

  app.post(
    '/admin/media/:id/delete',
    withImage(async (row, request, reply) => {
      // Usage is checked again here: a post may have started using the image since the page loaded.
      const usage = mediaUsage(db, row)
      if (usage.total > 0 && formFields(request.body).confirm !== 'yes') {
        const message = `This image is still used in ${describeUsage(usage)}. Tick the box to delete it anyway.`
        return renderDelete(reply, row, { confirm: message }, 422)
      }
      await deleteMedia(db, mediaDir, row.id)
      return reply.redirect('/admin/media?done=media-deleted', 303)
    }),
  )
}
