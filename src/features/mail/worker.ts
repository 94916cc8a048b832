// Owns sending mail from the outbox (notifications, replies, confirmations, newsletter copies at a limited rate): one background loop, never inside a request.
import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { type OutboxKind, type OutboxMail, subscribers } from '../../db/schema.ts'
import { isLiteFsReplica } from '../../db/storage-health.ts'
import { type BackgroundLoop, createBackgroundLoop } from '../../lib/background-loop.ts'
import { unsubscribeUrl } from '../../lib/urls.ts'
import { findIssueContent } from '../newsletter/issues.ts'
import { newsletterSecret, unsubscribeToken } from '../newsletter/tokens.ts'
import { getSettings } from '../settings/service.ts'
import {
  claimMail,
  dueMail,
  dueNewsletterCopies,
  MAX_ATTEMPTS,
  markMailFailed,
  markMailSent,
  markMailSkipped,
  newsletterSendTimes,
  type OutboxWorker,
  SKIPPED,
} from './outbox.ts'
import { createRateWindow } from './rate-window.ts'
import {
  createMailTransport,
  describeSendError,
  fromAddress,
  isPermanentRejection,
  mailFor,
  newsletterCopyFor,
  newsletterMailbox,
} from './transport.ts'

export interface MailWorkerOptions {
  readonly db: Db
  readonly config: Config
  /** How often to look for mail whose retry is due; new mail goes at once through wake(). */
  readonly intervalMs?: number
  /** The clock: tests move it to open the newsletter's rate window without waiting. */
  readonly now?: () => Date
}

const BATCH = 10
const INTERVAL_MS = 15_000
/** How long a shutdown waits for a send in flight; the transport's own timeouts are about this long too. */
const SHUTDOWN_WAIT_MS = 5_000
/** Mail to subscribers: a recipient the server refuses for good is not tried 72 times over three days. */
const GIVES_UP_ON_REJECTION: ReadonlySet<OutboxKind> = new Set(['newsletter', 'confirmation'])

type Sender = { name: string; address: string }
type Message = ReturnType<typeof mailFor>

/**
 * Runs only where SMTP_URL is set (NOTIFY_EMAIL decides whether notifications are queued; replies
 * from the inbox need only SMTP). It writes (sentAt, attempts, lastError), so
 * it must run on the primary alone: on a LiteFS read replica it stays idle (see sendDue). Each
 * row is claimed (an attempt recorded) before it is sent, so a send whose success cannot be
 * recorded goes again only after the retry delay.
 */
