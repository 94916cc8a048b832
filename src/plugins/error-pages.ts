// Owns what a visitor sees when something is missing or broken: the 404 page (a 301 instead for an imported blog's old URL) and the error pages.
import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'
import { recordStorageFailure, STORAGE_PROBLEM_TEXT } from '../db/storage-health.ts'
import { decodeOrKeep } from '../lib/text.ts'

const wantsHtml = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? ''
  return !accept.includes('application/json') || accept.includes('text/html')
}

/** A guess at what the visitor was looking for, from the last segment of the path. */
function suggestionFrom(path: string): string {
  const last = decodeOrKeep(path.split('?')[0]?.split('/').filter(Boolean).pop() ?? '')
  return last
    .replace(/\.[a-z0-9]+$/i, '')
    .replace(/[-_]+/g, ' ')
    .slice(0, 100)
}

/** A page that needs neither the database nor a template; title and message are Folio's own text. */
export const PLAIN_PAGE = (title: string, message: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><h1>${title}</h1><p>${message}</p><p><a href="/">Go to the home page</a></p>`

/** What a visitor reads for Fastify's own 4xx errors, whose messages are written for developers. */
function describeFrameworkError(error: FastifyError, status: number): { heading: string; message: string } {
  if (status === 413)
    return {
      heading: 'Too large',
      message:
        'What you sent is larger than this site accepts, so nothing was saved. Go back and send something shorter, or a smaller file.',
    }
  if (status === 415)
    return {
      heading: 'This could not be read',
      message:
        'This was sent in a format the site does not accept, so nothing was saved. Use the form on the page to send it.',
    }
  if (status === 408)
    return {
      heading: 'That took too long',
      message: 'The request did not arrive in time, so nothing was saved. Go back and try again.',
    }
  return {
    heading: 'Bad request',
    message:
      error.code === 'FST_ERR_VALIDATION'
        ? 'Part of the address or form was not in the expected form, so nothing was changed. Go back and check it.'
        : 'The request could not be read, so nothing was saved. Go back and try again.',
  }
}

/**
 * A header set before an error that Node would refuse to send (a non-Latin-1 Location, say) would
 * make the error page itself fail, and Fastify would fall back to its bare JSON: drop it first.
 */
function dropUnsendableHeaders(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    try {
      validateHeaderName(name)
      for (const one of Array.isArray(value) ? value : [value]) validateHeaderValue(name, String(one))
    } catch {
      reply.removeHeader(name)
    }
  }
}

/**
 * Errors Node's parser finds before Fastify sees a request (a malformed request line or header, a
 * request that took longer than requestTimeout, headers too large): an HTML page, not Fastify's JSON.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const heading = status === 408 ? 'That took too long' : status === 431 ? 'Too large' : 'Bad request'
  const message =
    status === 408
      ? 'The request did not arrive in time, so nothing was saved. Please try again.'
      : 'Your browser sent a request this site could not read, so nothing was saved. Please try again.'
  const body = PLAIN_PAGE(heading, message)
  if (socket.writable && socket.bytesWritten === 0) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

/** Fastify's own errors before routing (a URL that does not decode), as an HTML page. */
export async function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 400
  const heading = status === 400 ? 'That address does not work' : 'Something went wrong'
  const message =
    status === 400
      ? 'The address has characters that cannot be read. Check the link, or search for what you wanted.'
      : 'Sorry, this page could not be shown. Please try again in a moment.'
  request.log.info({ err: { message: error.message, code: error.code } }, 'bad url')
  reply.header('cache-control', 'no-store')
  try {
    const locals = reply.siteLocals()
    const meta = { title: heading, path: '/', noindex: true }
    return await reply.page('errors/error', { ...locals, meta, heading, message }, status)
  } catch {
    return reply.code(status).type('text/html; charset=utf-8').send(PLAIN_PAGE(heading, message))
  }
}

/** A path segment longer than any slug: answered before Fastify decorates anything. */
export function onMaxParamLength(_path: string, _req: unknown, res: import('node:http').ServerResponse) {
  res.writeHead(414, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(PLAIN_PAGE('That address is too long', 'No page on this site has an address that long.'))
}

export default fp(
  async function errorPages(
    app: FastifyInstance,
    options: {
      config: Config
      /** Where an old URL now lives (an imported blog's links), asked before answering 404. */
      movedTo?: (url: string) => string | undefined
    },
  ) {
    const production = options.config.nodeEnv === 'production'

    async function renderError(
      reply: FastifyReply,
      status: number,
      heading: string,
      message: string,
      stack?: string,
    ) {
      const request = reply.request
      if (!wantsHtml(request)) {
        return (
          reply
            .code(status)
            .type('application/json; charset=utf-8')
            // Folio's own shape for scripts that asked for JSON (the media uploader): words to show a person.
            .send({ error: heading, message })
        )
      }
      try {
        return await reply.page(
          'errors/error',
          {
            meta: {
              title: heading,
              path: request.url.split('?')[0] ?? '/',
              noindex: true,
            },
            heading,
            message,
            stack,
          },
          status,
        )
      } catch (renderFailure) {
        // The database or a template is what failed: fall back to a page that needs neither.
        request.log.error({ err: renderFailure }, 'error page could not be rendered')
        return reply
          .code(status)
          .type('text/html; charset=utf-8')
          .send(
            `<!doctype html><html lang="en"><meta charset="utf-8"><title>${heading}</title><h1>${heading}</h1><p>${message}</p>`,
          )
      }
    }

    app.setNotFoundHandler(async (request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return renderError(reply, 404, 'Not found', 'There is nothing here.')
      }
      // An imported blog's old URL (`/2019/03/slug/`, `/category/x/`, Ghost's `/slug/`) that still has a home.
      const moved = options.movedTo?.(request.url)
      if (moved !== undefined) return reply.redirect(moved, 301)
      const path = request.url.split('?')[0] ?? '/'
      return reply.page(
        'errors/not-found',
        {
          meta: { title: 'Page not found', path, noindex: true },
          path,
          suggestion: suggestionFrom(path),
        },
        404,
      )
    })

    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      dropUnsendableHeaders(reply)
      reply.header('cache-control', 'no-store')
      const storage = recordStorageFailure(app.db, error)
      if (storage) {
        // Not a bug to hide behind "something went wrong": say plainly that nothing was kept.
        request.log.error({ err: error, method: request.method, url: request.url }, 'storage failed')
        if (storage !== 'damaged') reply.header('retry-after', '60')
        const writing = request.method !== 'GET' && request.method !== 'HEAD'
        return renderError(
          reply,
          503,
          writing ? 'Nothing was saved' : 'Something went wrong',
          writing
            ? `Sorry: ${STORAGE_PROBLEM_TEXT[storage]}, so nothing was saved. Go back: what you typed is still in the form. Please try again later.`
            : `Sorry: ${STORAGE_PROBLEM_TEXT[storage]}, so this page cannot be shown. Please try again later.`,
        )
      }
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
      if (status >= 500) {
        request.log.error({ err: error, method: request.method, url: request.url }, 'request failed')
        return renderError(
          reply,
          status,
          'Something went wrong',
          'Sorry, this page could not be shown. The problem has been logged; please try again in a moment.',
          production ? undefined : error.stack,
        )
      }
      request.log.info({ err: { message: error.message, code: error.code }, url: request.url }, 'bad request')
      if (status === 403 && (error.code?.startsWith('FST_CSRF') || error.code === 'FOLIO_CROSS_SITE')) {
        return renderError(
          reply,
          403,
          'This form could not be accepted',
          'The form was too old, was sent from another site, or your browser blocked its cookie, so nothing was changed. Go back, reload the page, and send it again.',
        )
      }
      if (error.code?.startsWith('FST_')) {
        const { heading, message } = describeFrameworkError(error, status)
        return renderError(reply, status, heading, message)
      }
      const heading = status === 413 ? 'Too large' : status === 415 ? 'This could not be read' : 'Bad request'
      return renderError(reply, status, heading, error.message)
    })
  },
  { name: 'error-pages', dependencies: ['site'] },
)
