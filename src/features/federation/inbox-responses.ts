// Owns turning the fediverse's replies, likes and boosts of the blog's posts into responses waiting for the author.
import { and, eq } from 'drizzle-orm'
import * as z from 'zod'
import type { Db } from '../../db/client.ts'
import { posts, responses } from '../../db/schema.ts'
import { BusyError } from '../../lib/semaphore.ts'
import { absoluteUrl, isHttpUrl, isSameOrigin, postObjectUrl } from '../../lib/urls.ts'
import { WorkerLimitError } from '../../lib/worker-threads.ts'
import { scoreWriting } from '../contact/spam.ts'
import { isPublicPost } from '../content/visibility.ts'
import { removeActorResponses, saveReceivedResponse } from '../responses/store.ts'
import { findTargetPost } from '../webmention/receive.ts'
import {
  type Activity,
  accepted,
  actorUnavailable,
  authorNameOf,
  type InboxContext,
  idOf,
  idsIn,
  isPublic,
  malformed,
  type Outcome,
} from './inbox-activity.ts'
import type { NoteResult } from './note-worker.ts'
import { readNoteOffThread } from './read-note.ts'

/** Kinds of object a reply can be: Mastodon sends Notes; blogs on the fediverse send Articles. */
const REPLY_TYPES = new Set(['Note', 'Article'])

/**
 * Mastodon stops a toot at 500 characters and a long blog reply is a few kilobytes of HTML; past
 * this, reading it costs the server more than any reply is worth.
 */
export const NOTE_CONTENT_LIMIT = 65_536
const TOO_LONG = 'The reply is too long: its content may be 64 KB at most.'
const longerThanLimit = (value: string | undefined) =>
  value !== undefined && value.length > NOTE_CONTENT_LIMIT

// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
const noteSchema = z.lazy(() =>
  z
    .object({
      id: z.string().max(2048).refine(isHttpUrl),
      type: z.string(),
      attributedTo: z.unknown(),
      inReplyTo: z.unknown(),
      content: z.string().optional().catch(undefined),
      contentMap: z.record(z.string(), z.string()).optional().catch(undefined),
      published: z.string().optional().catch(undefined),
      to: z.unknown(),
      cc: z.unknown(),
    })
    // An issue of its own, not a .max() that .catch() would turn into a reply with no words.
    .refine(
      (note) => !longerThanLimit(note.content) && !Object.values(note.contentMap ?? {}).some(longerThanLimit),
      { message: TOO_LONG },
    ),
)

const OBJECT_PATH = /\/ap\/posts\/([1-9]\d{0,15})(?:\/([1-9]\d{0,15}))?$/

/**
 * The public post `objectId` names, by its object id (/ap/posts/:id, of any generation: a reply
 * to the one before a re-publish still answers the post) or its page (/posts/:slug).
 */
export function postForObject(db: Db, siteUrl: string, objectId: string, now: Date): number | undefined {
  const match = OBJECT_PATH.exec(objectId)
  const id = Number(match?.[1])
  const generation = Number(match?.[2] ?? 0)
  if (match && absoluteUrl(siteUrl, postObjectUrl(id, generation)) === objectId) {
    return db
      .select({ id: posts.id })
      .from(posts)
      .where(and(eq(posts.id, id), isPublicPost(now)))
      .get()?.id
  }
  return findTargetPost(db, siteUrl, objectId, now)
}

/** What a reply answers: one of the posts ('' in inReplyTo), or a response under one (a thread). */
function replyTarget(ctx: InboxContext, objectId: string): { postId: number; inReplyTo: string } | undefined {
  const postId = postForObject(ctx.db, ctx.siteUrl, objectId, ctx.now)
  if (postId !== undefined) return { postId, inReplyTo: '' }
  const parent = ctx.db
    .select({ postId: responses.postId })
    .from(responses)
    .where(eq(responses.sourceUrl, objectId))
    .get()
  if (parent === undefined) return undefined
  const publicPost = ctx.db
    .select({ id: posts.id })
    .from(posts)
    .where(and(eq(posts.id, parent.postId), isPublicPost(ctx.now)))
    .get()
  return publicPost && { postId: parent.postId, inReplyTo: objectId }
}

/** Whether another actor already owns a response at `sourceUrl`: only the sender may change its own. */
function ownedByAnother(db: Db, sourceUrl: string, actorId: string): boolean {
  return db
    .select({ actorId: responses.actorId })
    .from(responses)
    .where(eq(responses.sourceUrl, sourceUrl))
    .all()
    .some((row) => row.actorId !== actorId)
}

