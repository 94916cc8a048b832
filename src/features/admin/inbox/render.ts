// Owns the inbox screens' view models: list rows, a message, its times and titles, and every inbox URL.
import type { Message, MessageFolder } from '../../../db/schema.ts'
import { dateStamp, formatDateTime } from '../../../lib/dates.ts'
import { adminMessageUrl } from '../../../lib/urls.ts'
import type { InboxAction } from '../../inbox/actions.ts'
import {
  type FolderCounts,
  MAX_QUERY_LENGTH,
  type MessagePage,
  type MessageSummary,
  parseSpamReasons,
} from '../../inbox/queries.ts'
import { isPlainEmail, replySubject } from '../../inbox/replies.ts'
import type { ListExtra } from '../bulk.ts'
import type { ListState } from './forms.ts'

export const FOLDER_LABELS: Record<MessageFolder, string> = {
  inbox: 'Inbox',
  archived: 'Archived',
  spam: 'Spam',
}

/** The flash shown after each action (codes live in DONE_MESSAGES). */
export const DONE_CODES: Record<InboxAction, string> = {
  mark_read: 'inbox-read',
  mark_unread: 'inbox-unread',
  archive: 'inbox-archived',
  move_to_inbox: 'inbox-moved',
  spam: 'inbox-spam',
  not_spam: 'inbox-not-spam',
  delete: 'inbox-deleted',
}

/** Which bulk buttons each folder offers, in the order they appear. */
const BULK_BUTTONS: Record<MessageFolder, { action: InboxAction; label: string }[]> = {
  inbox: [
    { action: 'mark_read', label: 'Mark read' },
    { action: 'mark_unread', label: 'Mark unread' },
    { action: 'archive', label: 'Archive' },
    { action: 'spam', label: 'Spam' },
  ],
  archived: [
    { action: 'mark_read', label: 'Mark read' },
    { action: 'mark_unread', label: 'Mark unread' },
    { action: 'move_to_inbox', label: 'Move to inbox' },
    { action: 'spam', label: 'Spam' },
  ],
  spam: [{ action: 'not_spam', label: 'Not spam' }],
}

/** The one place inbox list URLs are built: defaults are left out so links stay short. */
export function inboxUrl(state: Partial<ListState> & { done?: string } = {}): string {
  const params = new URLSearchParams()
  if (state.folder && state.folder !== 'inbox') params.set('folder', state.folder)
  if (state.q) params.set('q', state.q)
  if (state.page && state.page > 1) params.set('page', String(state.page))
  if (state.done) params.set('done', state.done)
  const query = params.toString()
  return query ? `/admin/inbox?${query}` : '/admin/inbox'
}

export const messageUrl = (id: number, action?: string): string =>
  action ? `${adminMessageUrl(id)}/${action}` : adminMessageUrl(id)

/** "messages-spam-2026-12-04.csv": what a download is saved as, dated where the author is. */
export const exportFileName = (folder: MessageFolder | undefined, format: string, timeZone: string): string =>
  `messages-${folder ? `${folder}-` : ''}${dateStamp(timeZone)}.${format}`

/**
 * "Reply" as a mailto: link with the subject filled in (and `body`, when given, with line breaks
 * as CRLF per RFC 6068), or null when the address is not a plain one. Every part is
 * percent-encoded, so nothing a visitor typed can add a header or a recipient.
 */
export function replyHref(message: Pick<Message, 'email' | 'subject'>, body?: string): string | null {
  if (!isPlainEmail(message.email)) return null
  const at = message.email.lastIndexOf('@')
  const local = encodeURIComponent(message.email.slice(0, at))
  const query = [
    `subject=${encodeURIComponent(replySubject(message.subject))}`,
    ...(body ? [`body=${encodeURIComponent(body.replace(/\r?\n/g, '\r\n'))}`] : []),
  ].join('&')
  return `mailto:${local}@${message.email.slice(at + 1)}?${query}`
}

/** An address in pieces that end after "@" and each ".", so a long one wraps there (with <wbr>). */
export const emailParts = (email: string): string[] => email.split(/(?<=[@.])/)

/** The first words of a message, on one line, for a list row without a subject. */
export function firstWords(text: string, words = 12, maxChars = 100): string {
  const all = text.trim().split(/\s+/).filter(Boolean)
  let line = all.slice(0, words).join(' ')
  let cut = all.length > words
  const chars = Array.from(line)
  if (chars.length > maxChars) {
    line = chars.slice(0, maxChars).join('').trimEnd()
    cut = true
  }
  return cut ? `${line}…` : line
}

