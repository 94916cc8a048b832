// Owns what a visitor sees when something is missing or broken: the 404 and error pages.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'

const wantsHtml = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? ''
  return !accept.includes('application/json') || accept.includes('text/html')
}

/** A guess at what the visitor was looking for, from the last segment of the path. */
function suggestionFrom(path: string): string {
  const last = decodeURIComponentSafe(path.split('?')[0]?.split('/').filter(Boolean).pop() ?? '')
  return last
    .replace(/\.[a-z0-9]+$/i, '')
    .replace(/[-_]+/g, ' ')
    .slice(0, 100)
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

const PLAIN_PAGE = (title: string, message: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><h1>${title}</h1><p>${message}</p><p><a href="/">Go to the home page</a></p>`

/** Fastify's own errors before routing (a URL that does not decode), as an HTML page. */
export async function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const heading = 'That address does not work'
  const message =
    'The address has characters that cannot be read. Check the link, or search for what you wanted.'
  request.log.info({ err: { message: error.message, code: error.code } }, 'bad url')
  reply.header('cache-control', 'no-store')
  try {
    const locals = reply.siteLocals()
    const meta = request.server.meta(locals.site, { title: heading, path: '/', noindex: true })
    return await reply.page('errors/error', { ...locals, meta, heading, message }, 400)
  } catch {
    return reply.code(400).type('text/html; charset=utf-8').send(PLAIN_PAGE(heading, message))
  }
}

/** A path segment longer than any slug: answered before Fastify decorates anything. */
export function onMaxParamLength(_path: string, _req: unknown, res: import('node:http').ServerResponse) {
  res.writeHead(414, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(PLAIN_PAGE('That address is too long', 'No page on this site has an address that long.'))
}

export default fp(
  async function errorPages(app: FastifyInstance, options: { config: Config }) {
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
        return reply
          .code(status)
          .type('application/json; charset=utf-8')
          .send({ statusCode: status, error: heading, message })
      }
      try {
        const locals = reply.siteLocals()
        return await reply.page(
          'errors/error',
          {
            ...locals,
            meta: app.meta(locals.site, {
              title: heading,
              path: request.url.split('?')[0] ?? '/',
              noindex: true,
            }),
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
      const locals = reply.siteLocals()
      const path = request.url.split('?')[0] ?? '/'
      return reply.page(
        'errors/not-found',
        {
          ...locals,
          meta: app.meta(locals.site, { title: 'Page not found', path, noindex: true }),
          path,
          suggestion: suggestionFrom(path),
        },
        404,
      )
    })

    app.setErrorHandler(async (error: FastifyError, request, reply) => {
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
      return renderError(reply, status, status === 413 ? 'Too large' : 'Bad request', error.message)
    })
  },
  { name: 'error-pages', dependencies: ['site'] },
)
