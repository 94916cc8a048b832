// Owns talking to the SMTP server: the nodemailer transport from SMTP_URL, the From address, and safe error text.
import nodemailer, { type Transporter } from 'nodemailer'
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
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

/** smtp:// or smtps:// with optional credentials and nodemailer's query options, as in SMTP_URL. */
export function createMailTransport(smtpUrl: string): Transporter<SMTPTransport.SentMessageInfo> {
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
  const { user } = credentialsIn(smtpUrl)
  const address = /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(user)
    ? user
    : `notifications@${new URL(siteUrl).hostname}`
  return { name: headerSafe(displayName, 80), address }
}

/** nodemailer's options for one outbox row: plain text only, delivered to `row.to` and nobody else. */
export function mailFor(row: OutboxMail, from: { name: string; address: string }, siteUrl: string) {
  return {
    from,
    to: row.to,
    ...(row.replyTo ? { replyTo: row.replyTo } : {}),
    subject: row.subject,
    text: row.text,
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
