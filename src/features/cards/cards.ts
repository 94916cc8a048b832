// Owns a post's social card: what it shows, its hash and URL, and its copy on disk (drawn once, a few at a time).
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { posts } from '../../db/schema.ts'
import { writeFileAtomically } from '../../lib/durable-files.ts'
import { createSemaphore } from '../../lib/semaphore.ts'
import { CARD_HASH_LENGTH, cardUrl } from '../../lib/urls.ts'
import type { MetaImage } from '../../plugins/site.ts'
import { isPublicPost } from '../content/visibility.ts'
import type { Settings } from '../settings/service.ts'
import { CARD_HEIGHT, CARD_WIDTH, type CardText, drawCard } from './draw.ts'

/** Bumped when the drawing changes, so every card gets a new URL and no cache keeps the old look. */
const DESIGN = 1

/**
 * Inside MEDIA_DIR, so it lives on the same volume; a dot folder, because it is a cache: backups,
 * exports and the /media/ route skip dot names, and every card can be drawn again.
 */
export const CARDS_FOLDER = '.cards'

/**
 * Drawing takes libvips threads and a few megabytes: a crawler asking for every post's card at
 * once gets two drawn at a time and a short queue; past that, "busy" (BusyError) until it slows.
 */
const drawing = createSemaphore(2, 32)

export interface CardPost {
  readonly id: number
  readonly slug: string
  readonly title: string
}

export const cardTextOf = (post: Pick<CardPost, 'title'>, site: Settings): CardText => ({
  title: post.title,
  siteName: site.title,
  author: site.authorName,
})

/** A short hash of everything the card shows: a new title, site name or author is a new card. */
export function cardHash(text: CardText): string {
  return createHash('sha256')
    .update(JSON.stringify([DESIGN, text.title, text.siteName, text.author]))
    .digest('hex')
    .slice(0, CARD_HASH_LENGTH)
}

/** The card as the page's <head> names it (a root-relative URL); a feature image, when set, takes its place. */
export function postCardImage(post: Pick<CardPost, 'slug' | 'title'>, site: Settings): MetaImage {
  return {
    url: cardUrl(post.slug, cardHash(cardTextOf(post, site))),
    width: CARD_WIDTH,
    height: CARD_HEIGHT,
    alt: `${post.title}, by ${site.authorName} on ${site.title}`,
  }
}

/** The post a visitor may see under `slug`, with just what its card needs. */
export function findPublicCardPost(db: Db, slug: string, now: Date): CardPost | undefined {
  return db
    .select({ id: posts.id, slug: posts.slug, title: posts.title })
    .from(posts)
    .where(and(eq(posts.slug, slug), isPublicPost(now)))
    .get()
}

export interface CardStoreOptions {
  /** Replaceable so tests can count drawings. */
  readonly draw?: (text: CardText) => Promise<Buffer>
  /** Told when a drawn card could not be kept on disk; the card is still served. */
  readonly onKeepFailed?: (err: unknown) => void
}

export interface CardStore {
  /** The card's PNG: from disk, or drawn (and written) once however many requests ask at the same time. */
  png(postId: number, text: CardText): Promise<Buffer>
}

/** Cards under MEDIA_DIR, one file per post and hash. */
export function createCardStore(mediaDir: string, options: CardStoreOptions = {}): CardStore {
  const { draw = drawCard, onKeepFailed } = options
  const dir = join(mediaDir, CARDS_FOLDER)
  const pending = new Map<string, Promise<Buffer>>()

  async function drawAndKeep(postId: number, name: string, text: CardText): Promise<Buffer> {
    const png = await drawing.run(() => draw(text))
    try {
      await mkdir(dir, { recursive: true })
      // No folder fsync: a card lost to a crash is simply drawn again.
      await writeFileAtomically(dir, name, png)
      await removeOlderCards(dir, postId, name)
    } catch (err) {
      onKeepFailed?.(err)
    }
    return png
  }

  return {
    async png(postId, text) {
      const name = `${postId}-${cardHash(text)}.png`
      // Not there yet, or the folder cannot be read: either way the card is drawn (and kept if it can be).
      const kept = await readFile(join(dir, name)).catch(() => undefined)
      if (kept) return kept
      let drawn = pending.get(name)
      if (!drawn) {
        drawn = drawAndKeep(postId, name, text).finally(() => pending.delete(name))
        pending.set(name, drawn)
      }
      return drawn
    },
  }
}

/** A post's cards for an older title (or site name) are never asked for again. */
async function removeOlderCards(dir: string, postId: number, current: string): Promise<void> {
  const prefix = `${postId}-`
  for (const name of await readdir(dir)) {
    if (name !== current && name.startsWith(prefix) && name.endsWith('.png')) {
      await unlink(join(dir, name)).catch(() => {})
    }
  }
}

/** A deleted post's cards: nothing links to them any more. Best effort; a card left behind costs only disk. */
export async function removePostCards(mediaDir: string, postId: number): Promise<void> {
  const dir = join(mediaDir, CARDS_FOLDER)
  const names = await readdir(dir).catch(() => [] as string[])
  await Promise.all(
    names
      .filter((name) => name.startsWith(`${postId}-`) && name.endsWith('.png'))
      .map((name) => unlink(join(dir, name)).catch(() => {})),
  )
}
