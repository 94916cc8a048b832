// Owns reading the inbox: folder counts, the searchable paged list, the newest unread, one message, and everything for export.
import { and, asc, count, desc, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { MESSAGE_FOLDERS, type Message, type MessageFolder, messages } from '../../db/schema.ts'
import { pageWindow } from '../../lib/paging.ts'

export const INBOX_PAGE_SIZE = 25
/** Longer searches are cut here; nobody types more, and it keeps the LIKE patterns small. */
export const MAX_QUERY_LENGTH = 200

export const isFolder = (value: unknown): value is MessageFolder =>
  typeof value === 'string' && (MESSAGE_FOLDERS as readonly string[]).includes(value)

export interface FolderCounts {
  readonly inbox: { readonly total: number; readonly unread: number }
  readonly archived: { readonly total: number; readonly unread: number }
  readonly spam: { readonly total: number; readonly unread: number }
}

/** Totals and unread counts for every folder in one query, for the folder tabs. */
export function folderCounts(db: Db): FolderCounts {
  const rows = db
    .select({
      folder: messages.folder,
      total: count(),
      unread: sql<number>`coalesce(sum(${messages.readAt} is null), 0)`,
    })
    .from(messages)
    .groupBy(messages.folder)
    .all()
  const counts = {
    inbox: { total: 0, unread: 0 },
    archived: { total: 0, unread: 0 },
    spam: { total: 0, unread: 0 },
  }
  for (const row of rows) counts[row.folder] = { total: row.total, unread: Number(row.unread) }
  return counts
}

/** A LIKE pattern matching `text` literally anywhere: %, _ and the escape character lose their meaning. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
}

/**
 * Name, email, subject or message contains every word of `q`. SQLite's LIKE ignores case for
 * ASCII letters, which covers names and addresses; words are ANDed so "jane invoice" narrows.
 */
function searchCondition(q: string): SQL | undefined {
  const words = q.split(/\s+/).filter(Boolean).slice(0, 10)
  if (words.length === 0) return undefined
  return and(
    ...words.map((word) => {
      const pattern = containsPattern(word)
      return or(
        sql`${messages.name} like ${pattern} escape '\\'`,
        sql`${messages.email} like ${pattern} escape '\\'`,
        sql`${messages.subject} like ${pattern} escape '\\'`,
        sql`${messages.body} like ${pattern} escape '\\'`,
      )
    }),
  )
}

export interface MessageSummary {
  readonly id: number
  readonly name: string
  readonly email: string
  readonly subject: string
  /** The start of the message only: a list never loads megabytes of body text. */
  readonly excerpt: string
  readonly folder: MessageFolder
  readonly readAt: Date | null
  readonly repliedAt: Date | null
  readonly spamScore: number
  readonly spamReasons: string
  readonly createdAt: Date
}

export interface MessagePage {
  readonly messages: MessageSummary[]
  readonly total: number
  /** The page shown: the one asked for, or the last one when it asked beyond the end. */
  readonly page: number
  readonly totalPages: number
}

export const EXCERPT_CHARS = 300

/** One folder's messages, newest first, optionally searched, 25 to a page. */
export function listMessages(
  db: Db,
  options: { folder: MessageFolder; q?: string; page?: number },
): MessagePage {
  const where = and(eq(messages.folder, options.folder), searchCondition(options.q ?? ''))
  const total = db.select({ n: count() }).from(messages).where(where).get()?.n ?? 0
  const { page, totalPages, offset } = pageWindow(total, options.page, INBOX_PAGE_SIZE)
  const rows = db
    .select({
      id: messages.id,
      name: messages.name,
      email: messages.email,
      subject: messages.subject,
      excerpt: sql<string>`substr(${messages.body}, 1, ${EXCERPT_CHARS})`,
      folder: messages.folder,
      readAt: messages.readAt,
      repliedAt: messages.repliedAt,
      spamScore: messages.spamScore,
      spamReasons: messages.spamReasons,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(where)
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(INBOX_PAGE_SIZE)
    .offset(offset)
    .all()
  return { messages: rows, total, page, totalPages }
}

/** The newest unread messages in the Inbox folder (never Spam), with the start of each. */
export function newestUnread(db: Db, limit = 5) {
  return db
    .select({
      id: messages.id,
      name: messages.name,
      excerpt: sql<string>`substr(${messages.body}, 1, ${EXCERPT_CHARS})`,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(and(eq(messages.folder, 'inbox'), isNull(messages.readAt)))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit)
    .all()
}

export function findMessage(db: Db, id: number): Message | undefined {
  return db.select().from(messages).where(eq(messages.id, id)).get()
}

/** Which of `ids` exist; bulk actions report on these and ignore the rest. */
export function existingIds(db: Db, ids: readonly number[]): number[] {
  if (ids.length === 0) return []
  return db
    .select({ id: messages.id })
    .from(messages)
    .where(inArray(messages.id, [...ids]))
    .all()
    .map((row) => row.id)
}

/** Every message (or one folder's), oldest first, as an archive reads. */
export function messagesForExport(db: Db, folder?: MessageFolder): Message[] {
  return db
    .select()
    .from(messages)
    .where(folder ? eq(messages.folder, folder) : undefined)
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .all()
}

/** The spam filter's reasons as stored (a JSON array), tolerating anything else in the column. */
export function parseSpamReasons(stored: string): string[] {
  try {
    const value: unknown = JSON.parse(stored)
    return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : []
  } catch {
    return []
  }
}
