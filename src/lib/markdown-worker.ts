// Owns the worker-thread side of bounded rendering: runs one job at a time through lib/markdown.ts and answers.
import { parentPort } from 'node:worker_threads'
import { type ImageInfo, type RenderedBody, renderBody, renderMarkdown } from './markdown.ts'
import { type MarkdownLimit, MarkdownLimitError } from './markdown-limits.ts'

/** What the pool asks for: a post body with its excerpt, or one piece of Markdown. */
export type MarkdownJob =
  | { readonly kind: 'body'; readonly bodyMd: string; readonly excerptMd: string }
  | { readonly kind: 'markdown'; readonly markdown: string }

export interface WorkerRequest {
  readonly job: MarkdownJob
  /** The library's images the text mentions, by the `src` written, resolved beforehand on the main thread. */
  readonly images: ReadonlyMap<string, ImageInfo>
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly result: RenderedBody | string }
  | { readonly type: 'refused'; readonly limit: MarkdownLimit; readonly detail?: string }

function run({ job, images }: WorkerRequest): RenderedBody | string {
  const options = { images: (src: string) => images.get(src) }
  return job.kind === 'body'
    ? renderBody(job.bodyMd, job.excerptMd, options)
    : renderMarkdown(job.markdown, options)
}

const port = parentPort
if (port) {
  port.on('message', (request: WorkerRequest) => {
    let reply: WorkerReply
    try {
      reply = { type: 'done', result: run(request) }
    } catch (error) {
      reply =
        error instanceof MarkdownLimitError
          ? { type: 'refused', limit: error.limit }
          : {
              type: 'refused',
              limit: 'failed',
              detail: error instanceof Error ? error.message : String(error),
            }
    }
    port.postMessage(reply)
  })
  port.postMessage({ type: 'ready' } satisfies WorkerReply)
}
