// Owns reading which tags a post carries: one query for a whole list of posts, never one per post.
import { asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { postTags, tags } from '../../db/schema.ts'

export interface TagRef {
  readonly slug: string
  readonly name: string
}

/** Each post's tags, by name; a post with none is absent from the map. */
export function tagsByPost(db: Db, postIds: readonly number[]): Map<number, TagRef[]> {
  const result = new Map<number, TagRef[]>()
  if (postIds.length === 0) return result
  const rows = db
    .select({ postId: postTags.postId, slug: tags.slug, name: tags.name })
    .from(postTags)
    .innerJoin(tags, eq(tags.id, postTags.tagId))
    .where(inArray(postTags.postId, [...postIds]))
    .orderBy(asc(tags.name))
    .all()
  for (const row of rows) {
    const list = result.get(row.postId) ?? []
    list.push({ slug: row.slug, name: row.name })
    result.set(row.postId, list)
  }
  return result
}

/** One post's tag names, as the editor and the export write them. */
export const tagNamesOf = (db: Db, postId: number): string[] =>
  (tagsByPost(db, [postId]).get(postId) ?? []).map((t) => t.name)
