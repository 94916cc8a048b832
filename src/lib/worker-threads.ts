// Owns starting a worker thread on one of Folio's modules, whether it runs compiled (production) or as TypeScript through tsx.
import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * Starts a worker on `moduleUrl` (named by its .ts file): the compiled .js beside this file in
 * production, or the .ts file through tsx's loader in development and tests.
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const typescript = import.meta.url.endsWith('.ts')
  const file = typescript ? moduleUrl : new URL(moduleUrl.href.replace(/\.ts$/, '.js'))
  if (!typescript) return new Worker(file, options)
  // Node 20 does not pass --import loaders on to workers, so the worker registers tsx itself first.
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}
