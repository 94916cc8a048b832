// Owns the admin's /admin/inbox screens: folders, search, reading a message, actions one by one or in bulk, and export.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import type { Message, MessageFolder } from '../../db/schema.ts'
import { dateStamp, formatMessageTime } from '../../lib/dates.ts'
import { formFields } from '../../lib/form-errors.ts'
import { applyInboxAction, type InboxAction, isInboxAction } from '../inbox/actions.ts'
import { messagesCsv, messagesJson } from '../inbox/export.ts'
import {
  existingIds,
  findMessage,
  folderCounts,
  isFolder,
  listMessages,
  MAX_QUERY_LENGTH,
  type MessageSummary,
  messagesForExport,
  parseSpamReasons,
} from '../inbox/queries.ts'
import { headerSafe } from '../mail/outbox.ts'
import { getSettings } from '../settings/service.ts'
import { parseId } from './params.ts'

const FOLDER_LABELS: Record<MessageFolder, string> = { inbox: 'Inbox', archived: 'Archived', spam: 'Spam' }

/** The flash shown after each action (codes live in DONE_MESSAGES). */
const DONE_CODES: Record<InboxAction, string> = {
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

/** A form never selects more than a page of messages; this bounds a hand-made request. */
const MAX_BULK_IDS = 500

/** The repeated `ids` field, as distinct ids; anything that is not an id is dropped. */
function idsFrom(body: unknown): number[] {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>).ids : undefined
  const list = Array.isArray(raw) ? raw : [raw]
  const ids = new Set<number>()
  for (const value of list) {
    const id = parseId(value)
    if (id !== undefined) ids.add(id)
  }
  return [...ids]
}

interface ListState {
  readonly folder: MessageFolder
  readonly q: string
  readonly page: number
}

/** Folder, search and page from a query string or the bulk form's hidden fields; anything odd falls back. */
function listStateFrom(source: unknown): ListState {
  const fields = formFields(source)
  const page = fields.page && /^[1-9]\d{0,5}$/.test(fields.page) ? Number(fields.page) : 1
  return {
    folder: isFolder(fields.folder) ? fields.folder : 'inbox',
    q: (fields.q ?? '').trim().slice(0, MAX_QUERY_LENGTH),
    page,
  }
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
  action ? `/admin/inbox/${id}/${action}` : `/admin/inbox/${id}`

/**
 * An address safe to put after `mailto:`: the same shape the contact form accepts, so nothing
 * in it (?, &, #, %, a colon, a line break) can add a header, a second recipient or a scheme.
 */
const PLAIN_EMAIL =
  /^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/

export function isPlainEmail(email: string): boolean {
  return email.length <= 254 && PLAIN_EMAIL.test(email)
}

/** "Reply" as a mailto: link with the subject filled in, or null when the address is not a plain one. */
export function replyHref(message: Pick<Message, 'email' | 'subject'>): string | null {
  if (!isPlainEmail(message.email)) return null
  const subject = headerSafe(message.subject, 150)
  const reply = subject ? (/^re:/i.test(subject) ? subject : `Re: ${subject}`) : 'Re: Your message'
  const at = message.email.lastIndexOf('@')
  const local = encodeURIComponent(message.email.slice(0, at))
  return `mailto:${local}@${message.email.slice(at + 1)}?subject=${encodeURIComponent(reply)}`
}

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
function timeView(date: Date, timeZone: string, kind: 'short' | 'long') {
  const iso = date.toISOString()
  return {
    label: formatMessageTime(date, timeZone, kind),
    iso,
    utc: `${iso.slice(0, 16).replace('T', ' ')} UTC`,
  }
}

/** A page title never grows with what a visitor typed. */
const titleText = (text: string, max = 70): string => {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim())
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('')
}

