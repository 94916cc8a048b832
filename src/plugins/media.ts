// Owns /media/: the images Folio wrote to MEDIA_DIR, served by @fastify/static, and nothing else found there.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface MediaOptions {
  /** MEDIA_DIR: where uploads are written. */
  readonly dir: string
  /** The names Folio gives the images it writes; nothing else in `dir` is served. */
  readonly storedName: RegExp
}

export default fp(
  async function media(app: FastifyInstance, options: MediaOptions) {
    const { storedName } = options
    const root = resolve(options.dir)
    mkdirSync(root, { recursive: true })
    await app.register(fastifyStatic, {
      root,
      prefix: '/media/',
      decorateReply: false,
      index: false,
      list: false,
      dotfiles: 'deny',
      // Only names Folio gives images: anything else in MEDIA_DIR (put there by hand, or by an older
      // import) would run as a page or script on the site's own origin. For these names the
      // Content-Type, taken from the extension, is always an image type.
      allowedPath: (pathname) => storedName.test(pathname.replace(/^\//, '')),
      setHeaders(res) {
        res.setHeader('x-content-type-options', 'nosniff')
      },
      // Upload names carry a content hash, so a file at a URL never changes.
      maxAge: '365d',
      immutable: true,
    })
  },
  { name: 'media' },
)
