// Owns talking to the SMTP server: the nodemailer transport from SMTP_URL, the From address, each row's message (a newsletter copy's unsubscribe headers included), and safe error text.
import type { Transporter } from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import type { OutboxMail } from '../../db/schema.ts'
import { headerSafe } from './outbox.ts'

/**
 * Seconds, not nodemailer's defaults (10 s greeting, an hour of socket silence): a hung server
 * must fail one attempt quickly so it is retried later and cannot hold up a shutdown.
 */
const TIMEOUTS = {
  connectionTimeout: 5_000,
  greetingTimeout: 5_000,
  socketTimeout: 10_000,
  dnsTimeout: 5_000,
} as const

const ERROR_MAX = 500

/**
 * smtp:// or smtps:// with optional credentials and nodemailer's query options, as in SMTP_URL.
 * nodemailer loads here, when there is mail to send, not when the server starts.
 */
export async function createMailTransport(
  smtpUrl: string,
): Promise<Transporter<SMTPTransport.SentMessageInfo>> {
  const [{ default: nodemailer }, { default: SMTPTransport }] = await Promise.all([
    import('nodemailer'),
    import('nodemailer/lib/smtp-transport/index.js'),
  ])
  // Built directly: createTransport({ url, ... }) would keep the URL's settings and drop the timeouts.
  return nodemailer.createTransport(new SMTPTransport({ url: smtpUrl, ...TIMEOUTS }))
}

const decoded = (value: string): string => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** The user name and password in SMTP_URL, as written and decoded, so they can be kept out of text we store. */
function credentialsIn(smtpUrl: string): { user: string; secrets: string[] } {
  try {
    const url = new URL(smtpUrl)
    const user = decoded(url.username)
    // A short user name would blank out ordinary words; a password of any length is hidden.
    const names = [url.username, user].filter((s) => s.length >= 3)
    const secrets = [...names, url.password, decoded(url.password)]
      .filter((s) => s.length > 0)
      .sort((a, b) => b.length - a.length)
    return { user, secrets }
  } catch {
    return { user: '', secrets: [] }
  }
}

/**
 * The From header. Folio picks it rather than asking for one more setting:
 * - when SMTP_URL signs in with an email address (Gmail, Fastmail, most mailboxes), that address,
 *   because those providers refuse or rewrite mail "from" anyone else;
 * - otherwise notifications@<SITE_URL host>, which suits relays (Postmark, SES, Mailgun) that
 *   authenticate by API key and accept any address on the site's verified domain.
 * Never the visitor's address: forging it would fail SPF/DMARC; it goes in Reply-To instead.
 * The display name is the site title on notifications, so the author sees at a glance which site
 * wrote, and the author's name on replies, which a visitor reads as a person's answer.
 */
export function fromAddress(smtpUrl: string, siteUrl: string, displayName: string) {
  const address = signInMailbox(smtpUrl) ?? `notifications@${new URL(siteUrl).hostname}`
  return { name: headerSafe(displayName, 80), address }
}

/** SMTP_URL's user name when it is an email address: a mailbox someone reads. */
function signInMailbox(smtpUrl: string): string | null {
  const { user } = credentialsIn(smtpUrl)
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(user) ? user : null
}

/**
 * Where a newsletter's `mailto:` unsubscribes and replies may go: NOTIFY_EMAIL, else the SMTP
 * account's own address. Null when neither is a mailbox (a relay signing in with an API key sends
 * from notifications@…, which nobody reads): then the headers offer only the https link.
 */
export const newsletterMailbox = (smtpUrl: string, notifyEmail: string | undefined): string | null =>
  notifyEmail ?? signInMailbox(smtpUrl)

