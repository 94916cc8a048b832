// Owns the benchmark's server processes: building production, starting Folio (`node dist/server.js`) and the bare baseline with plain node, and stopping them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { freePort, ROOT } from '../test/helpers/processes.ts'

/**
 * What production runs, read from `npm run start:prod` (the Dockerfile and the systemd unit set the
 * same environment and node flags; test/production/deploy-config.test.ts keeps them alike): the
 * command without its `node`, space-separated, e.g. `MALLOC_ARENA_MAX=2 --max-semi-space-size=2 dist/server.js`.
 */
export const FOLIO_ENTRY =
  (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts['start:prod']?.replace(/\bnode /, '') ?? 'dist/server.js'
export const BARE_ENTRY = 'bench/baseline-server.mjs'

export interface NodeServer {
  readonly child: ChildProcess
  readonly pid: number
  /** http://127.0.0.1:port */
  readonly url: string
  /** performance.now() just before the process was spawned. */
  readonly spawnedAt: number
  /** The last few kilobytes the process wrote to stderr, to explain a failed start. */
  stderr(): string
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** `npm run build`, as a deploy does; the benchmark cannot go on without a fresh dist/. */
export function buildProduction(): number {
  const started = performance.now()
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`)
    throw new Error(`npm run build failed (${result.status ?? result.signal ?? result.error?.message})`)
  }
  return performance.now() - started
}

/**
 * Spawns `node <script>` (node's arguments, space-separated, after any leading `NAME=value` words
 * that go into its environment) on a free port of 127.0.0.1 without waiting for it: cold starts are
 * timed from here. Only PATH and HOME come from our environment, so no stray variable changes the run.
 * Stdout (Folio logs every request) goes nowhere, as the request log costs the same either way.
 */
export async function spawnNode(script: string, env: Record<string, string>): Promise<NodeServer> {
  const port = await freePort()
  const words = script.split(' ')
  const firstArgument = words.findIndex((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word))
  const assigned = Object.fromEntries(words.slice(0, firstArgument).map((word) => word.split('=', 2)))
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, words.slice(firstArgument), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      SITE_URL: `http://localhost:${port}`,
      ...assigned,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let err = ''
  child.stderr?.on('data', (chunk) => {
    err = (err + chunk).slice(-4000)
  })
  if (child.pid === undefined) throw new Error(`could not spawn node ${script}`)
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}`, spawnedAt, stderr: () => err }
}

/** One GET on a fresh connection: the status, or undefined when nothing answered (not listening yet). */
function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode))
      res.once('error', () => resolve(undefined))
    })
    req.once('error', () => resolve(undefined))
    req.end()
  })
}

/**
 * Polls `path` every few milliseconds until it answers 200; resolves with performance.now() at that
 * moment. The interval is short so that a cold start's figure is the server's, not the poll's.
 */
export async function untilOk(
  server: NodeServer,
  path = '/',
  pollMs = 5,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(
        `${server.url} exited with ${server.child.exitCode ?? server.child.signalCode}:\n${server.stderr()}`,
      )
    }
    if ((await probe(`${server.url}${path}`)) === 200) return performance.now()
    if (performance.now() > deadline)
      throw new Error(`${server.url}${path} gave no 200 within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** A server to measure under load: started and answering 200 on `/`. */
export async function startServer(script: string, env: Record<string, string>): Promise<NodeServer> {
  const server = await spawnNode(script, env)
  await untilOk(server, '/', 50)
  return server
}

/** SIGTERM, as a platform stops a machine (the next start then finds a clean database); SIGKILL if it lingers. */
export async function stopServer(server: NodeServer, graceMs = 5000): Promise<void> {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
