// Owns /feed.xml (Atom), /rss.xml (RSS 2.0) and /feed.json (JSON Feed 1.1).
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { getSettings } from '../settings/service.ts'
import { buildFeed, escapeCategoryAttributes, FEED_PATHS, toJsonFeed11 } from './build.ts'
import { listFeedPosts } from './queries.ts'

export default async function feedRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const load = async (format: 'xml' | 'json') => {
    const site = getSettings(db)
    const items = listFeedPosts(db, new Date())
    return { site, items, feed: await buildFeed(site, config.siteUrl, items, format) }
  }

  app.get(FEED_PATHS.atom, async (_request, reply) => {
    reply.type('application/atom+xml; charset=utf-8')
    return escapeCategoryAttributes((await load('xml')).feed.atom1())
  })

  app.get(FEED_PATHS.rss, async (_request, reply) => {
    reply.type('application/rss+xml; charset=utf-8')
    return (await load('xml')).feed.rss2()
  })

  app.get(FEED_PATHS.json, async (_request, reply) => {
    const { site, items, feed } = await load('json')
    reply.type('application/feed+json; charset=utf-8')
    return toJsonFeed11(feed, site, items)
  })
}
