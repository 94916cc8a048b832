// Owns the newsletter pass: a post ticked "Email this post" becomes one issue and a copy per confirmed subscriber once it is public; unconfirmed addresses expire. One background loop, on the primary.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { isLiteFsReplica } from '../../db/storage-health.ts'
import { createBackgroundLoop, runWithApp, type WorkerHandle } from '../../lib/background-loop.ts'
import { findFeedPost } from '../feeds/queries.ts'
import { getSettings } from '../settings/service.ts'
import type { ComposedIssue } from './compose.ts'
import { postsDueForNewsletter, queueIssue } from './issues.ts'
import { expirePendingSubscribers } from './subscribers.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The newsletter pass, where SMTP is set: `wake()` after a post is saved, `drain()` in tests. */
    newsletter?: WorkerHandle
  }
}

export interface NewsletterWorkerOptions {
  readonly db: Db
  readonly config: Config
  /** How often to look for posts whose time has come (a scheduled post goes out within this). */
  readonly intervalMs?: number
  /** The clock: tests move it to make a scheduled post go live without waiting. */
  readonly now?: () => Date
}

const INTERVAL_MS = 30_000
const SHUTDOWN_WAIT_MS = 5_000
/** Unconfirmed addresses expire once their confirmation link has (CONFIRM_TTL_MS); looking hourly is plenty. */
const EXPIRE_EVERY_MS = 60 * 60 * 1000
/** A post that could not be composed (too long to finish in time) is tried again after this, or when it changes. */
const COMPOSE_RETRY_MS = 60 * 60 * 1000

async function newsletterWorker(app: FastifyInstance, options: NewsletterWorkerOptions) {
  const { db, config } = options
  // Without SMTP nothing could be sent: a ticked post waits, and goes once SMTP_URL is set.
  if (!config.smtpUrl) return
  const now = options.now ?? (() => new Date())
  let expiredAt = Number.NEGATIVE_INFINITY
  /** Posts whose composing failed: skipped until they change or the hour is up. One entry per ticked post at most. */
  const failed = new Map<number, { updatedAt: number; retryAt: number }>()

  async function pass(): Promise<void> {
    const shouldStop = () =>
      loop.stopping || !db.$client.open || db.$client.readonly || isLiteFsReplica(config.databasePath)
    if (shouldStop()) return
    const at = now()
    if (at.getTime() - expiredAt >= EXPIRE_EVERY_MS) {
      const expired = expirePendingSubscribers(db, at)
      expiredAt = at.getTime()
      if (expired > 0) app.log.info({ expired }, 'unconfirmed subscribers expired')
    }
    for (const postId of postsDueForNewsletter(db, at)) {
      if (shouldStop()) return
      const post = findFeedPost(db, postId, at)
      if (!post) continue
      const failure = failed.get(postId)
      if (failure?.updatedAt === post.updatedAt.getTime() && failure.retryAt > at.getTime()) continue
      const settings = getSettings(db)
      let composed: ComposedIssue
      try {
        // The mail pipeline (juice, html-to-text, the sanitiser) loads with the first issue to compose.
        const { composeIssueBounded } = await import('./compose.ts')
        composed = await composeIssueBounded(post, {
          title: settings.title,
          siteUrl: config.siteUrl,
          language: settings.language,
        })
      } catch (err) {
        failed.set(postId, { updatedAt: post.updatedAt.getTime(), retryAt: at.getTime() + COMPOSE_RETRY_MS })
        app.log.error({ err, postId }, 'newsletter could not be composed; it will be tried again')
        continue
      }
      failed.delete(postId)
      if (shouldStop()) return
      const queued = queueIssue(db, postId, composed, config, now())
      if (!queued) continue
      app.log.info({ postId, ...queued }, 'newsletter queued')
      app.outbox?.wake()
    }
  }

  const loop = createBackgroundLoop({
    run: pass,
    onError: (err) => app.log.error({ err }, 'newsletter pass could not read or queue'),
    intervalMs: options.intervalMs ?? INTERVAL_MS,
    shutdownWaitMs: SHUTDOWN_WAIT_MS,
  })
  app.decorate('newsletter', runWithApp(app, loop))
}

export default fp(newsletterWorker, { name: 'newsletterWorker' })
