// Owns the worker-thread side of reading a reply from the fediverse: its HTML made safe, and the words spam is scored on, away from the event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { htmlToText } from '../../lib/markdown.ts'
import { linksIn, sanitizeRemoteHtml } from '../../lib/remote-html.ts'
import { WORKER_READY } from '../../lib/worker-threads.ts'

export interface NoteJob {
  readonly html: string
  /** The Note's id: relative links in it point at the sender's server. */
  readonly noteId: string
}

export interface NoteResult {
  readonly contentHtml: string
  /** Its text and the addresses it links to, as spam scoring reads them. */
  readonly words: string
}

export function readNote(job: NoteJob): NoteResult {
  const contentHtml = sanitizeRemoteHtml(job.html, job.noteId)
  // The links count as words, as URLs typed into a contact message do.
  const links = linksIn(contentHtml, job.noteId).map((link) => link.url)
  return { contentHtml, words: [htmlToText(contentHtml), ...links].join('\n') }
}

if (parentPort) {
  parentPort.postMessage(WORKER_READY)
  parentPort.postMessage(readNote(workerData as NoteJob))
}
