// Owns what every HTML form needs: body parsing, cookies, and CSRF tokens (@fastify/csrf-protection).
import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export class ForbiddenOriginError extends Error {
  readonly statusCode = 403
  readonly code = 'FOLIO_CROSS_SITE'
  constructor() {
    super('This form was sent from another site, so it was refused.')
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Adds to a scope the checks every state-changing request must pass: same origin, then the CSRF token. */
    protectForms(scope: FastifyInstance): void
    /** preHandler refusing a state-changing request that a browser says came from another site. */
    checkSameOrigin(request: FastifyRequest): Promise<void>
  }
}

export default fp(
  async function forms(app: FastifyInstance, options: { config: Config; cookieSecret: string }) {
    const { config } = options
    const siteOrigin = new URL(config.siteUrl).origin
    const siteProtocol = new URL(config.siteUrl).protocol
    await app.register(fastifyCookie, { secret: options.cookieSecret })
    // A 200,000-character post in a non-Latin script is ~1.8 MB once URL-encoded.
    await app.register(fastifyFormbody, { bodyLimit: 2 * 1024 * 1024 })
    await app.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: 'folio_csrf',
      cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/' },
    })

    /** Browsers say where a request came from; a form posted from another site never gets as far as its token. */
    function sameOrigin(request: FastifyRequest): boolean {
      const fetchSite = request.headers['sec-fetch-site']
      if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return false
      const origin = request.headers.origin
      if (!origin || origin === 'null') return origin !== 'null'
      // The site's own scheme, not the request's: behind a TLS-terminating proxy the request is
      // plain http, and an http:// page must never pass for the https site.
      const own = `${siteProtocol}//${request.host}`
      return origin === siteOrigin || origin === own
    }

    async function checkSameOrigin(request: FastifyRequest): Promise<void> {
      if (!SAFE_METHODS.has(request.method) && !sameOrigin(request)) throw new ForbiddenOriginError()
    }
    app.decorate('checkSameOrigin', checkSameOrigin)

    app.decorate('protectForms', function protectForms(scope: FastifyInstance) {
      scope.addHook('preHandler', checkSameOrigin)
      // preHandler runs after the body is parsed, so the _csrf field is there to check.
      scope.addHook(
        'preHandler',
        (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
          if (SAFE_METHODS.has(request.method)) return done()
          app.csrfProtection(request, reply, done)
        },
      )
    })
  },
  { name: 'forms' },
)
