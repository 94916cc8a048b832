// Owns sending mail from the outbox (notifications and replies): one background loop, never inside a request.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import type { OutboxKind, OutboxMail } from '../../db/schema.ts'
import { isLiteFsReplica } from '../../db/storage-health.ts'
import { type BackgroundLoop, createBackgroundLoop } from '../../lib/background-loop.ts'
import { getSettings } from '../settings/service.ts'
import { dueMail, MAX_ATTEMPTS, markMailFailed, markMailSent, type OutboxWorker } from './outbox.ts'
import { createMailTransport, describeSendError, fromAddress, mailFor } from './transport.ts'

export interface MailWorkerOptions {
  readonly db: Db
  readonly config: Config
  /** How often to look for mail whose retry is due; new mail goes at once through wake(). */
  readonly intervalMs?: number
}

const BATCH = 10
const INTERVAL_MS = 15_000
/** How long a shutdown waits for a send in flight; the transport's own timeouts are about this long too. */
const SHUTDOWN_WAIT_MS = 5_000

type Sender = { name: string; address: string }

/**
 * Runs only where SMTP_URL is set (NOTIFY_EMAIL decides whether notifications are queued; replies
 * from the inbox need only SMTP). It writes (sentAt, attempts, lastError), so
 * it must run on the primary alone: on a LiteFS read replica it stays idle (see sendDue). Being
 * the only sender is also what makes reading due rows the same as claiming them.
 */
async function mailWorker(app: FastifyInstance, options: MailWorkerOptions) {
  const { db, config } = options
  if (!config.smtpUrl) return
  const smtpUrl: string = config.smtpUrl

  const transport = createMailTransport(smtpUrl)
  const loop: BackgroundLoop = createBackgroundLoop({
    run: sendDue,
    onError: (err) => app.log.error({ err }, 'mail worker could not read or update the outbox'),
    intervalMs: options.intervalMs ?? INTERVAL_MS,
    shutdownWaitMs: SHUTDOWN_WAIT_MS,
  })

  async function sendOne(mail: OutboxMail, from: Sender): Promise<void> {
    const log = { outboxId: mail.id, messageId: mail.messageId, kind: mail.kind }
    try {
      await transport.sendMail(mailFor(mail, from, config.siteUrl))
    } catch (err) {
      // Only our one-line description is stored or logged: the error object carries the
      // connection options, and with them the SMTP password.
      const error = describeSendError(err, smtpUrl)
      const attempts = markMailFailed(db, mail, error)
      if (attempts >= MAX_ATTEMPTS) {
        app.log.error(
          { ...log, attempts, error },
          'mail failed for the last time; it stays unsent in the outbox',
        )
      } else {
        app.log.warn({ ...log, attempts, error }, 'mail failed; will retry')
      }
      return
    }
    markMailSent(db, mail.id)
    app.log.info({ ...log, attempts: mail.attempts + 1 }, 'mail sent')
  }

  async function sendDue(): Promise<void> {
    for (;;) {
      // Replicas must neither send nor record sends (the primary does both), or a message would
      // be mailed once per machine. Checked each time: LiteFS can move the primary while we run.
      if (loop.stopping || !db.$client.open || isLiteFsReplica(config.databasePath)) return
      const batch = dueMail(db, new Date(), BATCH)
      if (batch.length === 0) return
      // Read per batch, so a renamed site (or author) signs its next mail with the new name.
      const settings = getSettings(db)
      const from: Record<OutboxKind, Sender> = {
        notification: fromAddress(smtpUrl, config.siteUrl, settings.title),
        reply: fromAddress(smtpUrl, config.siteUrl, settings.authorName),
      }
      for (const mail of batch) {
        // A shutdown lets the send in flight finish but starts no new one.
        if (loop.stopping) return
        await sendOne(mail, from[mail.kind])
      }
    }
  }

  // wake() sends after the current request has been answered: a visitor never waits for SMTP.
  app.decorate('outbox', { wake: loop.wake, drain: loop.drain } satisfies OutboxWorker)
  // Whatever a previous run left unsent (a crash, a restart during an outage) goes at start.
  app.addHook('onReady', async () => loop.start())
  app.addHook('onClose', async () => {
    await loop.stop()
    transport.close()
  })
}

export default fp(mailWorker, { name: 'mail-worker' })