async function mailWorker(app: FastifyInstance, options: MailWorkerOptions) {
  const { db, config } = options
  if (!config.smtpUrl) return
  const smtpUrl: string = config.smtpUrl
  const now = options.now ?? (() => new Date())
  const mailbox = newsletterMailbox(smtpUrl, config.notifyEmail)

  // Made on the first pass with mail to send: a server with an empty outbox never loads nodemailer.
  let transport: Awaited<ReturnType<typeof createMailTransport>> | undefined
  const loop: BackgroundLoop = createBackgroundLoop({
    run: sendDue,
    onError: (err) => app.log.error({ err }, 'mail worker could not read or update the outbox'),
    intervalMs: options.intervalMs ?? INTERVAL_MS,
    shutdownWaitMs: SHUTDOWN_WAIT_MS,
  })
  // Newsletter copies per sliding minute; filled from the outbox at the first pass, so a restart
  // does not start a fresh minute.
  const rate = createRateWindow(config.newsletterPerMinute, 60_000)
  let rateLoaded = false
  /** The wake-up for when the rate window opens again: one at a time, never keeping the process up. */
  let reopen: NodeJS.Timeout | undefined
  /** The issue every copy in a run is made from: one is read, not one per recipient. */
  let issueCache: { id: number; html: string; text: string } | undefined

  /** Marks mail done unsent: its reader left, or its address was erased. */
  function skip(mail: OutboxMail, reason: string): void {
    markMailSkipped(db, mail.id, reason, now())
    app.log.info({ outboxId: mail.id, kind: mail.kind, reason }, 'mail not sent')
  }

  async function sendOne(mail: OutboxMail, message: Message): Promise<void> {
    // If this write fails it throws, and nothing is sent (the loop logs it and tries later).
    const claimed = claimMail(db, mail, now())
    const log = { outboxId: mail.id, messageId: mail.messageId, kind: mail.kind, attempts: claimed.attempts }
    try {
      transport ??= await createMailTransport(smtpUrl)
      await transport.sendMail(message)
    } catch (err) {
      // Only our one-line description is stored or logged: the error object carries the
      // connection options, and with them the SMTP password.
      const error = describeSendError(err, smtpUrl)
      if (GIVES_UP_ON_REJECTION.has(mail.kind) && isPermanentRejection(err)) {
        markMailSkipped(db, mail.id, error, now())
        app.log.warn({ ...log, error }, 'mail refused for good by the server; not retried')
      } else {
        markMailFailed(db, claimed, error, now())
        if (claimed.attempts >= MAX_ATTEMPTS)
          app.log.error({ ...log, error }, 'mail failed for the last time; it stays unsent in the outbox')
        else app.log.warn({ ...log, error }, 'mail failed; will retry')
      }
      return
    }
    try {
      markMailSent(db, mail.id, now())
    } catch (err) {
      // Claimed beforehand, so it is not sent again before its retry time, when this may work.
      app.log.error(
        { ...log, err },
        'mail sent, but recording it failed; it may go again after the retry delay',
      )
      return
    }
    app.log.info(log, 'mail sent')
  }

  const issueContent = (issueId: number) => {
    if (issueCache?.id !== issueId) {
      const content = findIssueContent(db, issueId)
      issueCache = content ? { id: issueId, ...content } : undefined
    }
    return issueCache
  }

  /**
   * A newsletter copy: checked against the subscriber as they are now (someone who left a minute
   * ago gets nothing), then the issue with their own unsubscribe link.
   */
  async function sendCopy(mail: OutboxMail, from: Sender, secret: string): Promise<void> {
    if (!mail.to) return skip(mail, SKIPPED.erased)
    const reader =
      mail.subscriberId === null
        ? undefined
        : db
            .select({ id: subscribers.id, status: subscribers.status })
            .from(subscribers)
            .where(eq(subscribers.id, mail.subscriberId))
            .get()
    const issue = mail.issueId === null ? undefined : issueContent(mail.issueId)
    if (reader?.status !== 'confirmed' || !issue) return skip(mail, SKIPPED.unsubscribed)
    const link = unsubscribeUrl(config.siteUrl, unsubscribeToken(secret, reader.id))
    const at = now()
    rate.record(at.getTime())
    // Loaded with the first copy to send, as the newsletter worker does to compose the issue.
    const { personalizeIssue } = await import('../newsletter/compose.ts')
    const message = newsletterCopyFor(mail, from, config.siteUrl, {
      ...personalizeIssue(issue, link),
      unsubscribeUrl: link,
      mailbox,
      date: at,
    })
    await sendOne(mail, message)
  }

  /** Wakes the loop when the rate window has room again, if copies are waiting for it. */
  function waitForRoom(at: Date): void {
    if (reopen || loop.stopping) return
    const delay = Math.max(1_000, rate.nextRoomAt(at.getTime()) - at.getTime())
    reopen = setTimeout(() => {
      reopen = undefined
      loop.wake()
    }, delay)
    reopen.unref()
  }

  async function sendDue(): Promise<void> {
    for (;;) {
      // Replicas must neither send nor record sends (the primary does both), or a message would
      // be mailed once per machine. Checked each time: LiteFS can move the primary while we run.
      if (loop.stopping || !db.$client.open || isLiteFsReplica(config.databasePath)) return
      const at = now()
      if (!rateLoaded) {
        for (const sent of newsletterSendTimes(db, at, config.newsletterPerMinute)) rate.record(sent)
        rateLoaded = true
      }
      // Mail to the author and to visitors first; newsletter copies only when none is waiting, and
      // a few at a time, so one that arrives meanwhile waits for a handful of copies at most.
      const batch = dueMail(db, at, BATCH)
      const room = batch.length > 0 ? 0 : rate.room(at.getTime())
      const copies = room > 0 ? dueNewsletterCopies(db, at, Math.min(BATCH, room)) : []
      if (batch.length === 0 && copies.length === 0) {
        if (room === 0 && dueNewsletterCopies(db, at, 1).length > 0) waitForRoom(at)
        return
      }
      // Read per batch, so a renamed site (or author) signs its next mail with the new name.
      const settings = getSettings(db)
      const site = fromAddress(smtpUrl, config.siteUrl, settings.title)
      const from: Record<OutboxKind, Sender> = {
        notification: site,
        reply: fromAddress(smtpUrl, config.siteUrl, settings.authorName),
        confirmation: site,
        newsletter: site,
      }
      for (const mail of batch) {
        // A shutdown lets the send in flight finish but starts no new one.
        if (loop.stopping) return
        if (!mail.to) skip(mail, SKIPPED.erased)
        else await sendOne(mail, mailFor(mail, from[mail.kind], config.siteUrl))
      }
      const secret = copies.length > 0 ? newsletterSecret(db) : ''
      for (const mail of copies) {
        if (loop.stopping || !db.$client.open) return
        await sendCopy(mail, from.newsletter, secret)
      }
    }
  }

  // wake() sends after the current request has been answered: a visitor never waits for SMTP.
  app.decorate('outbox', { wake: loop.wake, drain: loop.drain } satisfies OutboxWorker)
  // Whatever a previous run left unsent (a crash, a restart during an outage) goes at start.
  app.addHook('onReady', async () => loop.start())
  app.addHook('onClose', async () => {
    clearTimeout(reopen)
    await loop.stop()
    transport?.close()
  })
}

export default fp(mailWorker, { name: 'mail-worker' })