/** nodemailer's options for one outbox row: plain text only, delivered to `row.to` and nobody else. */
export function mailFor(row: OutboxMail, from: { name: string; address: string }, siteUrl: string) {
  return {
    from,
    to: row.to,
    ...(row.replyTo ? { replyTo: row.replyTo } : {}),
    subject: row.subject,
    text: row.text,
    ...(row.html ? { html: row.html } : {}),
    date: row.createdAt,
    // Delivery is at-least-once (a crash between the server's "250 OK" and recording sentAt sends
    // again on restart); a stable Message-ID lets the author's mail client fold the duplicate.
    // Rows queued before Message-IDs were stored get one derived from the row, as they always did.
    messageId:
      row.headerMessageId ?? `<outbox-${row.id}.${row.createdAt.getTime()}@${new URL(siteUrl).hostname}>`,
    ...(row.inReplyTo ? { inReplyTo: row.inReplyTo } : {}),
    ...(row.references ? { references: row.references } : {}),
    // The envelope is set, not derived from headers, so no header can ever add a recipient.
    envelope: { from: from.address, to: [row.to] },
  }
}

const PLAIN_ADDRESS = /^[^\s<>,;@?&]+@[^\s<>,;@?&]+$/

export interface NewsletterCopy {
  readonly text: string
  readonly html: string
  /** This subscriber's one-click unsubscribe URL (https, RFC 8058). */
  readonly unsubscribeUrl: string
  /** Where `mailto:` unsubscribes and replies go (newsletterMailbox); null: nowhere, the https link alone. */
  readonly mailbox: string | null
  readonly date: Date
}

/**
 * One subscriber's copy of an issue: the row's envelope and Message-ID, the copy's own parts, and
 * the headers Gmail and Yahoo require of bulk mail: List-Unsubscribe with an https URL (and a
 * mailto: for clients that only know that) and List-Unsubscribe-Post for one-click (RFC 8058).
 * A reply reaches the author, whatever address the mail is sent from.
 */
export function newsletterCopyFor(
  row: OutboxMail,
  from: { name: string; address: string },
  siteUrl: string,
  copy: NewsletterCopy,
) {
  // Operator-set addresses, but a header is no place to find out one holds a ">" or a comma.
  const mailbox = copy.mailbox !== null && PLAIN_ADDRESS.test(copy.mailbox) ? copy.mailbox : null
  const unsubscribe = mailbox
    ? `<${copy.unsubscribeUrl}>, <mailto:${mailbox}?subject=unsubscribe>`
    : `<${copy.unsubscribeUrl}>`
  return {
    ...mailFor(
      { ...row, replyTo: mailbox === null || mailbox === from.address ? null : mailbox },
      from,
      siteUrl,
    ),
    text: copy.text,
    html: copy.html,
    date: copy.date,
    headers: {
      'List-Unsubscribe': unsubscribe,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  }
}

/**
 * Whether the server refused this recipient or this message for good: a 5xx reply to RCPT TO or
 * DATA. Sending again would get the same answer. A 5xx at sign-in or to MAIL FROM is the sending
 * account's problem, which the operator can fix, so those are retried like any failure.
 */
export function isPermanentRejection(err: unknown): boolean {
  const e = err as { responseCode?: unknown; command?: unknown } | null
  return (
    typeof e?.responseCode === 'number' &&
    e.responseCode >= 500 &&
    e.responseCode < 600 &&
    (e.command === 'RCPT TO' || e.command === 'DATA')
  )
}

/** One line about a failed send for the outbox and the logs: the server's reply, never SMTP_URL's credentials. */
export function describeSendError(err: unknown, smtpUrl: string): string {
  const e = err as { code?: unknown; responseCode?: unknown; message?: unknown } | null
  const parts = [
    typeof e?.code === 'string' ? e.code : null,
    typeof e?.responseCode === 'number' ? String(e.responseCode) : null,
    typeof e?.message === 'string' ? e.message : String(err),
  ].filter((p) => p !== null)
  let text = parts.join(' ').replace(/\s+/g, ' ').trim()
  for (const secret of credentialsIn(smtpUrl).secrets) text = text.split(secret).join('***')
  return text.slice(0, ERROR_MAX) || 'unknown error'
}