export default async function inboxRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options
  const timeZone = () => getSettings(db).timezone

  const rowView = (m: MessageSummary, zone: string, checked: ReadonlySet<number>) => {
    const words = firstWords(m.excerpt)
    return {
      id: m.id,
      url: messageUrl(m.id),
      name: m.name,
      email: m.email,
      line: m.subject.trim() ? m.subject : words || '(empty message)',
      unread: m.readAt === null,
      time: timeView(m.createdAt, zone, 'short'),
      spam: m.folder === 'spam',
      spamScore: m.spamScore,
      spamReasons: parseSpamReasons(m.spamReasons),
      checked: checked.has(m.id),
    }
  }

  function renderList(
    reply: FastifyReply,
    state: ListState,
    extra: { formError?: string; checked?: number[]; confirmChecked?: boolean } = {},
    status = 200,
  ) {
    const zone = timeZone()
    const result = listMessages(db, state)
    const counts = folderCounts(db)
    const checked = new Set(extra.checked ?? [])
    const shown: ListState = { ...state, page: result.page }
    const label = FOLDER_LABELS[state.folder]
    return reply.admin(
      'admin/inbox/list',
      {
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
        messages: result.messages.map((m) => rowView(m, zone, checked)),
        buttons: BULK_BUTTONS[state.folder],
        clearUrl: inboxUrl({ folder: state.folder }),
        pagination:
          result.totalPages > 1
            ? {
                page: result.page,
                totalPages: result.totalPages,
                prevUrl: result.page > 1 ? inboxUrl({ ...shown, page: result.page - 1 }) : null,
                nextUrl:
                  result.page < result.totalPages ? inboxUrl({ ...shown, page: result.page + 1 }) : null,
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
      },
      status,
    )
  }

  const messageView = (m: Message) => {
    const zone = timeZone()
    const heading = m.subject.trim() ? m.subject : `Message from ${m.name}`
    return {
      id: m.id,
      name: m.name,
      email: m.email,
      subject: m.subject,
      heading,
      title: titleText(heading),
      replyHref: replyHref(m),
      unread: m.readAt === null,
      readTime: m.readAt ? timeView(m.readAt, zone, 'long') : null,
      folder: m.folder,
      folderLabel: FOLDER_LABELS[m.folder],
      folderUrl: inboxUrl({ folder: m.folder }),
      time: timeView(m.createdAt, zone, 'long'),
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

  const renderMissing = (reply: FastifyReply) =>
    reply.admin('admin/inbox/missing', { title: 'Message not found', section: 'inbox' }, 404)

  /** The message named by :id, or undefined after answering 404. */
  async function loadMessage(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
    const id = parseId(request.params.id)
    const message = id === undefined ? undefined : findMessage(db, id)
    if (!message) await renderMissing(reply)
    return message
  }

  function renderDelete(reply: FastifyReply, message: Message, formError?: string, status = 200) {
    const view = messageView(message)
    return reply.admin(
      'admin/inbox/delete',
      { title: `Delete “${view.title}”?`, section: 'inbox', message: view, formError: formError ?? null },
      status,
    )
  }

  function sendExport(request: FastifyRequest, reply: FastifyReply, format: 'csv' | 'json') {
    const asked = (request.query as Record<string, unknown>).folder
    const only = isFolder(asked) ? asked : undefined
    const list = messagesForExport(db, only)
    const name = `messages-${only ? `${only}-` : ''}${dateStamp(timeZone())}.${format}`
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${name}"`)
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .send(format === 'csv' ? messagesCsv(list) : messagesJson(list))
  }

  app.get('/admin/inbox', async (request, reply) => renderList(reply, listStateFrom(request.query)))

  app.post('/admin/inbox/bulk', async (request, reply) => {
    const fields = formFields(request.body)
    const state = listStateFrom(request.body)
    const ids = idsFrom(request.body)
    const action = fields.action
    const again = (formError: string) =>
      renderList(reply, state, { formError, checked: ids, confirmChecked: fields.confirm === 'yes' }, 422)

    if (!isInboxAction(action)) return again('Choose what to do with the selected messages.')
    if (ids.length === 0) return again('Select at least one message first, with the boxes beside them.')
    if (ids.length > MAX_BULK_IDS) return again(`Select at most ${MAX_BULK_IDS} messages at a time.`)
    if (action === 'delete' && fields.confirm !== 'yes') {
      return again(
        'Nothing was deleted. To delete the selected messages for good, tick “Yes, delete them for good” and press Delete again.',
      )
    }
    const found = existingIds(db, ids)
    if (found.length === 0)
      return again('Those messages are no longer here; they may have been deleted already.')
    applyInboxAction(db, action, found)
    return reply.redirect(inboxUrl({ ...state, done: DONE_CODES[action] }), 303)
  })

  app.get('/admin/inbox/export.csv', async (request, reply) => sendExport(request, reply, 'csv'))
  app.get('/admin/inbox/export.json', async (request, reply) => sendExport(request, reply, 'json'))

  app.get<{ Params: { id: string } }>('/admin/inbox/:id', async (request, reply) => {
    // Only reads: opening a message never marks it read; the page posts that (see static/js/inbox.js).
    const message = await loadMessage(request, reply)
    if (!message) return reply
    const view = messageView(message)
    return reply.admin('admin/inbox/show', {
      title: view.title,
      section: 'inbox',
      scripts: ['js/inbox.js'],
      message: view,
    })
  })

  /** One-message actions: URL segment, what it does, and where the author lands afterwards. */
  const single: { path: string; action: InboxAction; back: 'message' | 'folder' }[] = [
    { path: 'read', action: 'mark_read', back: 'message' },
    // Back to the list: staying on the message would have it marked read again at once.
    { path: 'unread', action: 'mark_unread', back: 'folder' },
    { path: 'archive', action: 'archive', back: 'folder' },
    { path: 'move-to-inbox', action: 'move_to_inbox', back: 'message' },
    { path: 'spam', action: 'spam', back: 'folder' },
    { path: 'not-spam', action: 'not_spam', back: 'message' },
  ]
  for (const { path, action, back } of single) {
    app.post<{ Params: { id: string } }>(`/admin/inbox/:id/${path}`, async (request, reply) => {
      const message = await loadMessage(request, reply)
      if (!message) return reply
      applyInboxAction(db, action, [message.id])
      const done = DONE_CODES[action]
      const to =
        back === 'message'
          ? `${messageUrl(message.id)}?done=${done}`
          : inboxUrl({ folder: message.folder, done })
      return reply.redirect(to, 303)
    })
  }

  app.get<{ Params: { id: string } }>('/admin/inbox/:id/delete', async (request, reply) => {
    const message = await loadMessage(request, reply)
    if (!message) return reply
    return renderDelete(reply, message)
  })

  app.post<{ Params: { id: string } }>('/admin/inbox/:id/delete', async (request, reply) => {
    const message = await loadMessage(request, reply)
    if (!message) return reply
    if (formFields(request.body).confirm !== 'yes') {
      return renderDelete(
        reply,
        message,
        'Nothing was deleted. Press “Delete message” below to delete it.',
        422,
      )
    }
    applyInboxAction(db, 'delete', [message.id])
    return reply.redirect(inboxUrl({ folder: message.folder, done: DONE_CODES.delete }), 303)
  })
}
