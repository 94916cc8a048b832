// Owns the reading site's HTML routes: home, post lists, posts, tags, series and pages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../db/client.ts'
import { plural } from '../../lib/text.ts'
import {
  ACTOR_PATH,
  absoluteUrl,
  listingPageUrl,
  pageUrl,
  postObjectUrl,
  postUrl,
  seriesUrl,
  tagUrl,
} from '../../lib/urls.ts'
import { postCardImage } from '../cards/cards.ts'
import { descriptionOf } from '../content/descriptions.ts'
import { NEGOTIATED, sendActivityJson, varyOnAccept, wantsActivityJson } from '../federation/negotiate.ts'
import { objectGeneration, postObject } from '../federation/objects.ts'
import { featureMetaImage } from '../media/render.ts'
import { approvedResponses } from '../responses/queries.ts'
import { pageQuerySchema } from './forms.ts'
import {
  findPublishedPage,
  findRedirectedSlug,
  findSeriesWithParts,
  findTagBySlug,
  findVisiblePost,
  listLatestPosts,
  listPostsByTag,
  listPublishedPosts,
  listTagsWithCounts,
  type Page,
  type PostSummary,
} from './queries.ts'
import { blogPostingJsonLd, toPostCard, toPostView, toResponsesView } from './render.ts'

const HOME_POSTS = 8
/** Listings read ?page=N; the page cache keys them on it and on nothing else in the query. */
const PAGED = { config: { pageCacheQuery: ['page'] } }

