// Owns what makes an import safe to repeat: the record of what each import brought in, and whether an entry is already here.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type ImportedKind, importedItems, pages, posts } from '../../db/schema.ts'

/** What an earlier import made of this item, if any: the Folio id, and when. */
function findImportedItem(db: Db, source: string, kind: ImportedKind, sourceId: string) {
  return db
    .select({ targetId: importedItems.targetId, importedAt: importedItems.importedAt })
    .from(importedItems)
    .where(
      and(
        eq(importedItems.source, source),
        eq(importedItems.kind, kind),
        eq(importedItems.sourceId, sourceId),
      ),
    )
    .get()
}

/** The Folio id an earlier import made of this item, if any. */
export const findImported = (
  db: Db,
  source: string,
  kind: ImportedKind,
  sourceId: string,
): number | undefined => findImportedItem(db, source, kind, sourceId)?.targetId

export function recordImported(
  db: Db,
  item: { source: string; kind: ImportedKind; sourceId: string; targetId: number },
  now: Date,
): void {
  db.insert(importedItems)
    .values({ ...item, importedAt: now })
    .onConflictDoUpdate({
      target: [importedItems.source, importedItems.kind, importedItems.sourceId],
      set: { targetId: item.targetId, importedAt: now },
    })
    .run()
}

/**
 * What to do with an entry: `unchanged` when an import brought it in before, at `importedAt`
 * (`targetId` is gone when the author has deleted it since: it is not brought back); `matched` when a post or page
 * with its slug, title and date is already here (imported some other way, or from the same blog
 * under another address); otherwise `create`.
 */
export type Decision =
  | { readonly action: 'unchanged'; readonly targetId: number | undefined; readonly importedAt: Date }
  | { readonly action: 'matched'; readonly targetId: number }
  | { readonly action: 'create' }

export function decide(
  db: Db,
  source: string,
  entry: { kind: 'post' | 'page'; sourceId: string; publishedAt: Date | null },
  wanted: { title: string; slug: string },
): Decision {
  const imported = findImportedItem(db, source, entry.kind, entry.sourceId)
  if (imported)
    return {
      action: 'unchanged',
      targetId: existingId(db, entry.kind, imported.targetId),
      importedAt: imported.importedAt,
    }
  if (entry.kind === 'page') {
    const page = db
      .select({ id: pages.id, title: pages.title })
      .from(pages)
      .where(eq(pages.slug, wanted.slug))
      .get()
    return page && page.title === wanted.title
      ? { action: 'matched', targetId: page.id }
      : { action: 'create' }
  }
  const post = db
    .select({ id: posts.id, title: posts.title, publishedAt: posts.publishedAt })
    .from(posts)
    .where(eq(posts.slug, wanted.slug))
    .get()
  const sameDate = post && (post.publishedAt?.getTime() ?? null) === (entry.publishedAt?.getTime() ?? null)
  return post && sameDate && post.title === wanted.title
    ? { action: 'matched', targetId: post.id }
    : { action: 'create' }
}

function existingId(db: Db, kind: 'post' | 'page', id: number): number | undefined {
  const table = kind === 'post' ? posts : pages
  return db.select({ id: table.id }).from(table).where(eq(table.id, id)).get()?.id
}
