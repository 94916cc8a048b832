// Owns assembling the Fastify app: plugins, features, and the error and 404 handlers.
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify'
import type { Config } from './config.ts'
import { memoizeUntilChange } from './db/change-watch.ts'
import type { Db } from './db/client.ts'
import { isLiteFsReplica } from './db/storage-health.ts'
import { WEBAUTHN_BROWSER_ASSET, webauthnBrowserBundle } from './features/admin/auth/passkey-routes.ts'
import adminRoutes from './features/admin/routes.ts'
import { loadOrCreateSecret } from './features/auth/secrets.ts'
import { listNavPages } from './features/blog/queries.ts'
import { pageMeta } from './features/blog/render.ts'
import blogRoutes from './features/blog/routes.ts'
import cardRoutes from './features/cards/routes.ts'
import contactRoutes from './features/contact/routes.ts'
import { nextScheduledAfter } from './features/content/visibility.ts'
import deliveryWorker from './features/federation/delivery-worker.ts'
import inboxRoutes from './features/federation/inbox-routes.ts'
import { ensureActorKey } from './features/federation/keys.ts'
import federationRoutes from './features/federation/routes.ts'
import { FEED_PATHS } from './features/feeds/build.ts'
import feedRoutes from './features/feeds/routes.ts'
import healthRoutes from './features/health/routes.ts'
import redirectRoutes, { looksLikeOldPermalink } from './features/importers/redirect-routes.ts'
import { resolveRedirect } from './features/importers/redirects.ts'
import mailWorker from './features/mail/worker.ts'
import { STORED_NAME } from './features/media/files.ts'
import { subscribeFormLoader } from './features/newsletter/forms.ts'
import newsletterRoutes from './features/newsletter/routes.ts'
import newsletterWorker from './features/newsletter/worker.ts'
import searchRoutes from './features/search/routes.ts'
import seoRoutes from './features/seo/routes.ts'
import { getSettings } from './features/settings/service.ts'
import hitRoutes from './features/stats/hit-routes.ts'
import stats, { type StatsTuning } from './features/stats/plugin.ts'
import webmentionRoutes from './features/webmention/routes.ts'
import webmentionSender from './features/webmention/send-worker.ts'
import webmentionWorker from './features/webmention/worker.ts'
import { absoluteUrl, pageUrl, urlForLog, WEBMENTION_PATH } from './lib/urls.ts'
import { STATIC_DIR } from './paths.ts'
import { createFrontDoor } from './plugins/cached-page-server.ts'
import compression from './plugins/compression.ts'
import errorPages, {
  clientErrorHandler,
  frameworkErrorHandler,
  onMaxParamLength,
} from './plugins/error-pages.ts'
import forms from './plugins/forms.ts'
import gracefulClose from './plugins/graceful-close.ts'
import httpCache from './plugins/http-cache.ts'
import media from './plugins/media.ts'
import { createPageCache } from './plugins/page-cache.ts'
import { batchedStdout, createRequestIds, logRequest } from './plugins/request-log.ts'
import securityHeaders from './plugins/security-headers.ts'
import site from './plugins/site.ts'
import staticAssets from './plugins/static-assets.ts'
import views from './plugins/views.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    db: Db
  }
}

export { STATIC_DIR }

export interface BuildOptions {
  readonly config: Config
  readonly db: Db
  /** Overrides for tests (a silent logger, say). */
  readonly fastify?: FastifyServerOptions
  /** The stats' clock and flush interval, for tests. */
  readonly stats?: StatsTuning
}

/**
 * Folio checks what a request carries with zod, in each route, and gives Fastify no JSON schemas,
 * so Fastify's ajv and fast-json-stringify compilers are never wanted. Named here, they are never
 * loaded (they were ~20 ms of every start); a route given a JSON schema anyway fails at start-up.
 */
const NO_JSON_SCHEMAS: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator: () => {
      throw new Error(
        'A route has a JSON schema: Folio checks requests with zod in the route, not with Fastify schemas',
      )
    },
    buildSerializer: () => {
      throw new Error(
        'A route has a response schema: Folio renders its responses, Fastify does not serialize them',
      )
    },
  },
}

/** Folio's log: never a cookie, a password or a link's secret; readable lines in a development terminal. */
export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    // Never log what could carry a session or a password.
    redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
    // Nor a link's secret: setup, confirm, unsubscribe and reset tokens ride in the query string.
    serializers: {
      req: (request: { method: string; url: string; id?: string }) => ({
        id: request.id,
        method: request.method,
        url: urlForLog(request.url),
      }),
    },
    // Someone running `npm start` in a terminal reads lines, not JSON; elsewhere lines are written in batches (request-log.ts).
    ...(config.nodeEnv === 'development' && process.stdout.isTTY
      ? {
          transport: {
            target: 'pino-pretty',
            options: { ignore: 'pid,hostname,reqId', translateTime: 'HH:MM:ss' },
          },
        }
      : { stream: batchedStdout() }),
  }
}

