// Owns template rendering: @fastify/view over eta, with the helpers every template may use.
import fastifyView from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { VIEWS_DIR } from '../paths.ts'

export default fp(
  async function views(app: FastifyInstance, options: { cache: boolean }) {
    const eta = new Eta({ views: VIEWS_DIR, cache: options.cache, autoTrim: [false, 'nl'] })
    await app.register(fastifyView, {
      engine: { eta },
      root: VIEWS_DIR,
      viewExt: 'eta',
      production: options.cache,
      defaultContext: {
        asset: (name: string) => app.assets.url(name),
      },
    })
  },
  { name: 'views', dependencies: ['static-assets'] },
)
