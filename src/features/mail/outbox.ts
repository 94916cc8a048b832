// Owns queueing notification mail in the outbox, inside the caller's transaction.
import type { Db } from '../../db/client.ts'
import { type Message, outbox } from '../../db/schema.ts'

/** Header values never carry line breaks or control characters, whatever a visitor typed. */
export const headerSafe = (value: string, max = 200): string =>
  Array.from(value, (ch) => (ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127 ? ' ' : ch))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)

/** The notification for a new message: plain text only, so nothing a visitor wrote can become markup. */
export function notificationFor(message: Message, site: { title: string; siteUrl: string }) {
  const subject = headerSafe(
    `[${site.title}] ${message.subject ? message.subject : `Message from ${message.name}`}`,
  )
  const text = [
    `${message.name} <${message.email}> wrote through the contact form:`,
    '',
    message.subject ? `Subject: ${message.subject}` : null,
    message.subject ? '' : null,
    message.body,
    '',
    '—',
    `Read it in the inbox: ${site.siteUrl}/admin/inbox/${message.id}`,
    'Reply to this email to answer the sender directly.',
  ]
    .filter((line) => line !== null)
    .join('\n')
  return { subject, text }
}

/** Adds the notification to the outbox; call it in the same transaction that stores the message. */
export function enqueueNotification(
  db: Db,
  message: Message,
  to: string,
  site: { title: string; siteUrl: string },
  now = new Date(),
): void {
  const { subject, text } = notificationFor(message, site)
  db.insert(outbox)
    .values({
      messageId: message.id,
      to,
      replyTo: headerSafe(message.email, 254),
      subject,
      text,
      nextAttemptAt: now,
      createdAt: now,
    })
    .run()
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The mail worker, when SMTP is configured: `wake()` sends what is due now rather than at the next tick. */
    outbox?: { wake(): void }
  }
}
