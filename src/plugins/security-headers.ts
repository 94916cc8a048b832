// Owns the security headers on every response, through @fastify/helmet.
import fastifyHelmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'

export default fp(
  async function securityHeaders(app: FastifyInstance, options: { config: Config }) {
    const https = options.config.siteUrl.startsWith('https:')
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          // Public pages ship no script; the admin's small scripts are files on this origin.
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          // Authors may embed images hosted elsewhere in their Markdown.
          imgSrc: ["'self'", 'https:', 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          ...(https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      // Cross-origin isolation would break images that authors embed from other sites.
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
      xFrameOptions: { action: 'deny' },
    })
  },
  { name: 'security-headers' },
)