/** A time as the author reads it (their timezone), as machines read it, and in UTC for a tooltip. */
export function timeView(date: Date, timeZone: string) {
  const iso = date.toISOString()
  return {
    label: formatDateTime(date, timeZone),
    iso,
    utc: `${iso.slice(0, 16).replace('T', ' ')} UTC`,
  }
}

/** A page title never grows with what a visitor typed. */
export function titleText(text: string, max = 70): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim())
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('')
}

function rowView(m: MessageSummary, timeZone: string, checked: ReadonlySet<number>) {
  const words = firstWords(m.excerpt)
  const hasSubject = m.subject.trim() !== ''
  return {
    id: m.id,
    url: messageUrl(m.id),
    name: m.name,
    email: m.email,
    emailParts: emailParts(m.email),
    line: hasSubject ? m.subject : words || '(empty message)',
    // Under a subject, the message's first words; without one, they are the line already.
    preview: hasSubject ? words : '',
    unread: m.readAt === null,
    replied: m.repliedAt !== null,
    time: timeView(m.createdAt, timeZone),
    spam: m.folder === 'spam',
    spamScore: m.spamScore,
    spamReasons: parseSpamReasons(m.spamReasons),
    checked: checked.has(m.id),
  }
}

/** Everything the list template shows: tabs, search, rows, bulk buttons, pages and export links. */
export function listView(
  state: ListState,
  result: MessagePage,
  counts: FolderCounts,
  timeZone: string,
  extra: ListExtra = {},
) {
  const checked = new Set(extra.checked ?? [])
  const shown: ListState = { ...state, page: result.page }
  const label = FOLDER_LABELS[state.folder]
  return {
    title: state.q ? `${label}: search for “${titleText(state.q, 40)}”` : label,
    section: 'inbox',
    scripts: ['js/inbox.js'],
    folder: state.folder,
    folderLabel: label,
    q: state.q,
    maxQueryLength: MAX_QUERY_LENGTH,
    page: result.page,
    total: result.total,
    tabs: (['inbox', 'archived', 'spam'] as const).map((folder) => ({
      label: FOLDER_LABELS[folder],
      url: inboxUrl({ folder }),
      current: folder === state.folder,
      count: folder === 'inbox' ? counts.inbox.unread : counts[folder].total,
      countLabel: folder === 'inbox' ? 'unread' : counts[folder].total === 1 ? 'message' : 'messages',
    })),
    messages: result.messages.map((m) => rowView(m, timeZone, checked)),
    buttons: BULK_BUTTONS[state.folder],
    clearUrl: inboxUrl({ folder: state.folder }),
    pagination:
      result.totalPages > 1
        ? {
            page: result.page,
            totalPages: result.totalPages,
            prevUrl: result.page > 1 ? inboxUrl({ ...shown, page: result.page - 1 }) : null,
            nextUrl: result.page < result.totalPages ? inboxUrl({ ...shown, page: result.page + 1 }) : null,
          }
        : null,
    exports: {
      allCsv: '/admin/inbox/export.csv',
      allJson: '/admin/inbox/export.json',
      folderCsv: `/admin/inbox/export.csv?folder=${state.folder}`,
      folderJson: `/admin/inbox/export.json?folder=${state.folder}`,
    },
    formError: extra.formError ?? null,
    confirmChecked: extra.confirmChecked ?? false,
  }
}

/** One message as the reading and deleting pages show it. */
export function messageView(m: Message, timeZone: string) {
  const heading = m.subject.trim() ? m.subject : `Message from ${m.name}`
  return {
    id: m.id,
    name: m.name,
    email: m.email,
    emailParts: emailParts(m.email),
    subject: m.subject,
    heading,
    title: titleText(heading),
    replyHref: replyHref(m),
    unread: m.readAt === null,
    readTime: m.readAt ? timeView(m.readAt, timeZone) : null,
    repliedTime: m.repliedAt ? timeView(m.repliedAt, timeZone) : null,
    folder: m.folder,
    folderLabel: FOLDER_LABELS[m.folder],
    folderUrl: inboxUrl({ folder: m.folder }),
    time: timeView(m.createdAt, timeZone),
    body: m.body,
    excerpt: firstWords(m.body.slice(0, 2000), 30, 200),
    ip: m.ip,
    userAgent: m.userAgent,
    spam: m.folder === 'spam',
    spamScore: m.spamScore,
    spamReasons: parseSpamReasons(m.spamReasons),
    url: messageUrl(m.id),
    deleteUrl: messageUrl(m.id, 'delete'),
  }
}