/** A date the sender gives, unless it is not one or lies in the future. */
function publishedAt(value: string | undefined, now: Date): Date | null {
  const time = value === undefined ? Number.NaN : Date.parse(value)
  return Number.isNaN(time) || time > now.getTime() ? null : new Date(time)
}

/**
 * The reply's HTML made safe, and its words for spam scoring, read on a worker thread: a stranger
 * chooses the HTML, and its nesting can cost seconds of parsing the readers would wait through.
 */
async function readReply(html: string, noteId: string): Promise<NoteResult | Outcome> {
  try {
    return await readNoteOffThread({ html, noteId })
  } catch (err) {
    // The same HTML would be as costly again: a refusal, not a retry.
    if (err instanceof WorkerLimitError) return malformed("The reply's HTML is too complex to read.")
    if (err instanceof BusyError) {
      return { status: 503, message: 'Too many replies are being read at once; try again later.' }
    }
    // A thread that would not start is Folio's fault: a 500, which the sender tries again.
    throw err
  }
}

/**
 * Create or Update of a Note: stored when it replies, in public, to a post or to a response under
 * one. An Update re-saves it, which sends an approved reply whose words changed back to the author.
 */
export async function receiveNote(ctx: InboxContext, activity: Activity): Promise<Outcome> {
  const parsed = noteSchema.safeParse(activity.object)
  if (parsed.error?.issues.some((issue) => issue.message === TOO_LONG)) return malformed(TOO_LONG)
  if (!parsed.success || !REPLY_TYPES.has(parsed.data.type)) return accepted('Ignored: not a Note.')
  const note = parsed.data
  const repliesTo = idOf(note.inReplyTo)
  const target = repliesTo === undefined ? undefined : replyTarget(ctx, repliesTo)
  if (!target) return accepted('Ignored: it does not reply to this blog.')
  const authors = idsIn(note.attributedTo)
  if (!isSameOrigin(note.id, activity.actor) || (authors.length > 0 && !authors.includes(activity.actor))) {
    return malformed('The Note must be attributed to the actor and live on its server.')
  }
  if (!isPublic(note)) return accepted('Ignored: only public replies are shown under posts.')
  if (ownedByAnother(ctx.db, note.id, activity.actor))
    return accepted('Ignored: another actor sent this Note.')
  const read = await readReply(note.content ?? Object.values(note.contentMap ?? {})[0] ?? '', note.id)
  if ('status' in read) return read
  const { contentHtml, words } = read
  const actor = await ctx.actors.fetchActor(activity.actor)
  if (!actor) return actorUnavailable()
  const authorName = authorNameOf(actor)
  saveReceivedResponse(
    ctx.db,
    {
      ...target,
      source: 'activitypub',
      sourceUrl: note.id,
      kind: 'reply',
      authorName,
      authorUrl: actor.url,
      actorId: actor.id,
      contentHtml,
      publishedAt: publishedAt(note.published, ctx.now),
      spam: scoreWriting({ name: authorName, subject: '', body: words }),
    },
    ctx.now,
  )
  return accepted()
}

/** A Like or Announce (boost) of one of the posts; its id is the response's, for the Undo. */
export async function receiveReaction(
  ctx: InboxContext,
  activity: Activity,
  kind: 'like' | 'repost',
): Promise<Outcome> {
  const objectId = idOf(activity.object)
  const postId = objectId === undefined ? undefined : postForObject(ctx.db, ctx.siteUrl, objectId, ctx.now)
  if (postId === undefined) return accepted('Ignored: it is not about a post of this blog.')
  if (activity.id === undefined || !isSameOrigin(activity.id, activity.actor)) {
    return malformed(`A ${activity.type} needs an id on its actor's server.`)
  }
  if (ownedByAnother(ctx.db, activity.id, activity.actor))
    return accepted('Ignored: another actor sent this.')
  const actor = await ctx.actors.fetchActor(activity.actor)
  if (!actor) return actorUnavailable()
  const authorName = authorNameOf(actor)
  saveReceivedResponse(
    ctx.db,
    {
      postId,
      source: 'activitypub',
      sourceUrl: activity.id,
      kind,
      authorName,
      authorUrl: actor.url,
      actorId: actor.id,
      contentHtml: '',
      publishedAt: null,
      spam: scoreWriting({ name: authorName, subject: '', body: '' }),
    },
    ctx.now,
  )
  return accepted()
}

/** Delete of a Note, or Undo of a Like or Announce: the sender's own response with that id goes. */
export function withdrawResponse(ctx: InboxContext, activity: Activity, objectId: string): Outcome {
  const removed = removeActorResponses(ctx.db, objectId, activity.actor)
  return accepted(removed > 0 ? 'Removed.' : 'Ignored: nothing of yours by that id.')
}
