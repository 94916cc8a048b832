// Owns the double opt-in email: what it says (plain text and simple HTML) and queueing it in the outbox.
import type { Db } from '../../db/client.ts'
import { outbox } from '../../db/schema.ts'
import { escapeHtml } from '../../lib/html.ts'
import { confirmSubscriptionUrl } from '../../lib/urls.ts'
import { headerSafe, newMessageId } from '../mail/outbox.ts'
import { CONFIRM_TTL_LABEL, confirmToken } from './tokens.ts'

export interface ConfirmationSite {
  readonly title: string
  readonly siteUrl: string
  /** newsletterSecret(db): signs the link. */
  readonly secret: string
}

/** The email itself; the link names the subscriber and when it was sent, signed, so it expires on its own. */
export function confirmationMail(
  site: ConfirmationSite,
  subscriberId: number,
  now: Date,
): { subject: string; text: string; html: string } {
  const title = headerSafe(site.title)
  const link = confirmSubscriptionUrl(site.siteUrl, confirmToken(site.secret, subscriberId, now.getTime()))
  const subject = headerSafe(`Confirm your subscription to ${title}`)
  const text = [
    'Hello,',
    '',
    `Someone, hopefully you, asked to get new posts from ${title} by email at this address.`,
    '',
    'To confirm, open this link and press "Confirm subscription":',
    link,
    '',
    `The link works for ${CONFIRM_TTL_LABEL}.`,
    'If you did not ask for this, ignore this email: without your confirmation nothing more is sent.',
  ].join('\n')
  const safeTitle = escapeHtml(title)
  const safeLink = escapeHtml(link)
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1d1f24;">',
    '<p>Hello,</p>',
    `<p>Someone, hopefully you, asked to get new posts from <strong>${safeTitle}</strong> by email at this address.</p>`,
    `<p><a href="${safeLink}" style="display: inline-block; padding: 10px 18px; background: #1f4fd1; color: #ffffff; border-radius: 6px; text-decoration: none; font-weight: 600;">Confirm your subscription</a></p>`,
    `<p style="font-size: 14px; color: #555b66;">Or copy this link into your browser: <a href="${safeLink}" style="color: #1f4fd1;">${safeLink}</a></p>`,
    `<p style="font-size: 14px; color: #555b66;">The link works for ${CONFIRM_TTL_LABEL}. If you did not ask for this, ignore this email: without your confirmation nothing more is sent.</p>`,
    '</body></html>',
  ].join('\n')
  return { subject, text, html }
}

/** Adds the confirmation to the outbox; call it in the transaction that stores the subscriber. */
export function enqueueConfirmation(
  db: Db,
  subscriber: { readonly id: number; readonly email: string },
  site: ConfirmationSite,
  now = new Date(),
): void {
  const mail = confirmationMail(site, subscriber.id, now)
  db.insert(outbox)
    .values({
      // Whose it is, so that deleting the subscriber erases it (see eraseSubscriberMail).
      kind: 'confirmation',
      subscriberId: subscriber.id,
      to: headerSafe(subscriber.email, 254),
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      nextAttemptAt: now,
      createdAt: now,
      headerMessageId: newMessageId(site.siteUrl),
    })
    .run()
}
