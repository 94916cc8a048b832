// Owns rendering Markdown off the event loop: a small, lazily started pool of worker threads, each job bounded in time.
import type { Worker } from 'node:worker_threads'
import type { ImageInfo, ImageResolver, RenderedBody, RenderOptions } from './markdown.ts'
import { assertNestingWithinLimit, MarkdownLimitError, RENDER_TIME_LIMIT_MS } from './markdown-limits.ts'
import type { WorkerReply, WorkerRequest } from './markdown-worker.ts'
import { startModuleWorker } from './worker-threads.ts'

export interface MarkdownPoolOptions {
  /** Workers at most; one per core is plenty for one author. */
  readonly size?: number
  readonly timeLimitMs?: number
  /** Jobs waiting beyond this are refused as busy rather than queued without end. */
  readonly maxQueue?: number
  /** A worker that has not loaded the pipeline by then is broken, not slow. */
  readonly startLimitMs?: number
}

interface Pending {
  readonly request: WorkerRequest
  resolve(result: RenderedBody | string): void
  reject(error: Error): void
}

interface Slot {
  readonly worker: Worker
  ready: boolean
  pending?: Pending | undefined
  timer?: NodeJS.Timeout | undefined
}

/**
 * Runs render jobs on worker threads so a slow parse never blocks other requests. A job that
 * outlives the time limit is refused as too slow and its worker terminated; the next job starts
 * a fresh one. Idle workers do not keep the process alive.
 */
export class MarkdownPool {
  readonly #size: number
  readonly #timeLimitMs: number
  readonly #maxQueue: number
  readonly #startLimitMs: number
  readonly #slots = new Set<Slot>()
  #queue: Pending[] = []

