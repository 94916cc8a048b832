// Owns reading a WordPress item's comments: which are kept and how (approved, pending, spam; replies and mentions), threads, and never the commenter's email.
import { plural } from '../../lib/text.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import type { ImportedComment, ImportedCommentStatus } from './model.ts'
import { plainText } from './reader-common.ts'
import { list, text, type XmlNode } from './wordpress-xml.ts'

const STATUS = new Map<string, ImportedCommentStatus>([
  ['1', 'approved'],
  ['0', 'pending'],
  ['spam', 'spam'],
])
/** Comment types that are another site linking here rather than someone writing a reply. */
const MENTION_TYPES = new Set(['pingback', 'trackback', 'webmention'])
const REPLY_TYPES = new Set(['', 'comment', 'review'])

export interface ItemComments {
  readonly comments: ImportedComment[]
  /** "2 trashed comments left out", for the entry's notes; none when nothing was left out. */
  readonly note: string | null
}

/** The item's comments in file order; trashed ones and other plugins' notes are left out and counted. */
export function readComments(item: XmlNode): ItemComments {
  const kept: ImportedComment[] = []
  let trashed = 0
  let other = 0
  for (const node of list(item, 'wp:comment')) {
    const status = STATUS.get(text(node, 'wp:comment_approved').trim())
    const type = text(node, 'wp:comment_type').trim()
    if (!status) trashed += 1
    else if (!MENTION_TYPES.has(type) && !REPLY_TYPES.has(type)) other += 1
    else kept.push(commentOf(node, status, MENTION_TYPES.has(type) ? 'mention' : 'reply'))
  }
  const ids = new Set(kept.map((c) => c.sourceId))
  // A reply whose parent was left out stands alone rather than pointing at nothing.
  const comments = kept.map((c) => (ids.has(c.parentSourceId) ? c : { ...c, parentSourceId: '' }))
  const left = [
    trashed > 0 ? plural(trashed, 'trashed comment') : '',
    other > 0 ? `${plural(other, 'comment')} of other kinds (plugins' notes)` : '',
  ].filter(Boolean)
  return { comments, note: left.length > 0 ? `${left.join(' and ')} left out` : null }
}

function commentOf(
  node: XmlNode,
  status: ImportedCommentStatus,
  kind: ImportedComment['kind'],
): ImportedComment {
  const parent = text(node, 'wp:comment_parent').trim()
  const url = text(node, 'wp:comment_author_url').trim()
  return {
    sourceId: text(node, 'wp:comment_id').trim(),
    parentSourceId: parent === '0' ? '' : parent,
    kind,
    status,
    authorName: plainText(text(node, 'wp:comment_author')),
    authorUrl: isHttpUrl(url) ? url : '',
    html: text(node, 'wp:comment_content'),
    publishedAt: wordpressDate(text(node, 'wp:comment_date_gmt'), text(node, 'wp:comment_date')).date,
  }
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/

/**
 * A WordPress date: the GMT one when the export has it ("0000-00-00 00:00:00" for drafts), else
 * the local one read as UTC (`guessed`, for a note), else null.
 */
export function wordpressDate(gmt: string, local: string): { date: Date | null; guessed: boolean } {
  const exact = utcDate(gmt)
  if (exact) return { date: exact, guessed: false }
  const guess = utcDate(local)
  return { date: guess, guessed: guess !== null }
}

function utcDate(value: string): Date | null {
  const m = DATE_TIME.exec(value.trim())
  if (!m || m[1] === '0000') return null
  const time = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  )
  return Number.isNaN(time) ? null : new Date(time)
}