export default async function blogRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options

  /** Parses ?page=N; a bad value gets a 400 page rather than a silent page 1. */
  async function readPage(request: FastifyRequest, reply: FastifyReply): Promise<number | undefined> {
    const parsed = pageQuerySchema.safeParse(request.query)
    if (parsed.success) return parsed.data.page
    await reply.page(
      'errors/error',
      {
        meta: { title: 'Bad page number', path: request.url.split('?')[0] ?? '/', noindex: true },
        heading: 'That page number does not work',
        message: 'The page number must be a whole number of 1 or more, like ?page=2.',
      },
      400,
    )
    return undefined
  }

  function pagination(result: Page<PostSummary>, path: string) {
    return {
      page: result.page,
      totalPages: result.totalPages,
      prevUrl: result.page > 1 ? listingPageUrl(path, result.page - 1) : undefined,
      nextUrl: result.page < result.totalPages ? listingPageUrl(path, result.page + 1) : undefined,
    }
  }

  app.get('/', async (_request, reply) => {
    const locals = reply.siteLocals()
    const now = new Date()
    const latest = listLatestPosts(db, now, HOME_POSTS + 1)
    return reply.page('blog/home', {
      meta: { path: '/' },
      // The social web finds the blog's actor from its home page, and people its address.
      activityJson: absoluteUrl(app.config.siteUrl, ACTOR_PATH),
      // In two parts, so a long address may wrap before its host on a phone.
      fediverse: { user: locals.site.fediverseHandle, host: new URL(app.config.siteUrl).host },
      posts: latest.slice(0, HOME_POSTS).map((p) => toPostCard(p, locals.site)),
      hasMorePosts: latest.length > HOME_POSTS,
    })
  })

  app.get('/posts', PAGED, async (request, reply) => {
    const page = await readPage(request, reply)
    if (page === undefined) return reply
    const locals = reply.siteLocals()
    const result = listPublishedPosts(db, new Date(), page, locals.site.postsPerPage)
    if (result.items.length === 0 && page > 1) return reply.callNotFound()
    const nav = pagination(result, '/posts')
    return reply.page('blog/list', {
      section: 'posts',
      meta: {
        title: page > 1 ? `Writing, page ${page}` : 'Writing',
        description: `Everything ${locals.site.authorName} has written, newest first.`,
        path: listingPageUrl('/posts', page),
        prevPath: nav.prevUrl,
        nextPath: nav.nextUrl,
      },
      heading: page > 1 ? `Writing, page ${page} of ${result.totalPages}` : 'Writing',
      lede: `Articles and links, newest first. ${plural(result.total, 'post')} so far.`,
      topicsLink: true,
      posts: result.items.map((p) => toPostCard(p, locals.site)),
      pagination: nav,
    })
  })

  // A post's URL answers a browser with HTML and an ActivityPub server with the post's object.
  app.get<{ Params: { slug: string } }>('/posts/:slug', NEGOTIATED, async (request, reply) => {
    const { slug } = request.params
    const now = new Date()
    const post = findVisiblePost(db, slug, now)
    if (!post) {
      const renamed = findRedirectedSlug(db, slug, now)
      if (renamed) return reply.redirect(postUrl(renamed), 301)
      return reply.callNotFound()
    }
    varyOnAccept(reply)
    if (wantsActivityJson(request.headers.accept)) {
      const object = postObject(db, app.config.siteUrl, post.id, now)
      return object ? sendActivityJson(reply, object) : reply.callNotFound()
    }
    const locals = reply.siteLocals()
    // The feature image is what a shared link shows; without one, the drawn card.
    const card = post.featureImage
      ? featureMetaImage(post.featureImage, post.title)
      : postCardImage(post, locals.site)
    return reply.page('blog/post', {
      section: 'posts',
      meta: {
        title: post.title,
        description: descriptionOf(post),
        path: postUrl(post.slug),
        ogType: 'article',
        publishedTime: post.publishedAt,
        modifiedTime: post.updatedAt,
        jsonLd: blogPostingJsonLd(post, locals.site, app.config.siteUrl, card),
        image: card,
      },
      activityJson: absoluteUrl(app.config.siteUrl, postObjectUrl(post.id, objectGeneration(db, post.id))),
      post: toPostView(post, locals.site),
      responses: toResponsesView(approvedResponses(db, post.id), locals.site),
    })
  })

  app.get('/tags', async (_request, reply) => {
    const tags = listTagsWithCounts(db, new Date())
    return reply.page('blog/tags', {
      meta: { title: 'Topics', path: '/tags' },
      tags: tags.map((t) => ({ name: t.name, url: tagUrl(t.slug), count: t.count })),
    })
  })

  app.get<{ Params: { slug: string } }>('/tags/:slug', PAGED, async (request, reply) => {
    const tag = findTagBySlug(db, request.params.slug)
    if (!tag) return reply.callNotFound()
    const page = await readPage(request, reply)
    if (page === undefined) return reply
    const locals = reply.siteLocals()
    const result = listPostsByTag(db, tag.slug, new Date(), page, locals.site.postsPerPage)
    if (result.total === 0 || (result.items.length === 0 && page > 1)) return reply.callNotFound()
    const path = tagUrl(tag.slug)
    const nav = pagination(result, path)
    return reply.page('blog/list', {
      meta: {
        title: page > 1 ? `Posts tagged “${tag.name}”, page ${page}` : `Posts tagged “${tag.name}”`,
        description: `Posts about ${tag.name} by ${locals.site.authorName}.`,
        path: listingPageUrl(path, page),
        prevPath: nav.prevUrl,
        nextPath: nav.nextUrl,
      },
      heading:
        page > 1
          ? `Posts tagged “${tag.name}”, page ${page} of ${result.totalPages}`
          : `Posts tagged “${tag.name}”`,
      topicsLink: true,
      lede: `${plural(result.total, 'post')}.`,
      posts: result.items.map((p) => toPostCard(p, locals.site)),
      pagination: nav,
    })
  })

  app.get<{ Params: { slug: string } }>('/series/:slug', async (request, reply) => {
    const found = findSeriesWithParts(db, request.params.slug, new Date())
    if (!found) return reply.callNotFound()
    const locals = reply.siteLocals()
    return reply.page('blog/list', {
      section: 'posts',
      meta: {
        title: found.title,
        description: `A series in ${found.parts.length} parts by ${locals.site.authorName}.`,
        path: seriesUrl(found.slug),
      },
      heading: found.title,
      lede: `A series in ${plural(found.parts.length, 'part')}, best read in order.`,
      descriptionHtml: found.descriptionHtml,
      ordered: true,
      posts: found.parts.map((p) => toPostCard(p, locals.site)),
    })
  })

  app.get<{ Params: { slug: string } }>('/:slug', async (request, reply) => {
    const page = findPublishedPage(db, request.params.slug)
    if (!page) return reply.callNotFound()
    return reply.page('blog/page', {
      meta: {
        title: page.title,
        description: descriptionOf(page),
        path: pageUrl(page.slug),
      },
      page,
    })
  })
}
