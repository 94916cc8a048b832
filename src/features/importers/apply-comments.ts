// Owns bringing an old blog's comments in as responses under their post: threaded, with the status they had, their words sanitised like any other site's.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type ResponseStatus, responses } from '../../db/schema.ts'
import { htmlToText } from '../../lib/markdown.ts'
import { sanitizeRemoteHtml } from '../../lib/remote-html.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import { MAX_NAME_CHARS } from '../webmention/parse.ts'
import { findImported, recordImported } from './apply-items.ts'
import { autop } from './convert-wordpress.ts'
import type { ImportedComment } from './model.ts'
import { count, countProblem, type ImportReport, type PageComment } from './report.ts'

const STATUS: Record<ImportedComment['status'], ResponseStatus> = {
  approved: 'approved',
  pending: 'pending',
  spam: 'spam',
}

/** The comment's words, made safe like any other site's: WordPress stored text whose blank lines are paragraphs. */
const safeHtmlOf = (comment: ImportedComment, permalink: string): string =>
  sanitizeRemoteHtml(autop(comment.html), permalink)

const authorNameOf = (comment: ImportedComment): string =>
  Array.from(comment.authorName.trim()).slice(0, MAX_NAME_CHARS).join('')

const authorUrlOf = (comment: ImportedComment): string =>
  isHttpUrl(comment.authorUrl) ? comment.authorUrl : ''

/**
 * Comments on a page, which Folio does not show, as the report keeps them: who, when, and their
 * words as plain text, a blank line between paragraphs.
 */
export function pageCommentsOf(
  page: string,
  permalink: string,
  comments: readonly ImportedComment[],
): PageComment[] {
  return comments.map((comment) => ({
    page,
    author: authorNameOf(comment),
    authorUrl: authorUrlOf(comment),
    date: comment.publishedAt?.toISOString() ?? null,
    status: comment.status,
    text: safeHtmlOf(comment, permalink).split(/<\/p>/i).map(htmlToText).filter(Boolean).join('\n\n'),
  }))
}

/** The address a comment had on the old site: it keys the response and links a reply to its parent. */
export const commentUrl = (permalink: string, commentId: string): string =>
  `${permalink}#comment-${encodeURIComponent(commentId)}`

export interface CommentTarget {
  readonly source: string
  readonly title: string
  /** The post they answer; undefined in a dry run for a post not created yet. */
  readonly postId: number | undefined
  /** The entry's absolute address on the old site. */
  readonly permalink: string
  readonly dryRun: boolean
  readonly now: Date
}

/**
 * Stores each comment not imported before as a response (source `import`). A reply names its
 * parent's old address, as a Webmention reply names the page it answers, so the post shows the
 * thread. Counted in `report`; within the caller's transaction.
 */
export function writeComments(
  db: Db,
  report: ImportReport,
  target: CommentTarget,
  comments: readonly ImportedComment[],
): void {
  for (const comment of comments) {
    if (findImported(db, target.source, 'comment', comment.sourceId) !== undefined) {
      count(report, 'comments', 'unchanged')
      continue
    }
    const contentHtml = safeHtmlOf(comment, target.permalink)
    if (comment.kind === 'reply' && !contentHtml) {
      countProblem(report, 'comments', 'skipped', {
        title: `${target.title}, comment ${comment.sourceId}`,
        reason: 'it has no words left once sanitised',
      })
      continue
    }
    count(report, 'comments', 'imported')
    if (target.dryRun || target.postId === undefined) continue
    const sourceUrl = commentUrl(target.permalink, comment.sourceId)
    const values = {
      postId: target.postId,
      source: 'import' as const,
      sourceUrl,
      kind: comment.kind,
      status: STATUS[comment.status],
      authorName: authorNameOf(comment),
      authorUrl: authorUrlOf(comment),
      inReplyTo: comment.parentSourceId ? commentUrl(target.permalink, comment.parentSourceId) : '',
      contentHtml,
      publishedAt: comment.publishedAt,
      // Threads show oldest first by arrival: an old comment arrives when it was written.
      receivedAt: comment.publishedAt ?? target.now,
      updatedAt: target.now,
    }
    const id =
      db.insert(responses).values(values).onConflictDoNothing().returning({ id: responses.id }).get()?.id ??
      existingResponse(db, sourceUrl, target.postId)
    recordImported(
      db,
      { source: target.source, kind: 'comment', sourceId: comment.sourceId, targetId: id },
      target.now,
    )
  }
}

function existingResponse(db: Db, sourceUrl: string, postId: number): number {
  const row = db
    .select({ id: responses.id })
    .from(responses)
    .where(and(eq(responses.sourceUrl, sourceUrl), eq(responses.postId, postId)))
    .get()
  if (!row) throw new Error(`A response for ${sourceUrl} was neither stored nor found`)
  return row.id
}
