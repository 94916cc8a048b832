// Owns newsletter issues: which posts are due to be emailed, queueing an issue with one outbox copy per confirmed subscriber (one transaction), and what the editor says about it.
import { and, count, eq, isNull, notExists, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { newsletterIssues, outbox, posts, subscribers } from '../../db/schema.ts'
import { isPublicPost } from '../content/visibility.ts'
import type { ComposedIssue } from './compose.ts'

/** Posts looked at per pass; the next pass takes the rest (the author rarely publishes more than one at once). */
const DUE_PER_PASS = 5

/**
 * Posts ticked "Email this post" that are public at `now` and were never emailed, oldest first.
 * A scheduled post comes due the moment it goes live; one published before the tick existed was
 * never ticked, so it is never sent.
 */
export function postsDueForNewsletter(db: Db, now: Date, limit = DUE_PER_PASS): number[] {
  return db
    .select({ id: posts.id })
    .from(posts)
    .where(
      and(
        eq(posts.sendNewsletter, true),
        isPublicPost(now),
        notExists(
          db.select({ one: sql`1` }).from(newsletterIssues).where(eq(newsletterIssues.postId, posts.id)),
        ),
      ),
    )
    .orderBy(posts.publishedAt, posts.id)
    .limit(limit)
    .all()
    .map((row) => row.id)
}

export interface QueuedIssue {
  readonly issueId: number
  readonly recipients: number
}

/**
 * Stores the issue and a copy for every confirmed subscriber in ONE transaction, so the issue
 * exists exactly when its copies do: a crash before the commit leaves the post due (composed
 * again next time), after it every copy goes. The unique post id makes a second call a no-op
 * (undefined), as does a post that is no longer ticked or public by now.
 */
export function queueIssue(
  db: Db,
  postId: number,
  issue: ComposedIssue,
  site: { readonly siteUrl: string },
  now: Date,
): QueuedIssue | undefined {
  const host = new URL(site.siteUrl).hostname
  return db.transaction((tx) => {
    const still = tx
      .select({ id: posts.id })
      .from(posts)
      .where(and(eq(posts.id, postId), eq(posts.sendNewsletter, true), isPublicPost(now)))
      .get()
    if (!still) return undefined
    const created = tx
      .insert(newsletterIssues)
      .values({ postId, subject: issue.subject, html: issue.html, text: issue.text, createdAt: now })
      .onConflictDoNothing({ target: newsletterIssues.postId })
      .returning({ id: newsletterIssues.id })
      .get()
    if (!created) return undefined
    // One statement for any number of subscribers. The text and HTML are the issue's, made per copy
    // at send time; the Message-ID is fixed now, so a copy sent twice (a crash after the server's
    // "250 OK") is folded into one by mail clients.
    const recipients = tx.run(sql`
      insert into ${outbox} (kind, "to", subject, text, next_attempt_at, created_at, header_message_id, issue_id, subscriber_id)
      select 'newsletter', ${subscribers.email}, ${issue.subject}, '', ${now.getTime()}, ${now.getTime()},
             ${`<issue-${created.id}.`} || ${subscribers.id} || ${`@${host}>`},
             ${created.id}, ${subscribers.id}
      from ${subscribers}
      where ${subscribers.status} = 'confirmed'
      order by ${subscribers.id}
    `).changes
    tx.update(newsletterIssues).set({ recipients }).where(eq(newsletterIssues.id, created.id)).run()
    return { issueId: created.id, recipients }
  })
}

/** An issue's HTML and text as every copy starts from; undefined when it is gone. */
export function findIssueContent(db: Db, issueId: number): { html: string; text: string } | undefined {
  return db
    .select({ html: newsletterIssues.html, text: newsletterIssues.text })
    .from(newsletterIssues)
    .where(eq(newsletterIssues.id, issueId))
    .get()
}

export interface IssueProgress {
  readonly createdAt: Date
  /** Confirmed subscribers it was queued for. */
  readonly recipients: number
  /** Copies done: sent, or skipped because the reader left before theirs went. */
  readonly done: number
}

/** Whether the post was emailed (or is being), and how far along; undefined when never. */
export function findIssueForPost(db: Db, postId: number): IssueProgress | undefined {
  const issue = db
    .select({
      id: newsletterIssues.id,
      createdAt: newsletterIssues.createdAt,
      recipients: newsletterIssues.recipients,
    })
    .from(newsletterIssues)
    .where(eq(newsletterIssues.postId, postId))
    .get()
  if (!issue) return undefined
  // Counted from what is still waiting: a copy sent to someone deleted for good since is erased
  // (manage.ts), and must not make the issue look unfinished.
  const waiting =
    db
      .select({ n: count() })
      .from(outbox)
      .where(and(eq(outbox.issueId, issue.id), isNull(outbox.sentAt)))
      .get()?.n ?? 0
  return {
    createdAt: issue.createdAt,
    recipients: issue.recipients,
    done: Math.max(0, issue.recipients - waiting),
  }
}

/** The editor's tick, stored beside the post (autosave never touches it). */
export function setSendNewsletter(db: Db, postId: number, send: boolean): void {
  db.update(posts).set({ sendNewsletter: send }).where(eq(posts.id, postId)).run()
}

/** Whether the post is ticked to be emailed. */
export function sendsNewsletter(db: Db, postId: number): boolean {
  return (
    db.select({ send: posts.sendNewsletter }).from(posts).where(eq(posts.id, postId)).get()?.send ?? false
  )
}
