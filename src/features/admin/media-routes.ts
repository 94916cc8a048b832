// Owns the admin's /admin/media screens: the library, uploads (forms and the editor's JSON), alt text, deleting.
import fastifyMultipart from '@fastify/multipart'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import type { Media } from '../../db/schema.ts'
import { formatDate } from '../../lib/dates.ts'
import { formFields } from '../../lib/form-errors.ts'
import { formatBytes } from '../../lib/format-bytes.ts'
import { listingPageUrl } from '../../lib/urls.ts'
import { parseVariants } from '../media/files.ts'
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_LABEL, MediaInputError, TOO_LARGE_MESSAGE } from '../media/pipeline.ts'
import { imageInfo, markdownFor, mediaUrl } from '../media/render.ts'
import { deleteMedia, findMedia, listMedia, MAX_ALT_LENGTH, saveUpload, updateAlt } from '../media/service.ts'
import { ACCEPTED_MIME_TYPES, IMAGE_TYPES } from '../media/sniff.ts'
import { describeUsage, type MediaUsage, mediaUsage, mediaUsageFor } from '../media/usage.ts'
import { getSettings } from '../settings/service.ts'
import { requireUser } from './context.ts'
import { parseId } from './params.ts'

interface UploadedFile {
  readonly buffer: Buffer
  readonly filename: string
}

/** The editor's script asks for JSON; a browser's form post always accepts HTML. */
const wantsJson = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

/** What the upload's file part becomes: read whole (within the size limit) by `part.toBuffer()`. */
const uploads = new WeakMap<object, UploadedFile>()

/**
 * @fastify/multipart attaches every part as an object ({ value } for fields, a file part for
 * files). The CSRF check and formFields read plain strings, so fields become strings here, and
 * the one file becomes the { buffer, filename } its onFile step read.
 */
function flattenMultipart(body: unknown): Record<string, unknown> {
  const flat: Record<string, unknown> = {}
  if (!body || typeof body !== 'object') return flat
  for (const [key, entry] of Object.entries(body)) {
    const part: unknown = Array.isArray(entry) ? entry[0] : entry
    if (!part || typeof part !== 'object') continue
    const p = part as { type?: unknown; value?: unknown }
    if (p.type === 'field' && typeof p.value === 'string') flat[key] = p.value
    else if (p.type === 'file' && uploads.has(part)) flat[key] = uploads.get(part)
  }
  return flat
}

function uploadedFile(body: unknown): UploadedFile | undefined {
  const file = (body as Record<string, unknown> | undefined)?.file
  if (!file || typeof file !== 'object') return undefined
  const { buffer, filename } = file as Partial<UploadedFile>
  return Buffer.isBuffer(buffer) && buffer.length > 0 ? { buffer, filename: filename ?? '' } : undefined
}

/** Why @fastify/multipart gave up on a body, in words, with the status to answer. */
function multipartProblem(error: FastifyError): { message: string; status: number } {
  switch (error.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return { message: TOO_LARGE_MESSAGE, status: 413 }
    case 'FST_FILES_LIMIT':
      return { message: 'Upload one image at a time.', status: 413 }
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return {
        message: 'The upload had more form fields than this form sends. Reload the page and try again.',
        status: 413,
      }
    default:
      return {
        message: 'The upload arrived incomplete or garbled. Reload the page and try again.',
        status: 400,
      }
  }
}

const detailUrl = (id: number): string => `/admin/media/${id}`

function usageView(usage: MediaUsage) {
  return {
    refs: [...usage.posts, ...usage.pages, ...usage.settings],
    total: usage.total,
    summary: describeUsage(usage),
  }
}

