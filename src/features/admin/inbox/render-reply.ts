// Owns the reply part of a message page: the thread with each reply's delivery state, and the reply form, or the mailto: link when Folio cannot send mail.
import type { Message } from '../../../db/schema.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import { plural } from '../../../lib/text.ts'
import {
  isPlainEmail,
  quoteOf,
  REPLY_MAX_CHARS,
  type ReplyState,
  replySubject,
  type ThreadReply,
} from '../../inbox/replies.ts'
import { emailParts, messageUrl, replyHref, timeView } from './render.ts'

/** A mailto: link carries the quote in its URL, and mail apps cut long ones: it quotes less. */
const MAILTO_QUOTE_CHARS = 1_500

/** A reply form given back: what the author typed, and why it was not sent. */
export interface ReplyForm {
  readonly typed: string
  readonly error: string
}

const STATE_LABELS: Record<ReplyState, string> = { sent: 'Sent', queued: 'Queued', failed: 'Not sent' }

/** One line on how a reply's mail is doing, in the author's words. */
function deliveryNote(reply: ThreadReply, timeZone: string): string {
  const error = reply.lastError ? ` (${reply.lastError})` : ''
  if (reply.state === 'sent')
    return reply.sentAt ? `Sent ${formatDateTime(reply.sentAt, timeZone)}.` : 'Sent.'
  if (reply.state === 'failed') {
    return `Folio gave up after ${plural(reply.attempts, 'attempt')}${error}. The text is kept here: send it from your mail app.`
  }
  // An attempt is recorded before the mail goes out, so one with no error yet is still being sent.
  if (reply.attempts === 0 || !reply.lastError) return 'Waiting to be sent; this takes a moment.'
  const next = reply.nextAttemptAt
    ? ` Folio tries again at ${formatDateTime(reply.nextAttemptAt, timeZone)}.`
    : ''
  return `The mail server did not take it yet: ${plural(reply.attempts, 'attempt')} failed${error}.${next}`
}

/**
 * How the author can answer: `send` (Folio mails it: SMTP is set and the address is plain),
 * `mailto` (their mail app, with the quote filled in), or `none` (an address not to trust).
 */
export function replyView(
  message: Message,
  thread: readonly ThreadReply[],
  options: { canSend: boolean; timeZone: string; form?: ReplyForm | undefined },
) {
  const { timeZone, form } = options
  const mode = !isPlainEmail(message.email) ? 'none' : options.canSend ? 'send' : 'mailto'
  return {
    mode,
    action: messageUrl(message.id, 'reply'),
    markRepliedAction: messageUrl(message.id, 'replied'),
    replied: message.repliedAt !== null,
    mailto:
      mode === 'mailto' ? replyHref(message, `\n\n${quoteOf(message, timeZone, MAILTO_QUOTE_CHARS)}`) : null,
    subject: replySubject(message.subject),
    toParts: emailParts(message.email),
    maxChars: REPLY_MAX_CHARS,
    typed: form?.typed ?? '',
    errors: form ? { reply: form.error } : {},
    thread: thread.map((reply) => ({
      id: reply.id,
      body: reply.body,
      time: timeView(reply.createdAt, timeZone),
      state: reply.state,
      stateLabel: STATE_LABELS[reply.state],
      note: deliveryNote(reply, timeZone),
    })),
  }
}
