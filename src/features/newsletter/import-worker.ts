// Owns the worker-thread side of a subscriber import: reading the CSV away from the event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { WORKER_READY } from '../../lib/worker-threads.ts'
import { readImportFile } from './import-file.ts'

if (parentPort) {
  parentPort.postMessage(WORKER_READY)
  parentPort.postMessage(await readImportFile(workerData as Uint8Array))
}