export default async function mediaRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const mediaDir = config.mediaDir

  // The signed-in check also runs later for every admin route; running it before the body is
  // read means a stranger's upload is refused before a single byte of it is buffered.
  app.addHook('preValidation', requireUser)
  await app.register(fastifyMultipart, {
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 20 },
    // Parses the whole form before preHandler, where the CSRF check looks for the _csrf field.
    attachFieldsToBody: true,
    // toBuffer() stops at the size limit with FST_REQ_FILE_TOO_LARGE, answered as a 413 below.
    async onFile(part) {
      const buffer = await part.toBuffer()
      uploads.set(part, { buffer, filename: part.filename })
    },
  })
  const parsedMultipart = new WeakSet<FastifyRequest>()
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return
    request.body = flattenMultipart(request.body)
    parsedMultipart.add(request)
  })

  function entryView(row: Media, timeZone: string, usage: MediaUsage) {
    const variants = parseVariants(row.variants)
    const thumb = variants[0] ?? { fileName: row.fileName, width: row.width, height: row.height }
    return {
      id: row.id,
      url: detailUrl(row.id),
      fileUrl: mediaUrl(row.fileName),
      fileName: row.fileName,
      originalName: row.originalName,
      alt: row.alt,
      thumb: { src: mediaUrl(thumb.fileName), width: thumb.width, height: thumb.height },
      size: formatBytes(row.bytes),
      dimensions: `${row.width} × ${row.height}`,
      date: formatDate(row.createdAt, timeZone),
      iso: row.createdAt.toISOString(),
      usage: usageView(usage),
    }
  }

  function renderLibrary(
    request: FastifyRequest,
    reply: FastifyReply,
    data: { errors?: Record<string, string>; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const raw = (request.query as Record<string, unknown>).page
    const requested = parseId(raw) ?? 1
    const result = listMedia(db, { page: requested })
    const { timezone } = getSettings(db)
    // Where every image on the page is used, in one query rather than one search per image.
    const usage = mediaUsageFor(db, result.items)
    return reply.admin(
      'admin/media/index',
      {
        title: 'Media',
        section: 'media',
        items: result.items.map((row) => entryView(row, timezone, usage.get(row.id) as MediaUsage)),
        total: result.total,
        pagination: {
          page: result.page,
          totalPages: result.totalPages,
          prevUrl: result.page > 1 ? listingPageUrl('/admin/media', result.page - 1) : null,
          nextUrl: result.page < result.totalPages ? listingPageUrl('/admin/media', result.page + 1) : null,
        },
        accept: ACCEPTED_MIME_TYPES,
        limitLabel: MAX_UPLOAD_LABEL,
        maxAltLength: MAX_ALT_LENGTH,
        errors: data.errors ?? {},
        values: { alt: '', ...data.values },
      },
      status,
    )
  }

  function uploadFailed(
    request: FastifyRequest,
    reply: FastifyReply,
    problem: { field: string; message: string; status: number },
  ) {
    if (problem.status === 503) reply.header('retry-after', '10')
    if (wantsJson(request))
      return reply
        .code(problem.status)
        .header('cache-control', 'no-store')
        .send({ error: problem.message, field: problem.field })
    const alt = formFields(request.body).alt ?? ''
    return renderLibrary(
      request,
      reply,
      { errors: { [problem.field]: problem.message }, values: { alt } },
      problem.status,
    )
  }

  // Body-parsing failures (a file over the limit, a second file, a cut-off body) happen before
  // any handler runs; answer them like any other upload problem, never with Fastify's JSON.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (!request.auth || !request.isMultipart() || parsedMultipart.has(request)) throw error
    request.log.info({ err: { message: error.message, code: error.code } }, 'upload refused while parsing')
    request.body = flattenMultipart(request.body)
    return uploadFailed(request, reply, { field: 'file', ...multipartProblem(error) })
  })

  function renderDetail(
    reply: FastifyReply,
    row: Media,
    data: { errors?: Record<string, string>; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const { timezone } = getSettings(db)
    const info = imageInfo(row)
    return reply.admin(
      'admin/media/show',
      {
        title: row.alt ? `Image: ${row.alt}` : `Image: ${row.originalName}`,
        section: 'media',
        image: {
          ...entryView(row, timezone, mediaUsage(db, row)),
          width: info.width,
          height: info.height,
          srcset: info.srcset ?? '',
          sizes: info.sizes ?? '',
          type: Object.values(IMAGE_TYPES).find((t) => t.mimeType === row.mimeType)?.label ?? row.mimeType,
          markdown: markdownFor(row),
          deleteUrl: `${detailUrl(row.id)}/delete`,
        },
        maxAltLength: MAX_ALT_LENGTH,
        errors: data.errors ?? {},
        values: { alt: row.alt, ...data.values },
      },
      status,
    )
  }

  function renderDelete(reply: FastifyReply, row: Media, errors: Record<string, string> = {}, status = 200) {
    const { timezone } = getSettings(db)
    return reply.admin(
      'admin/media/delete',
      {
        title: 'Delete image',
        section: 'media',
        image: { ...entryView(row, timezone, mediaUsage(db, row)), deleteUrl: `${detailUrl(row.id)}/delete` },
        errors,
      },
      status,
    )
  }

  function findFromParams(request: FastifyRequest): Media | undefined {
    const id = parseId((request.params as Record<string, unknown>).id)
    return id === undefined ? undefined : findMedia(db, id)
  }

  app.get('/admin/media', async (request, reply) => renderLibrary(request, reply))

  app.post('/admin/media', async (request, reply) => {
    const fields = formFields(request.body)
    const file = uploadedFile(request.body)
    if (!file)
      return uploadFailed(request, reply, {
        field: 'file',
        message: 'Choose an image file to upload.',
        status: 422,
      })
    let row: Media
    try {
      row = await saveUpload(db, mediaDir, {
        buffer: file.buffer,
        originalName: file.filename,
        alt: fields.alt,
      })
    } catch (err) {
      if (!(err instanceof MediaInputError)) throw err
      return uploadFailed(request, reply, { field: err.field, message: err.message, status: err.statusCode })
    }
    if (wantsJson(request)) {
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          id: row.id,
          url: mediaUrl(row.fileName),
          width: row.width,
          height: row.height,
          alt: row.alt,
          markdown: markdownFor(row),
        })
    }
    return reply.redirect('/admin/media?done=media-uploaded', 303)
  })

  app.get('/admin/media/:id', async (request, reply) => {
    const row = findFromParams(request)
    if (!row) return reply.callNotFound()
    return renderDetail(reply, row)
  })

  app.post('/admin/media/:id', async (request, reply) => {
    const row = findFromParams(request)
    if (!row) return reply.callNotFound()
    const alt = formFields(request.body).alt ?? ''
    try {
      updateAlt(db, row.id, alt)
    } catch (err) {
      if (!(err instanceof MediaInputError)) throw err
      return renderDetail(reply, row, { errors: { alt: err.message }, values: { alt } }, err.statusCode)
    }
    return reply.redirect(`${detailUrl(row.id)}?done=media-saved`, 303)
  })

  app.get('/admin/media/:id/delete', async (request, reply) => {
    const row = findFromParams(request)
    if (!row) return reply.callNotFound()
    return renderDelete(reply, row)
  })

  app.post('/admin/media/:id/delete', async (request, reply) => {
    const row = findFromParams(request)
    if (!row) return reply.callNotFound()
    // Usage is checked again here: a post may have started using the image since the page loaded.
    const usage = mediaUsage(db, row)
    if (usage.total > 0 && formFields(request.body).confirm !== 'yes') {
      const message = `This image is still used in ${describeUsage(usage)}. Tick the box to delete it anyway.`
      return renderDelete(reply, row, { confirm: message }, 422)
    }
    await deleteMedia(db, mediaDir, row.id)
    return reply.redirect('/admin/media?done=media-deleted', 303)
  })
}
