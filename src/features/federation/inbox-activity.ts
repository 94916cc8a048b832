// Owns reading an incoming activity: its shape, the ids it refers to, and what the inbox answers about it.
import * as z from 'zod'
import type { Db } from '../../db/client.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import { PUBLIC_AUDIENCE } from './activities.ts'
import type { RemoteActor, RemoteActors } from './remote-actors.ts'

/** What a handler needs: the database, the site, the actors it may fetch, and the worker to wake. */
export interface InboxContext {
  readonly db: Db
  readonly siteUrl: string
  readonly actors: RemoteActors
  readonly now: Date
  /** Tells the delivery worker something was queued. */
  readonly wake: () => void
}

/** The inbox's answer: the status and one line of plain text for the sender's developers. */
export interface Outcome {
  readonly status: 202 | 400 | 502 | 503
  readonly message: string
}

export const accepted = (message = 'Accepted.'): Outcome => ({ status: 202, message })
export const malformed = (message: string): Outcome => ({ status: 400, message })
/** Their server did not give us what the activity needs; worth sending again later. */
export const actorUnavailable = (): Outcome => ({
  status: 502,
  message: 'The actor could not be fetched; try again later.',
})

/** An id, or an object (or Link) that has one; ActivityStreams allows either almost everywhere. */
export function idOf(value: unknown): string | undefined {
  const id = typeof value === 'string' ? value : (value as { id?: unknown } | null | undefined)?.id
  return typeof id === 'string' && isHttpUrl(id) ? id : undefined
}

/** An embedded object's type; undefined for a bare id. */
export function typeOf(value: unknown): string | undefined {
  const type = (value as { type?: unknown } | null | undefined)?.type
  return typeof type === 'string' ? type : undefined
}

/** Every id in a property that may hold one reference or a list of them (to, cc, attributedTo). */
export function idsIn(value: unknown): string[] {
  return [value].flat().flatMap((item) => {
    const id = idOf(item) ?? (typeof item === 'string' ? item : undefined)
    return id === undefined ? [] : [id]
  })
}

/** Whether an object is addressed to everyone; JSON-LD compaction may shorten the public address. */
export function isPublic(object: { to?: unknown; cc?: unknown }): boolean {
  const audience = [...idsIn(object.to), ...idsIn(object.cc)]
  return audience.some((id) => id === PUBLIC_AUDIENCE || id === 'as:Public' || id === 'Public')
}

// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
const activitySchema = z.lazy(() =>
  z.object({
    id: z.string().max(2048).refine(isHttpUrl).optional(),
    type: z.string().min(1).max(64),
    actor: z.unknown().transform(idOf).pipe(z.string()),
    object: z.unknown(),
  }),
)

export type Activity = z.infer<typeof activitySchema>

/** The fields every activity the inbox reads must have; undefined when it lacks them. */
export function readActivity(json: unknown): Activity | undefined {
  const parsed = activitySchema.safeParse(json)
  return parsed.success ? parsed.data : undefined
}

/** How a remote author is named under a post: their display name, else @user@host, else their id. */
export function authorNameOf(actor: RemoteActor): string {
  return actor.name || handleOf(actor) || actor.id
}

/** `@alice@example.social`, as people write it; '' when the actor gives no username. */
export function handleOf(actor: RemoteActor): string {
  return actor.preferredUsername ? `@${actor.preferredUsername}@${new URL(actor.id).host}` : ''
}
