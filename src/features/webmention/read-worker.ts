// Owns the worker-thread side of reading a fetched source: whether it links to the target, and what it says, away from the event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { linksIn } from '../../lib/remote-html.ts'
import { linksTo, type ReadMention, readMention } from './parse.ts'

export interface ReadJob {
  readonly html: string
  /** A plain-text source: the target's URL written in it is the link, and there is nothing to parse. */
  readonly plain: boolean
  readonly source: string
  readonly pageUrl: string
  readonly target: string
}

export type ReadResult =
  | { readonly links: false }
  | { readonly links: true; readonly mention: ReadMention; readonly contentLinks: readonly string[] }

export function readSource(job: ReadJob): ReadResult {
  const links = job.plain ? job.html.includes(job.target) : linksTo(job.html, job.pageUrl, job.target)
  if (!links) return { links: false }
  const mention = readMention(job.plain ? '' : job.html, job)
  // The content's links count as links, as URLs typed into a contact message do.
  const contentLinks = linksIn(mention.contentHtml, job.pageUrl).map((link) => link.url)
  return { links: true, mention, contentLinks }
}

if (parentPort) parentPort.postMessage(readSource(workerData as ReadJob))
