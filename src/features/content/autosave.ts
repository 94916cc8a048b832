// Owns a post's version and its autosave slot: what the editor keeps while the author types, and a save that refuses to overwrite a newer version.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { postAutosaves, posts } from '../../db/schema.ts'
import { type PostHtml, type PostInput, savePost } from './posts.ts'
import { savePostWithRevision } from './revisions.ts'

/** The editor's fields as the author typed them, by form field name. */
export type AutosavedFields = Readonly<Record<string, string>>

export interface Autosave {
  readonly postId: number
  readonly fields: AutosavedFields
  /** The post's version the typed text started from. */
  readonly baseVersion: number
  readonly savedAt: Date
}

export interface PostVersion {
  readonly version: number
  readonly updatedAt: Date
}

/** A save based on `baseVersion` when the post is already at a later one: another tab or window saved. */
export class VersionConflictError extends Error {
  constructor(readonly current: PostVersion) {
    super('The post was saved elsewhere since this version was loaded.')
    this.name = 'VersionConflictError'
  }
}

/** A version as a form sends it: a positive whole number, or undefined. */
export const readVersion = (value: unknown): number | undefined =>
  typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : undefined

export function findPostVersion(db: Db, postId: number): PostVersion | undefined {
  return db
    .select({ version: posts.version, updatedAt: posts.updatedAt })
    .from(posts)
    .where(eq(posts.id, postId))
    .get()
}

export function findAutosave(db: Db, postId: number): Autosave | undefined {
  const row = db.select().from(postAutosaves).where(eq(postAutosaves.postId, postId)).get()
  if (!row) return undefined
  return { ...row, fields: parseFields(row.fields) }
}

/** Stored fields, read defensively: anything that is not a string value is left out. */
function parseFields(json: string): AutosavedFields {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return {}
  }
  if (!parsed || typeof parsed !== 'object') return {}
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  )
}

function putAutosave(db: Db, postId: number, fields: AutosavedFields, baseVersion: number, now: Date): void {
  const values = { fields: JSON.stringify(fields), baseVersion, savedAt: now }
  db.insert(postAutosaves)
    .values({ postId, ...values })
    .onConflictDoUpdate({ target: postAutosaves.postId, set: values })
    .run()
}

export type AutosaveResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' }
  | { readonly ok: false; readonly reason: 'conflict'; readonly current: PostVersion }

/**
 * Keeps the typed fields in the post's slot, touching neither the post nor its revisions. Text
 * based on an older version than the post's is refused: another tab saved since.
 */
export function writeAutosave(
  db: Db,
  postId: number,
  fields: AutosavedFields,
  baseVersion: number,
  now: Date,
): AutosaveResult {
  return db.transaction((): AutosaveResult => {
    const current = findPostVersion(db, postId)
    if (!current) return { ok: false, reason: 'missing' }
    if (current.version !== baseVersion) return { ok: false, reason: 'conflict', current }
    putAutosave(db, postId, fields, baseVersion, now)
    return { ok: true }
  })
}

/**
 * A new post's first autosave: the draft row (no revision: nothing was saved by the author yet)
 * and the slot with the fields exactly as typed, in one transaction.
 */
export function createAutosavedDraft(
  db: Db,
  input: PostInput,
  fields: AutosavedFields,
  options: { now: Date; html: PostHtml },
): number {
  return db.transaction(() => {
    const id = savePost(db, { ...input, status: 'draft' }, options)
    const created = findPostVersion(db, id)
    putAutosave(db, id, fields, created?.version ?? 1, options.now)
    return id
  })
}

export function discardAutosave(db: Db, postId: number): void {
  db.delete(postAutosaves).where(eq(postAutosaves.postId, postId)).run()
}

/**
 * A save from the editor (any button, and restoring a revision): with its revision, the version
 * moved on and the autosave slot cleared, in one transaction. With `baseVersion`, a post that is
 * already past it is not overwritten: VersionConflictError says when it changed.
 */
export function saveEditedPost(
  db: Db,
  input: PostInput,
  options: { id?: number | undefined; now: Date; html?: PostHtml; baseVersion?: number | undefined },
): number {
  const { baseVersion, ...save } = options
  return db.transaction(() => {
    if (save.id !== undefined && baseVersion !== undefined) {
      const current = findPostVersion(db, save.id)
      if (current && current.version !== baseVersion) throw new VersionConflictError(current)
    }
    const id = savePostWithRevision(db, input, save)
    if (save.id !== undefined)
      db.update(posts)
        .set({ version: sql`${posts.version} + 1` })
        .where(eq(posts.id, id))
        .run()
    discardAutosave(db, id)
    return id
  })
}