export async function buildApp({
  config,
  db,
  fastify,
  stats: statsTuning,
}: BuildOptions): Promise<FastifyInstance> {
  // A page-cache hit may be answered in front of Fastify (plugins/cached-page-server.ts): same ids, same log line.
  const frontDoor = createFrontDoor()
  const nextRequestId = createRequestIds()
  const app = Fastify({
    serverFactory: frontDoor.serverFactory,
    genReqId: nextRequestId,
    schemaController: NO_JSON_SCHEMAS,
    logger: loggerOptions(config),
    // One line per request, written in onResponse below.
    logController: new LogController({ disableRequestLogging: true }),
    // A hop count, never `true`: Fastify would then believe the client-written left-most address.
    // (proxy-addr numbers hops from the socket: 0 is the proxy talking to us.)
    trustProxy: config.trustProxy > 0 ? (_address: string, hop: number) => hop < config.trustProxy : false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500, onMaxParamLength },
    frameworkErrors: frameworkErrorHandler,
    // Node's own parse errors and timeouts, and requests during shutdown, get HTML (never Fastify's JSON).
    clientErrorHandler,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // A socket silent for a minute is closed; headers must arrive within 20 s and a whole request
    // (a large upload over a slow line included) within 2 minutes.
    connectionTimeout: 60_000,
    requestTimeout: 120_000,
    http: { headersTimeout: 20_000 },
    bodyLimit: 1024 * 1024,
    ...fastify,
  })
  // No route takes JSON or plain text: such a body gets a clear 415 instead of being parsed.
  app.removeContentTypeParser(['application/json', 'text/plain'])

  app.decorate('config', config)
  app.decorate('db', db)

  app.addHook('onResponse', async (request, reply) => {
    logRequest(request.log, request, reply.statusCode, reply.elapsedTime)
  })

  // Before the page cache: while the server stops, every request gets the 503 page.
  await app.register(gracefulClose)

  // Page views are counted in onResponse, which runs for page-cache hits too; written by a background flush.
  await app.register(stats, { db, config, ...statsTuning })

  // First of all hooks: a cached public page is answered before any other work is done.
  const pageCache = createPageCache(db, {
    maxBytes: config.pageCacheBytes,
    nextChangeAfter: (now) => nextScheduledAfter(db, now),
  })
  // Before the page cache: an imported blog's `/?p=123` must not be answered with the cached home page.
  await app.register(redirectRoutes, { db })
  pageCache.serve(app)
  app.decorate('pageCache', pageCache)
  frontDoor.open({
    log: app.log,
    pageCache,
    countResponse: app.countResponse,
    nextRequestId,
    isClosing: () => app.isClosing(),
    // Redirects win over a cached page: such URLs always go through redirectRoutes' hook.
    passThrough: looksLikeOldPermalink,
  })

  await app.register(securityHeaders, { config })
  await app.register(compression)
  await app.register(httpCache)
  pageCache.capture(app)
  await app.register(staticAssets, {
    dir: STATIC_DIR,
    extra: { [WEBAUTHN_BROWSER_ASSET]: webauthnBrowserBundle() },
  })
  await app.register(views, { cache: config.nodeEnv !== 'development' })
  const navPages = memoizeUntilChange(db, () =>
    listNavPages(db).map((p) => ({ title: p.title, url: pageUrl(p.slug) })),
  )
  await app.register(site, {
    settings: () => getSettings(db),
    navPages,
    meta: (settings, input) => pageMeta(settings, config.siteUrl, input),
    feeds: FEED_PATHS,
    webmention: absoluteUrl(config.siteUrl, WEBMENTION_PATH),
    subscribeForm: subscribeFormLoader(db, config),
  })
  await app.register(errorPages, { config, movedTo: (url) => resolveRedirect(db, url, new Date()) })
  // After errorPages: a route takes the error handler set when it is registered, and a refused
  // range or a failed read must get Folio's error page, not Fastify's JSON.
  await app.register(media, { dir: config.mediaDir, storedName: STORED_NAME })

  await app.register(forms, { config, cookieSecret: loadOrCreateSecret(db, 'cookie-signing') })
  await app.register(mailWorker, { db, config })
  // Sends to the fediverse off the request path; its pass also turns publishing into Create/Update/Delete.
  await app.register(deliveryWorker, { db, config })
  // Turns a post ticked "Email this post" into one outbox mail per subscriber once it is public.
  await app.register(newsletterWorker, { db, config })
  await app.register(healthRoutes, { db })
  await app.register(adminRoutes, { db, config })
  // Outside the page cache: the form carries a per-visitor CSRF token.
  await app.register(contactRoutes, { db, config })
  // Subscribe, confirm and unsubscribe: outside the page cache (forms, one-click POSTs from mail clients).
  await app.register(newsletterRoutes, { db, config })
  // Stats beacons (/hit/…): never cached, they count what a CDN served from its cache.
  await app.register(hitRoutes, { db, config })
  // Outside the page cache too: cards are images served from disk with their own long cache.
  await app.register(cardRoutes, { db, config })
  // A public protocol endpoint: outside the admin's CSRF scope (other sites POST to it) and the page cache.
  await app.register(webmentionWorker, { db, config })
  await app.register(webmentionSender, { db, config })
  await app.register(webmentionRoutes, { db, config })
  // The ActivityPub inbox: authenticated by HTTP Signatures, so outside the CSRF scopes and the page cache too.
  await app.register(inboxRoutes, { db, config })

  // The actor's key pair, made once before anything is served; a replica gets the primary's.
  if (!isLiteFsReplica(config.databasePath)) await ensureActorKey(db)

  // Everything a visitor reads: public data only, so rendered responses can be cached in memory.
  await app.register(async function publicSite(site) {
    pageCache.markScope(site)
    await site.register(feedRoutes, { db, config })
    // ActivityPub discovery and documents; the actor and post objects answer in HTML or JSON by Accept.
    await site.register(federationRoutes, { db, config })
    await site.register(seoRoutes, { db, config })
    await site.register(searchRoutes, { db })
    // Last: its /:slug catch-all for pages must not shadow anything above.
    await site.register(blogRoutes, { db })
  })

  return app
}
