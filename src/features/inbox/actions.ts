// Owns changing messages: read state, folder moves and deletion, for one message or many at once.
import { and, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type MessageFolder, messages } from '../../db/schema.ts'

export const INBOX_ACTIONS = [
  'mark_read',
  'mark_unread',
  'archive',
  'move_to_inbox',
  'spam',
  'not_spam',
  'delete',
] as const
export type InboxAction = (typeof INBOX_ACTIONS)[number]

export const isInboxAction = (value: unknown): value is InboxAction =>
  typeof value === 'string' && (INBOX_ACTIONS as readonly string[]).includes(value)

/** Where each moving action puts a message; "not spam" is a move back to the inbox. */
const DESTINATIONS: Partial<Record<InboxAction, MessageFolder>> = {
  archive: 'archived',
  move_to_inbox: 'inbox',
  spam: 'spam',
  not_spam: 'inbox',
}

/**
 * Applies `action` to the messages in `ids` and returns how many rows changed. Reading keeps
 * the first time a message was read; ids that do not exist are ignored.
 */
export function applyInboxAction(
  db: Db,
  action: InboxAction,
  ids: readonly number[],
  now = new Date(),
): number {
  if (ids.length === 0) return 0
  const selected = inArray(messages.id, [...ids])
  switch (action) {
    case 'mark_read':
      return db
        .update(messages)
        .set({ readAt: now })
        .where(and(selected, isNull(messages.readAt)))
        .run().changes
    case 'mark_unread':
      return db.update(messages).set({ readAt: null }).where(selected).run().changes
    case 'delete':
      // The outbox keeps any notification already queued (its message_id becomes null).
      return db.delete(messages).where(selected).run().changes
    default: {
      const folder = DESTINATIONS[action]
      if (!folder) return 0
      return db.update(messages).set({ folder }).where(selected).run().changes
    }
  }
}
