// Owns running the real server (src/server.ts) as a child process for fault tests: start, talk, signal, wait.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

const ROOT = join(import.meta.dirname, '..', '..')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** A temporary folder for a test's database and media, removed afterwards. */
export function scratchDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'folio-faults-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface ServerProcess {
  readonly child: ChildProcess
  readonly port: number
  /** Everything written to stdout and stderr so far. */
  output(): string
  stderr(): string
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>
}

/** Starts `node --import tsx src/server.ts` on its own port with the given database path. */
export async function startServer(
  t: TestContext,
  env: { DATABASE_PATH: string; MEDIA_DIR: string } & Record<string, string>,
): Promise<ServerProcess> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      SITE_URL: `http://localhost:${port}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk) => {
    out += chunk
  })
  child.stderr?.on('data', (chunk) => {
    err += chunk
    out += chunk
  })
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  )
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return { child, port, output: () => out, stderr: () => err, exited }
}

/** Waits until the server says it is listening; fails with its output if it exits or takes too long. */
export async function untilListening(server: ServerProcess, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!server.output().includes('Folio is running')) {
    if (server.child.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`)
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${server.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Resolves with the exit code, or "timeout" after ms. */
export function exitWithin(server: ServerProcess, ms: number): Promise<number | string> {
  return Promise.race([
    server.exited,
    new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), ms).unref()),
  ])
}
