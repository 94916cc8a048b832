// Owns the worker-thread side of composing a long post as a newsletter email, away from the event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { WORKER_READY } from '../../lib/worker-threads.ts'
import { composeIssue, type IssuePost, type IssueSite } from './compose.ts'

export interface ComposeJob {
  readonly post: IssuePost
  readonly site: IssueSite
}

if (parentPort) {
  const job = workerData as ComposeJob
  parentPort.postMessage(WORKER_READY)
  parentPort.postMessage(composeIssue(job.post, job.site))
}
