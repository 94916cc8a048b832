// Owns GET /cards/…: a public post's social card as a PNG, drawn on first request and then served from disk.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { BusyError } from '../../lib/semaphore.ts'
import { parseCardFile } from '../../lib/urls.ts'
import { IMMUTABLE } from '../../plugins/static-assets.ts'
import { getSettings } from '../settings/service.ts'
import { cardHash, cardTextOf, createCardStore, findPublicCardPost } from './cards.ts'

export default async function cardRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options
  const store = createCardStore(options.config.mediaDir, {
    onKeepFailed: (err) => app.log.warn({ err }, 'a social card could not be kept on disk'),
  })

  // Reads only: the post and the settings. Writing the card's file on a miss is a cache, not data.
  app.get<{ Params: { file: string } }>('/cards/:file', async (request, reply) => {
    const wanted = parseCardFile(request.params.file)
    const post = wanted && findPublicCardPost(db, wanted.slug, new Date())
    if (!wanted || !post) return reply.callNotFound()
    const text = cardTextOf(post, getSettings(db))
    // An older title's card is gone for good; only the current one has an address.
    if (cardHash(text) !== wanted.hash) return reply.callNotFound()

    let png: Buffer
    try {
      png = await store.png(post.id, text)
    } catch (err) {
      if (!(err instanceof BusyError)) throw err
      reply.header('retry-after', '10').header('cache-control', 'no-store')
      return reply.page(
        'errors/error',
        {
          meta: { title: 'Busy', path: request.url, noindex: true },
          heading: 'Busy drawing other cards',
          message: 'This image is being drawn along with many others. Try again in a few seconds.',
        },
        503,
      )
    }
    // Made to be shown on other sites (a post shared elsewhere), unlike the pages: cross-origin.
    return reply
      .type('image/png')
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('cache-control', IMMUTABLE)
      .header('etag', `"${wanted.hash}"`)
      .send(png)
  })
}
