// Owns what every public page shares (settings, navigation, feed links) and reply.page() to render with them.
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
// Types only: the plugin is handed its loaders and never calls into a feature.
import type { SubscribeFormView } from '../features/newsletter/forms.ts'
import type { Settings } from '../features/settings/service.ts'
import { beaconStylesheetUrl } from '../lib/urls.ts'

/** The picture shared with a page (og:image): a post's feature image or its generated social card. */
export interface MetaImage {
  /** Root-relative or absolute; the <head> always gets it absolute. */
  readonly url: string
  readonly width: number
  readonly height: number
  readonly alt: string
}

/** A page's <head> as a handler describes it; the site plugin turns it into full metadata. */
export interface MetaInput {
  title?: string
  description?: string
  path: string
  ogType?: 'website' | 'article'
  prevPath?: string | undefined
  nextPath?: string | undefined
  noindex?: boolean
  publishedTime?: Date
  modifiedTime?: Date
  jsonLd?: unknown
  image?: MetaImage
}

/** How the site's shared data is loaded: passed in from app.ts, so this plugin knows no feature. */
export interface SiteLoaders {
  readonly settings: () => Settings
  readonly navPages: () => readonly { title: string; url: string }[]
  readonly meta: (site: Settings, input: MetaInput) => unknown
  readonly feeds: { readonly atom: string; readonly rss: string; readonly json: string }
  /** The Webmention endpoint's absolute URL, advertised by every page in a Link header and a <link>. */
  readonly webmention: string
  /** The subscribe form the home page and posts show, or null where the newsletter is not offered. */
  readonly subscribeForm: (site: Settings) => SubscribeFormView | null
}

export interface SiteLocals {
  readonly site: Settings
  readonly navPages: readonly { title: string; url: string }[]
  readonly feeds: SiteLoaders['feeds']
  readonly webmention: string
  readonly subscribeForm: SubscribeFormView | null
  /** The stats' CSS beacon for this page, when the author counts with it (settings.statsBeacon); else null. */
  readonly beaconStylesheet: string | null
  readonly year: number
  readonly currentPath: string
}

declare module 'fastify' {
  interface FastifyReply {
    /** Set by @fastify/view per request and merged into every template's data (its types omit it). */
    locals: Record<string, unknown> | null
    /** Renders a public page inside the site layout, with the site's shared data and its <head> built from `meta`. */
    page(
      template: string,
      data: Record<string, unknown> & { meta: MetaInput },
      status?: number,
    ): Promise<FastifyReply>
    /** The site's shared data for this request, loaded once and handed to every template through reply.locals. */
    siteLocals(): SiteLocals
  }
}

export default fp(
  async function site(app: FastifyInstance, loaders: SiteLoaders) {
    app.decorateReply('siteLocals', function siteLocals(this: FastifyReply): SiteLocals {
      // @fastify/view merges reply.locals into every template's data.
      this.locals ??= {}
      const locals = this.locals
      if (!locals.site) {
        const site = loaders.settings()
        const currentPath = this.request.url.split('?')[0] ?? '/'
        Object.assign(locals, {
          site,
          navPages: loaders.navPages(),
          feeds: loaders.feeds,
          webmention: loaders.webmention,
          subscribeForm: loaders.subscribeForm(site),
          beaconStylesheet: site.statsBeacon ? beaconStylesheetUrl(currentPath) : null,
          year: new Date().getFullYear(),
          currentPath,
        })
      }
      return locals as unknown as SiteLocals
    })

    app.decorateReply(
      'page',
      async function page(
        this: FastifyReply,
        template: string,
        data: Record<string, unknown> & { meta: MetaInput },
        status = 200,
      ) {
        const { site } = this.siteLocals()
        const html = await this.viewAsync(template, { ...data, meta: loaders.meta(site, data.meta) })
        return this.code(status)
          .type('text/html; charset=utf-8')
          .header('link', `<${loaders.webmention}>; rel="webmention"`)
          .send(html)
      },
    )
  },
  { name: 'site', dependencies: ['views'] },
)