  constructor(options: MarkdownPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? 2)
    this.#timeLimitMs = options.timeLimitMs ?? RENDER_TIME_LIMIT_MS
    this.#maxQueue = options.maxQueue ?? 32
    this.#startLimitMs = options.startLimitMs ?? 30_000
  }

  /** Live workers, started or starting: for tests that check a stuck one was replaced. */
  get workerCount(): number {
    return this.#slots.size
  }

  run(request: WorkerRequest): Promise<RenderedBody | string> {
    if (this.#queue.length >= this.#maxQueue) return Promise.reject(new MarkdownLimitError('busy'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject })
      this.#pump()
    })
  }

  /** Stops every worker; jobs still waiting are refused as busy. */
  async close(): Promise<void> {
    const slots = [...this.#slots]
    for (const slot of slots) this.#retire(slot)?.reject(new MarkdownLimitError('busy'))
    for (const waiting of this.#queue.splice(0)) waiting.reject(new MarkdownLimitError('busy'))
    await Promise.all(slots.map((slot) => slot.worker.terminate()))
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (!slot.ready || slot.pending) continue
      const next = this.#queue.shift()
      if (!next) break
      this.#assign(slot, next)
    }
    let starting = [...this.#slots].filter((slot) => !slot.ready).length
    while (this.#queue.length > starting && this.#slots.size < this.#size) {
      this.#spawn()
      starting++
    }
  }

  #assign(slot: Slot, pending: Pending): void {
    slot.pending = pending
    slot.worker.ref()
    slot.timer = setTimeout(() => {
      this.#retire(slot)?.reject(new MarkdownLimitError('too-slow'))
      this.#pump()
    }, this.#timeLimitMs)
    slot.worker.postMessage(pending.request)
  }

  #spawn(): void {
    const slot: Slot = {
      worker: startModuleWorker(new URL('./markdown-worker.ts', import.meta.url)),
      ready: false,
    }
    this.#slots.add(slot)
    slot.timer = setTimeout(
      () =>
        this.#failStart(slot, new Error(`the Markdown worker did not start within ${this.#startLimitMs} ms`)),
      this.#startLimitMs,
    )
    slot.worker.on('message', (reply: WorkerReply) => this.#onReply(slot, reply))
    slot.worker.on('error', (error) => this.#onExit(slot, error))
    slot.worker.on('exit', (code) =>
      this.#onExit(slot, new Error(`the Markdown worker exited with code ${code}`)),
    )
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    clearTimeout(slot.timer)
    if (reply.type === 'ready') {
      slot.ready = true
    } else {
      const pending = slot.pending
      slot.pending = undefined
      if (reply.type === 'done') pending?.resolve(reply.result)
      else pending?.reject(new MarkdownLimitError(reply.limit))
    }
    if (!slot.pending) slot.worker.unref()
    this.#pump()
  }

  /** A worker that died: mid-job the input is to blame; before it was ready, the installation is. */
  #onExit(slot: Slot, error: Error): void {
    if (!this.#slots.has(slot)) return
    if (!slot.ready) {
      this.#failStart(slot, error)
      return
    }
    this.#retire(slot)?.reject(new MarkdownLimitError('failed'))
    this.#pump()
  }

  /** Refuses every waiting job with the real error, so it is logged as a fault rather than blamed on the text. */
  #failStart(slot: Slot, error: Error): void {
    this.#retire(slot)
    const failure = new Error(`Could not start the Markdown worker: ${error.message}`, { cause: error })
    for (const waiting of this.#queue.splice(0)) waiting.reject(failure)
  }

  /** Removes and terminates a worker, returning the job it was running, if any. */
  #retire(slot: Slot): Pending | undefined {
    this.#slots.delete(slot)
    clearTimeout(slot.timer)
    void slot.worker.terminate().catch(() => {})
    return slot.pending
  }
}

let shared: MarkdownPool | undefined
const sharedPool = (): MarkdownPool => {
  shared ??= new MarkdownPool()
  return shared
}

const SRC_DELIMITERS = new Set([' ', '\t', '\n', '\r', '(', ')', '<', '>', '[', ']', '"', "'", '`'])

/**
 * The library's images that `texts` mention, found by every `/media/` path written in them and
 * resolved here, because the resolver reads the database and the worker cannot. One linear pass.
 */
export function collectImages(texts: readonly string[], resolve?: ImageResolver): Map<string, ImageInfo> {
  const found = new Map<string, ImageInfo>()
  if (!resolve) return found
  const seen = new Set<string>()
  for (const text of texts) {
    let from = 0
    for (let at = text.indexOf('/media/'); at !== -1; at = text.indexOf('/media/', from)) {
      let start = at
      while (start > from && !SRC_DELIMITERS.has(text[start - 1] ?? ' ')) start--
      let end = at + '/media/'.length
      while (end < text.length && !SRC_DELIMITERS.has(text[end] ?? ' ')) end++
      const src = text.slice(start, end)
      if (!seen.has(src)) {
        seen.add(src)
        const info = resolve(src)
        if (info) found.set(src, info)
      }
      from = end
    }
  }
  return found
}

/**
 * renderBody, run on a worker within the time limit: the same HTML, or a MarkdownLimitError whose
 * message tells the author what to change.
 */
export async function renderBodyInWorker(
  bodyMd: string,
  excerptMd = '',
  options: RenderOptions = {},
): Promise<RenderedBody> {
  assertNestingWithinLimit(bodyMd)
  assertNestingWithinLimit(excerptMd)
  const images = collectImages([bodyMd, excerptMd], options.images)
  return (await sharedPool().run({ job: { kind: 'body', bodyMd, excerptMd }, images })) as RenderedBody
}

/** renderMarkdown, run on a worker within the time limit. */
export async function renderMarkdownInWorker(markdown: string, options: RenderOptions = {}): Promise<string> {
  if (!markdown.trim()) return ''
  assertNestingWithinLimit(markdown)
  const images = collectImages([markdown], options.images)
  return (await sharedPool().run({ job: { kind: 'markdown', markdown }, images })) as string
}
