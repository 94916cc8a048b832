// Owns standing in for another website in Webmention tests: a loopback server serving the pages a test defines, pages written with microformats2, and sending a mention.
import { createServer } from 'node:http'
import type { TestContext } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Db } from '../../src/db/client.ts'
import { encodeForm } from './admin.ts'
import { listenOnLoopback } from './loopback.ts'

export interface SourcePage {
  readonly status?: number
  readonly body?: string
  /** text/html; charset=utf-8 unless given. */
  readonly contentType?: string
  /** Waits this long before answering: a slow site. */
  readonly delayMs?: number
}

export interface MentionSource {
  /** http://127.0.0.1:port, no trailing slash. */
  readonly origin: string
  url(path: string): string
  /** Serves `page` at `path` from now on (a string is an HTML body with status 200). */
  serve(path: string, page: SourcePage | string): void
  /** Every path requested so far, in order. */
  readonly requests: string[]
}

/** A site on a loopback port; unknown paths answer 404. Closed when the test ends. */
export async function startMentionSource(t: TestContext): Promise<MentionSource> {
  const pages = new Map<string, SourcePage>()
  const requests: string[] = []
  const server = createServer((request, response) => {
    const path = request.url ?? '/'
    requests.push(path)
    const page = pages.get(path) ?? { status: 404, body: 'Not found', contentType: 'text/plain' }
    setTimeout(() => {
      response.writeHead(page.status ?? 200, {
        'content-type': page.contentType ?? 'text/html; charset=utf-8',
      })
      response.end(page.body ?? '')
    }, page.delayMs ?? 0)
  })
  const origin = await listenOnLoopback(t, server)
  return {
    origin,
    url: (path) => `${origin}${path}`,
    serve(path, page) {
      pages.set(path, typeof page === 'string' ? { body: page } : page)
    },
    requests,
  }
}

/** A whole HTML page around `body`. */
export const htmlPage = (body: string, title = 'A page elsewhere'): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`

export interface EntryOptions {
  /** The h-entry property that names the target: u-in-reply-to, u-like-of, u-repost-of, or none (a mention). */
  readonly property?: 'u-in-reply-to' | 'u-like-of' | 'u-repost-of'
  readonly authorName?: string
  readonly authorUrl?: string
  /** The e-content's inner HTML. */
  readonly contentHtml?: string
  readonly published?: string
}

/** A page with one h-entry that links to `target` the way `options.property` says. */
export function hEntryPage(target: string, options: EntryOptions = {}): string {
  const link = options.property
    ? `<a class="${options.property}" href="${target}">the post</a>`
    : `<p>As <a href="${target}">this post</a> says…</p>`
  return htmlPage(`<article class="h-entry">
  <a class="p-author h-card" href="${options.authorUrl ?? 'https://alice.example'}"><img class="u-photo" src="https://alice.example/me.jpg" alt=""><span class="p-name">${options.authorName ?? 'Alice Example'}</span><data class="u-url" value="${options.authorUrl ?? 'https://alice.example'}"></data></a>
  ${link}
  <div class="e-content">${options.contentHtml ?? '<p>Thanks, this helped.</p>'}</div>
  <time class="dt-published" datetime="${options.published ?? '2024-05-01T10:00:00Z'}">1 May</time>
</article>`)
}

/** POSTs a Webmention the way another site does: a form body, no cookie, no CSRF token. */
export function sendWebmention(
  app: FastifyInstance,
  fields: Record<string, string>,
  options: { remoteAddress?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/webmention',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    payload: encodeForm(fields),
    remoteAddress: options.remoteAddress ?? '198.51.100.20',
  })
}

export interface ResponseRow {
  id: number
  postId: number
  source: string
  sourceUrl: string
  kind: string
  status: string
  authorName: string
  authorUrl: string
  contentHtml: string
  publishedAt: number | null
  spamScore: number
  spamReasons: string
}

export const storedResponses = (db: Db): ResponseRow[] =>
  db.$client
    .prepare(
      `select id, post_id as postId, source, source_url as sourceUrl, kind, status, author_name as authorName,
              author_url as authorUrl, content_html as contentHtml, published_at as publishedAt,
              spam_score as spamScore, spam_reasons as spamReasons
       from responses order by id`,
    )
    .all() as ResponseRow[]

export interface QueuedRow {
  id: number
  sourceUrl: string
  targetUrl: string
  senderIp: string
  attempts: number
  nextAttemptAt: number
  lastError: string
}

export const queuedMentions = (db: Db): QueuedRow[] =>
  db.$client
    .prepare(
      `select id, source_url as sourceUrl, target_url as targetUrl, sender_ip as senderIp, attempts,
              next_attempt_at as nextAttemptAt, last_error as lastError
       from incoming_mentions order by id`,
    )
    .all() as QueuedRow[]
