// Owns reading an upload: the multipart body as plain fields plus one file, why a body was refused, and who wants JSON.
import fastifyMultipart from '@fastify/multipart'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { TOO_LARGE_MESSAGE } from '../../media/pipeline.ts'

export interface UploadedFile {
  readonly buffer: Buffer
  readonly filename: string
}

/** The editor's script asks for JSON; a browser's form post always accepts HTML. */
export const wantsJson = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

/** What each upload's file part became: read whole (within the size limit) by `part.toBuffer()`. */
const uploads = new WeakMap<object, UploadedFile>()

/** @fastify/multipart's onFile step: reads the file part whole, stopping at the size limit. */
async function readFilePart(part: { toBuffer(): Promise<Buffer>; filename: string }): Promise<void> {
  const buffer = await part.toBuffer()
  uploads.set(part, { buffer, filename: part.filename })
}

/**
 * @fastify/multipart attaches every part as an object ({ value } for fields, a file part for
 * files). The CSRF check and formFields read plain strings, so fields become strings here, and
 * the one file becomes the { buffer, filename } that readFilePart read.
 */
export function flattenMultipart(body: unknown): Record<string, unknown> {
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

/** The non-empty file in a flattened body, if there is one. */
export function uploadedFile(body: unknown): UploadedFile | undefined {
  const file = (body as Record<string, unknown> | undefined)?.file
  if (!file || typeof file !== 'object') return undefined
  const { buffer, filename } = file as Partial<UploadedFile>
  return Buffer.isBuffer(buffer) && buffer.length > 0 ? { buffer, filename: filename ?? '' } : undefined
}

/** What an upload form calls its file in the two messages that differ between forms. */
export interface UploadWords {
  /** Said when the file is over the size limit. */
  readonly tooLarge: string
  /** Said when more than one file was sent. */
  readonly oneFile: string
}

const IMAGE_WORDS: UploadWords = { tooLarge: TOO_LARGE_MESSAGE, oneFile: 'Upload one image at a time.' }

/** Why @fastify/multipart gave up on a body, in words, with the status to answer. */
export function multipartProblem(
  error: FastifyError,
  words: UploadWords = IMAGE_WORDS,
): { message: string; status: number } {
  switch (error.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return { message: words.tooLarge, status: 413 }
    case 'FST_FILES_LIMIT':
      return { message: words.oneFile, status: 413 }
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

/**
 * Lets `app`'s routes take a form with one file of at most `maxBytes`: parsed whole before
 * preHandler (where the CSRF check looks for the _csrf field), fields as strings and the file as
 * { buffer, filename }. Returns the requests whose body was parsed, so an error handler can tell a
 * body multipart refused half-way from one that arrived. Register requireUser in preValidation
 * first: a stranger's upload is then refused before a byte of it is buffered.
 */
export async function acceptOneFile(
  app: FastifyInstance,
  maxBytes: number,
): Promise<WeakSet<FastifyRequest>> {
  // The production bundle's copy never reads globalThis.FormData (scripts/build.ts).
  await app.register(fastifyMultipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 20 },
    attachFieldsToBody: true,
    // toBuffer() stops at the size limit with FST_REQ_FILE_TOO_LARGE: a 413 from multipartProblem.
    onFile: readFilePart,
  })
  const parsed = new WeakSet<FastifyRequest>()
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return
    request.body = flattenMultipart(request.body)
    parsed.add(request)
  })
  return parsed
}
