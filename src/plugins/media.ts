// Owns /media/: the images Folio wrote to MEDIA_DIR, sent by @fastify/send, and nothing else found there.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import send from '@fastify/send'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface MediaOptions {
  /** MEDIA_DIR: where uploads are written. */
  readonly dir: string
  /** The names Folio gives the images it writes; nothing else in `dir` is served. */
  readonly storedName: RegExp
}

/**
 * One route and @fastify/send (conditional requests, ranges, HEAD), not @fastify/static: it loaded
 * glob and its helpers (~280 KB) at every start to serve a folder of files named by a pattern.
 */
export default fp(
  async function media(app: FastifyInstance, options: MediaOptions) {
    const { storedName } = options
    const root = resolve(options.dir)
    mkdirSync(root, { recursive: true })
    const sendOptions = {
      root,
      index: false,
      dotfiles: 'deny',
      // Upload names carry a content hash, so a file at a URL never changes.
      maxAge: '365d',
      immutable: true,
    } as const

    app.route({
      method: ['GET', 'HEAD'],
      url: '/media/*',
      async handler(request, reply) {
        const name = (request.params as { '*': string })['*']
        // Only names Folio gives images: anything else in MEDIA_DIR (put there by hand, or by an older
        // import) would run as a page or script on the site's own origin. For these names the
        // Content-Type, taken from the extension, is always an image type.
        if (!storedName.test(name)) return reply.callNotFound()
        // send decodes the path it is given, so it gets the name encoded again.
        const sent = await send(request.raw, encodeURI(`/${name}`), sendOptions)
        if (sent.type === 'file') {
          reply.code(sent.statusCode).headers(sent.headers)
          reply.header('x-content-type-options', 'nosniff')
          return reply.send(sent.stream)
        }
        const error =
          sent.type === 'error' ? (sent.metadata.error as { code?: string; status?: number }) : undefined
        // A file that is not there (or a folder named like an image) is the site's 404.
        if (!error || error.code === 'ENOENT' || error.status === 404) return reply.callNotFound()
        // A range past the end is a 416 that says the size (RFC 9110); it and a failed read get the
        // site's error page (errorPages is registered before this plugin, so its handler is this route's).
        const range = sent.headers['Content-Range']
        if (typeof range === 'string') reply.header('content-range', range)
        throw error
      },
    })
  },
  { name: 'media' },
)
