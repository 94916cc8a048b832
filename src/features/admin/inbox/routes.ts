// Owns the admin's /admin/inbox routes: folders, search, reading and answering a message, actions one by one or in bulk, and export.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import type { Message } from '../../../db/schema.ts'
import { notSavedMessage, recordStorageFailure } from '../../../db/storage-health.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { applyInboxAction, type InboxAction, isInboxAction } from '../../inbox/actions.ts'
import { messagesCsv, messagesJson } from '../../inbox/export.ts'
import {
  existingIds,
  findMessage,
  folderCounts,
  listMessages,
  messagesForExport,
} from '../../inbox/queries.ts'
import { isPlainEmail, markReplied, replyThread, sendReply } from '../../inbox/replies.ts'
import { getSettings } from '../../settings/service.ts'
import { bulkRequestFrom, type ListExtra, refusedBulk } from '../bulk.ts'
import { withRow } from '../params.ts'
import { exportFolderFrom, type ListState, listStateFrom, replyFrom } from './forms.ts'
import { DONE_CODES, exportFileName, inboxUrl, listView, messageUrl, messageView } from './render.ts'
import { type ReplyForm, replyView } from './render-reply.ts'

/** One-message actions: URL segment, what it does, and where the author lands afterwards. */
const SINGLE_ACTIONS: { path: string; action: InboxAction; back: 'message' | 'folder' }[] = [
  { path: 'read', action: 'mark_read', back: 'message' },
  // Back to the list: staying on the message would have it marked read again at once.
  { path: 'unread', action: 'mark_unread', back: 'folder' },
  { path: 'archive', action: 'archive', back: 'folder' },
  { path: 'move-to-inbox', action: 'move_to_inbox', back: 'message' },
  { path: 'spam', action: 'spam', back: 'folder' },
  { path: 'not-spam', action: 'not_spam', back: 'message' },
]

export default async function inboxRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const timeZone = () => getSettings(db).timezone
  // Replies need SMTP alone: the From address comes from SMTP_URL or the site's host (mail/transport.ts).
  const canSend = Boolean(config.smtpUrl)

  function renderMessage(reply: FastifyReply, message: Message, form?: ReplyForm, status = 200) {
    const view = messageView(message, timeZone())
    const thread = replyThread(db, message.id)
    return reply.admin(
      'admin/inbox/show',
      {
        title: view.title,
        section: 'inbox',
        scripts: ['js/inbox.js'],
        message: view,
        answer: replyView(message, thread, { canSend, timeZone: timeZone(), form }),
      },
      status,
    )
  }

  const renderList = (reply: FastifyReply, state: ListState, extra?: ListExtra, status = 200) =>
    reply.admin(
      'admin/inbox/list',
      listView(state, listMessages(db, state), folderCounts(db), timeZone(), extra),
      status,
    )

  function renderDelete(reply: FastifyReply, message: Message, formError?: string, status = 200) {
    const view = messageView(message, timeZone())
    return reply.admin(
      'admin/inbox/delete',
      { title: `Delete “${view.title}”?`, section: 'inbox', message: view, formError: formError ?? null },
      status,
    )
  }

  /** A handler for /admin/inbox/:id…, given the message; an unknown id gets the inbox's own 404 page. */
  const withMessage = withRow(
    (id) => findMessage(db, id),
    (reply) => reply.admin('admin/inbox/missing', { title: 'Message not found', section: 'inbox' }, 404),
  )

  function sendExport(request: FastifyRequest, reply: FastifyReply, format: 'csv' | 'json') {
    const only = exportFolderFrom(request.query)
    const list = messagesForExport(db, only)
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${exportFileName(only, format, timeZone())}"`)
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .send(format === 'csv' ? messagesCsv(list) : messagesJson(list))
  }

  app.get('/admin/inbox', async (request, reply) => renderList(reply, listStateFrom(request.query)))

  app.post('/admin/inbox/bulk', async (request, reply) => {
    const state = listStateFrom(request.body)
    const bulk = bulkRequestFrom(request.body, {
      isAction: isInboxAction,
      noun: { one: 'message', many: 'messages' },
      existing: (ids) => existingIds(db, ids),
    })
    if ('error' in bulk) return renderList(reply, state, refusedBulk(bulk), 422)
    applyInboxAction(db, bulk.action, bulk.found)
    return reply.redirect(inboxUrl({ ...state, done: DONE_CODES[bulk.action] }), 303)
  })

  app.get('/admin/inbox/export.csv', async (request, reply) => sendExport(request, reply, 'csv'))
  app.get('/admin/inbox/export.json', async (request, reply) => sendExport(request, reply, 'json'))

  app.get(
    '/admin/inbox/:id',
    // Only reads: opening a message never marks it read; the page posts that (see static/js/inbox.js).
    withMessage((message, _request, reply) => renderMessage(reply, message)),
  )

  app.post(
    '/admin/inbox/:id/reply',
    withMessage((message, request, reply) => {
      const form = replyFrom(request.body)
      const refuse = (error: string, status = 422) =>
        renderMessage(reply, message, { typed: form.typed, error }, status)
      if (!canSend) {
        return refuse(
          'Folio cannot send mail here because SMTP_URL is not set. Press Reply to write from your mail app, then Mark as replied.',
        )
      }
      if (!isPlainEmail(message.email)) {
        return refuse('The sender’s address is not a plain email address, so Folio will not send mail to it.')
      }
      if ('error' in form) return refuse(form.error)
      // The visitor's answer goes to the author's own mailbox, not to a notifications@ address.
      const replyTo = [config.notifyEmail, request.auth?.user.email].find((e) => e && isPlainEmail(e))
      try {
        sendReply(db, message, form.text, {
          replyTo: replyTo ?? null,
          siteUrl: config.siteUrl,
          timeZone: timeZone(),
        })
      } catch (err) {
        const storage = recordStorageFailure(db, err)
        if (!storage) throw err
        reply.header('retry-after', '60')
        return refuse(notSavedMessage(storage), 503)
      }
      app.outbox?.wake()
      return reply.redirect(`${messageUrl(message.id)}?done=inbox-reply-queued`, 303)
    }),
  )

  app.post(
    '/admin/inbox/:id/replied',
    withMessage((message, _request, reply) => {
      markReplied(db, message.id)
      return reply.redirect(`${messageUrl(message.id)}?done=inbox-replied`, 303)
    }),
  )

  for (const { path, action, back } of SINGLE_ACTIONS) {
    app.post(
      `/admin/inbox/:id/${path}`,
      withMessage((message, _request, reply) => {
        applyInboxAction(db, action, [message.id])
        const done = DONE_CODES[action]
        const to =
          back === 'message'
            ? `${messageUrl(message.id)}?done=${done}`
            : inboxUrl({ folder: message.folder, done })
        return reply.redirect(to, 303)
      }),
    )
  }

  app.get(
    '/admin/inbox/:id/delete',
    withMessage((message, _request, reply) => renderDelete(reply, message)),
  )

  app.post(
    '/admin/inbox/:id/delete',
    withMessage((message, request, reply) => {
      if (formFields(request.body).confirm !== 'yes') {
        const formError = 'Nothing was deleted. Press “Delete message” below to delete it.'
        return renderDelete(reply, message, formError, 422)
      }
      applyInboxAction(db, 'delete', [message.id])
      return reply.redirect(inboxUrl({ folder: message.folder, done: DONE_CODES.delete }), 303)
    }),
  )
}
