// Owns /sitemap.xml and /robots.txt, so search engines find every public page.
import { and, asc, desc, eq, max } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { pages, posts, postTags, series, tags } from '../../db/schema.ts'
import { escapeHtml } from '../../lib/html.ts'
import { absoluteUrl, pageUrl, postUrl, seriesUrl, tagUrl } from '../../lib/urls.ts'
import { isPublicPage, isPublicPost } from '../content/visibility.ts'

interface SitemapEntry {
  readonly loc: string
  readonly lastmod?: Date | null
}

export function sitemapEntries(db: Db, siteUrl: string, now: Date): SitemapEntry[] {
  const abs = (path: string) => absoluteUrl(siteUrl, path)
  const latest =
    db
      .select({ at: max(posts.updatedAt) })
      .from(posts)
      .where(isPublicPost(now))
      .get()?.at ?? null
  const entries: SitemapEntry[] = [
    { loc: abs('/'), lastmod: latest },
    { loc: abs('/posts'), lastmod: latest },
  ]
  for (const post of db
    .select({ slug: posts.slug, updatedAt: posts.updatedAt })
    .from(posts)
    .where(isPublicPost(now))
    .orderBy(desc(posts.publishedAt))
    .all()) {
    entries.push({ loc: abs(postUrl(post.slug)), lastmod: post.updatedAt })
  }
  for (const page of db
    .select({ slug: pages.slug, updatedAt: pages.updatedAt })
    .from(pages)
    .where(isPublicPage())
    .orderBy(asc(pages.slug))
    .all()) {
    entries.push({ loc: abs(pageUrl(page.slug)), lastmod: page.updatedAt })
  }
  const visibleTags = db
    .select({ slug: tags.slug, lastmod: max(posts.updatedAt) })
    .from(tags)
    .innerJoin(postTags, eq(postTags.tagId, tags.id))
    .innerJoin(posts, and(eq(posts.id, postTags.postId), isPublicPost(now)))
    .groupBy(tags.id)
    .orderBy(asc(tags.slug))
    .all()
  for (const tag of visibleTags) entries.push({ loc: abs(tagUrl(tag.slug)), lastmod: tag.lastmod })
  const visibleSeries = db
    .select({ slug: series.slug, lastmod: max(posts.updatedAt) })
    .from(series)
    .innerJoin(posts, and(eq(posts.seriesId, series.id), isPublicPost(now)))
    .groupBy(series.id)
    .orderBy(asc(series.slug))
    .all()
  for (const s of visibleSeries) entries.push({ loc: abs(seriesUrl(s.slug)), lastmod: s.lastmod })
  return entries
}

export function renderSitemap(entries: readonly SitemapEntry[]): string {
  const urls = entries.map((e) => {
    const lastmod = e.lastmod ? `<lastmod>${e.lastmod.toISOString()}</lastmod>` : ''
    return `<url><loc>${escapeHtml(e.loc)}</loc>${lastmod}</url>`
  })
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`
}

export default async function seoRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options

  app.get('/sitemap.xml', async (_request, reply) => {
    reply.type('application/xml; charset=utf-8')
    return renderSitemap(sitemapEntries(db, config.siteUrl, new Date()))
  })

  app.get('/robots.txt', async (_request, reply) => {
    reply.type('text/plain; charset=utf-8')
    return [
      'User-agent: *',
      'Disallow: /admin',
      '',
      `Sitemap: ${absoluteUrl(config.siteUrl, '/sitemap.xml')}`,
      '',
    ].join('\n')
  })
}
