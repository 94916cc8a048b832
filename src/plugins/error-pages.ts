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
      if (!wantsHtml(request) || request.method !== 'GET') {
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
      return renderError(reply, status, status === 413 ? 'Too large' : 'Bad request', error.message)
    })
  },
  { name: 'error-pages', dependencies: ['site'] },
)
