// Owns what every public page shares: settings, navigation and feed links, and reply.page() to render with them.
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'
import type { Db } from '../db/client.ts'
import { listNavPages } from '../features/blog/queries.ts'
import { type PageMeta, pageMeta } from '../features/blog/render.ts'
import { getSettings, type Settings } from '../features/settings/service.ts'
import { pageUrl } from '../lib/urls.ts'

export interface SiteLocals {
  readonly site: Settings
  readonly navPages: readonly { title: string; url: string }[]
  readonly feeds: { readonly atom: string; readonly rss: string; readonly json: string }
  readonly year: number
  readonly currentPath: string
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a public page inside the site layout, with the site's shared data. */
    page(
      template: string,
      data: Record<string, unknown> & { meta: PageMeta },
      status?: number,
    ): Promise<FastifyReply>
    siteLocals(): SiteLocals
  }
  interface FastifyInstance {
    /** Builds a page's <head> data against this site's settings and SITE_URL. */
    meta(site: Settings, input: Parameters<typeof pageMeta>[2]): PageMeta
  }
}

const FEEDS = { atom: '/feed.xml', rss: '/rss.xml', json: '/feed.json' } as const

export default fp(
  async function site(app: FastifyInstance, options: { db: Db; config: Config }) {
    const { db, config } = options

    app.decorate('meta', (site: Settings, input: Parameters<typeof pageMeta>[2]) =>
      pageMeta(site, config.siteUrl, input),
    )

    app.decorateReply('siteLocals', function siteLocals(this: FastifyReply): SiteLocals {
      return {
        site: getSettings(db),
        navPages: listNavPages(db).map((p) => ({ title: p.title, url: pageUrl(p.slug) })),
        feeds: FEEDS,
        year: new Date().getFullYear(),
        currentPath: this.request.url.split('?')[0] ?? '/',
      }
    })

    app.decorateReply(
      'page',
      async function page(this: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
        const locals = (data.site ? data : { ...this.siteLocals(), ...data }) as Record<string, unknown>
        const html = await this.viewAsync(template, locals)
        return this.code(status).type('text/html; charset=utf-8').send(html)
      },
    )
  },
  { name: 'site', dependencies: ['views'] },
)
