// Owns the reading side's view models: what templates receive instead of database rows.
import { formatDate } from '../../lib/dates.ts'
import { absoluteUrl, displayHost, postUrl, readMarkUrl, seriesUrl, tagUrl } from '../../lib/urls.ts'
import type { MetaImage, MetaInput } from '../../plugins/site.ts'
import { descriptionOf } from '../content/descriptions.ts'
import { featureImageView } from '../media/render.ts'
import type { Settings } from '../settings/service.ts'
import { carriesReadMark } from '../stats/read-mark.ts'
import type { PostDetail, PostSummary } from './queries.ts'

/** The Responses section has its own module; the post page's view models are all found here. */
export { toResponsesView } from './responses-view.ts'

export interface PageMeta {
  readonly title: string
  readonly ogTitle: string
  readonly description: string
  readonly canonical: string
  readonly ogType: 'website' | 'article'
  readonly publishedTime?: string
  readonly modifiedTime?: string
  readonly prevUrl?: string | undefined
  readonly nextUrl?: string | undefined
  readonly noindex?: boolean
  readonly jsonLd?: string
  /** With an absolute URL. */
  readonly image?: MetaImage
  /** A large picture when the page has one. */
  readonly twitterCard: 'summary' | 'summary_large_image'
}

/** Builds a page's <head> data; `title` undefined means the home page. */
export function pageMeta(site: Settings, siteUrl: string, input: MetaInput): PageMeta {
  return {
    title: input.title
      ? `${input.title} · ${site.title}`
      : site.tagline
        ? `${site.title} · ${site.tagline}`
        : site.title,
    ogTitle: input.title ?? site.title,
    description: input.description || site.description,
    canonical: absoluteUrl(siteUrl, input.path),
    ogType: input.ogType ?? 'website',
    prevUrl: input.prevPath ? absoluteUrl(siteUrl, input.prevPath) : undefined,
    nextUrl: input.nextPath ? absoluteUrl(siteUrl, input.nextPath) : undefined,
    ...(input.noindex ? { noindex: true } : {}),
    ...(input.publishedTime ? { publishedTime: input.publishedTime.toISOString() } : {}),
    ...(input.modifiedTime ? { modifiedTime: input.modifiedTime.toISOString() } : {}),
    ...(input.jsonLd ? { jsonLd: jsonForScript(input.jsonLd) } : {}),
    ...(input.image ? { image: { ...input.image, url: absoluteUrl(siteUrl, input.image.url) } } : {}),
    twitterCard: input.image ? 'summary_large_image' : 'summary',
  }
}

/** JSON that is safe inside <script>: no "</script>" or "<!--" can be formed. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
}

export interface PostCardView {
  readonly kind: 'article' | 'link'
  readonly title: string
  readonly url: string
  readonly linkUrl: string
  readonly linkHost: string
  readonly dateIso: string
  readonly dateLabel: string
  readonly readingLabel: string
  readonly tags: readonly { name: string; url: string }[]
  readonly series: { label: string; url: string } | null
  readonly excerptHtml: string
  readonly hasMore: boolean
  readonly bodyHtml: string
  readonly quoteHtml: string
}

export function toPostCard(post: PostSummary, site: Settings): PostCardView {
  return {
    kind: post.kind,
    title: post.title,
    url: postUrl(post.slug),
    linkUrl: post.linkUrl ?? '',
    linkHost: post.linkUrl ? displayHost(post.linkUrl) : '',
    dateIso: post.publishedAt.toISOString(),
    dateLabel: formatDate(post.publishedAt, site.timezone),
    readingLabel: `${post.readingMinutes} min read`,
    tags: post.tags.map((tag) => ({ name: tag.name, url: tagUrl(tag.slug) })),
    series: post.series
      ? {
          label: `Part ${post.series.part} of ${post.series.total} in ${post.series.title}`,
          url: seriesUrl(post.series.slug),
        }
      : null,
    excerptHtml: post.excerptHtml,
    hasMore: post.hasMore,
    bodyHtml: post.bodyHtml,
    quoteHtml: post.quoteHtml,
  }
}

export interface PostView extends PostCardView {
  readonly id: number
  /** Long articles end with the stats' read mark (views/partials/read-mark.eta). */
  readonly readingMinutes: number
  /** The read mark's image URL when this post ends with one (stats/read-mark.ts decides), else null. */
  readonly readMark: string | null
  readonly seriesNav: {
    readonly title: string
    readonly url: string
    readonly label: string
    readonly parts: readonly { title: string; url: string; current: boolean }[]
  } | null
  readonly newer: { title: string; url: string } | undefined
  readonly older: { title: string; url: string } | undefined
  readonly featureImage: ReturnType<typeof featureImageView> | null
}

export function toPostView(post: PostDetail, site: Settings): PostView {
  const card = toPostCard(post, site)
  const link = (p: { slug: string; title: string } | undefined) =>
    p ? { title: p.title, url: postUrl(p.slug) } : undefined
  return {
    ...card,
    id: post.id,
    readingMinutes: post.readingMinutes,
    readMark: carriesReadMark(post) ? readMarkUrl(post.id) : null,
    bodyHtml: post.bodyHtml,
    seriesNav:
      post.series && card.series
        ? {
            title: post.series.title,
            url: card.series.url,
            label: card.series.label,
            parts: post.seriesParts.map((part) => ({
              title: part.title,
              url: postUrl(part.slug),
              current: part.id === post.id,
            })),
          }
        : null,
    newer: link(post.newer),
    older: link(post.older),
    featureImage: post.featureImage ? featureImageView(post.featureImage) : null,
  }
}

/** schema.org BlogPosting for search engines. */
export function blogPostingJsonLd(
  post: PostDetail,
  site: Settings,
  siteUrl: string,
  image?: MetaImage,
): Record<string, unknown> {
  const url = absoluteUrl(siteUrl, postUrl(post.slug))
  return {
    '@context': 'https://schema.org',
    '@type': 'BlogPosting',
    headline: post.title,
    description: descriptionOf(post),
    url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    datePublished: post.publishedAt.toISOString(),
    dateModified: post.updatedAt.toISOString(),
    author: { '@type': 'Person', name: site.authorName, url: `${siteUrl}/` },
    publisher: { '@type': 'Person', name: site.authorName },
    keywords: post.tags.map((t) => t.name).join(', ') || undefined,
    ...(image
      ? {
          image: {
            '@type': 'ImageObject',
            url: absoluteUrl(siteUrl, image.url),
            width: image.width,
            height: image.height,
          },
        }
      : {}),
    ...(post.kind === 'link' && post.linkUrl ? { isBasedOn: post.linkUrl } : {}),
  }
}
