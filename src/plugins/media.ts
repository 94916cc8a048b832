// Owns /media/: files uploaded by the author, served from MEDIA_DIR by @fastify/static.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export default fp(
  async function media(app: FastifyInstance, options: { dir: string }) {
    const root = resolve(options.dir)
    mkdirSync(root, { recursive: true })
    await app.register(fastifyStatic, {
      root,
      prefix: '/media/',
      decorateReply: false,
      index: false,
      list: false,
      dotfiles: 'deny',
      // Upload names carry a content hash, so a file at a URL never changes.
      maxAge: '365d',
      immutable: true,
    })
  },
  { name: 'media' },
)
