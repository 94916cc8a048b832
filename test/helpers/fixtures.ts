// Owns creating exactly the content a test needs, through the same services the admin uses.
import sharp from 'sharp'
import type { Db } from '../../src/db/client.ts'
import { type Response, responses } from '../../src/db/schema.ts'
import { type PageInput, savePage } from '../../src/features/content/pages.ts'
import { type PostInput, savePost } from '../../src/features/content/posts.ts'
import { loadMarkdownPipeline } from '../../src/lib/markdown-here.ts'

// Tests save posts, pages and settings through the same functions the CLI uses, which render on this thread.
await loadMarkdownPipeline()

const DAY = 24 * 60 * 60 * 1000
let counter = 0

/** A published article unless told otherwise; dates default to `daysAgo` before now. */
export function createPost(
  db: Db,
  input: Partial<PostInput> & { daysAgo?: number } = {},
): { id: number; slug: string } {
  counter += 1
  const { daysAgo = counter, ...rest } = input
  const post: PostInput = {
    title: `Post number ${counter}`,
    kind: 'article',
    bodyMd: `First paragraph of post ${counter}.\n\nSecond paragraph with more detail.`,
    status: 'published',
    publishedAt: new Date(Date.now() - daysAgo * DAY),
    ...rest,
  }
  const id = savePost(db, post)
  const row = db.$client.prepare('select slug from posts where id = ?').get(id) as { slug: string }
  return { id, slug: row.slug }
}

export function createPage(db: Db, input: Partial<PageInput> = {}): number {
  return savePage(db, {
    title: 'About',
    bodyMd: 'I make websites.',
    status: 'published',
    navOrder: 1,
    ...input,
  })
}

export { DAY }

/** A date `ms` milliseconds from now (negative: in the past). */
export const fromNow = (ms: number): Date => new Date(Date.now() + ms)

/** Posts published one day apart, newest first by index, returning their slugs in the same order. */
export function createPosts(
  db: Db,
  count: number,
  input: Partial<PostInput> = {},
): { id: number; slug: string }[] {
  return Array.from({ length: count }, (_, i) =>
    createPost(db, { title: `Listed post ${i + 1}`, ...input, daysAgo: i + 1 }),
  )
}

let responseCounter = 0

/** A response as a receiver stores it: a pending reply from example.net, one minute after the last, unless told otherwise. */
export function createResponse(
  db: Db,
  postId: number,
  input: Partial<typeof responses.$inferInsert> = {},
): Response {
  responseCounter += 1
  const receivedAt = input.receivedAt ?? new Date(Date.UTC(2026, 0, 1, 12, responseCounter))
  return db
    .insert(responses)
    .values({
      postId,
      source: 'webmention',
      sourceUrl: `https://example.net/notes/${responseCounter}`,
      kind: 'reply',
      authorName: `Reader ${responseCounter}`,
      authorUrl: 'https://example.net/',
      contentHtml: `<p>Reply number ${responseCounter}.</p>`,
      receivedAt,
      updatedAt: receivedAt,
      ...input,
    })
    .returning()
    .get()
}

/** A plain test picture in `format`, made on the spot so no binary lives in the repository. */
export function testImage(
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif',
  width = 1000,
  height = 600,
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 200 } } })
    .toFormat(format)
    .toBuffer()
}
