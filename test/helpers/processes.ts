// Owns running Folio's entry points (src/server.ts, src/cli.ts, the benchmark's servers) as real child processes on free ports.
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

export const ROOT = join(import.meta.dirname, '..', '..')

/** A port nothing listens on right now, found by letting the system pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** A child's environment: PATH and HOME from ours and nothing else, so no stray variable changes the run. */
const childEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...env,
})

export interface ServerProcess {
  readonly child: ChildProcess
  readonly port: number
  /** http://127.0.0.1:port */
  readonly url: string
  /** Everything written to stdout and stderr so far (empty when the output is not kept). */
  output(): string
  stderr(): string
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>
}

/**
 * Starts `node --import tsx <script>` on a free port of 127.0.0.1, as production would run
 * src/server.ts. The caller stops it. `keepOutput: false` (for servers under load, which log every
 * request) leaves stdout unread and passes stderr through.
 */
export async function spawnServer(
  script: string,
  env: Record<string, string>,
  options: { keepOutput?: boolean } = {},
): Promise<ServerProcess> {
  const port = await freePort()
  const keep = options.keepOutput ?? true
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: childEnv({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      SITE_URL: `http://localhost:${port}`,
      ...env,
    }),
    stdio: keep ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'inherit'],
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
  return { child, port, url: `http://127.0.0.1:${port}`, output: () => out, stderr: () => err, exited }
}

/** src/server.ts with the given database, killed when the test ends if it is still running. */
export async function startServer(
  t: TestContext,
  env: { DATABASE_PATH: string; MEDIA_DIR: string } & Record<string, string>,
): Promise<ServerProcess> {
  const server = await spawnServer('src/server.ts', env)
  t.after(() => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
  })
  return server
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

/** Waits until `path` answers 2xx, for a server whose output is not kept. */
export async function untilAnswering(server: ServerProcess, path = '/', ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`the server exited with ${server.child.exitCode}`)
    const ok = await fetch(`${server.url}${path}`).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) return
    if (Date.now() > deadline) throw new Error(`${server.url}${path} did not answer within ${ms / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Resolves with the exit code, or "timeout" after ms. */
export function exitWithin(server: ServerProcess, ms: number): Promise<number | string> {
  return Promise.race([
    server.exited,
    new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), ms).unref()),
  ])
}

const cliArgs = (args: string[]) => ['--import', 'tsx', 'src/cli.ts', ...args]
const cliEnv = (env: Record<string, string>) => childEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env })

/** `npm run cli -- …` without npm: the same entry point, with only the variables given. */
export function runCli(
  args: string[],
  env: { DATABASE_PATH: string; MEDIA_DIR: string } & Record<string, string>,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, cliArgs(args), {
    cwd: ROOT,
    env: cliEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  })
}

export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * The same, asynchronously and with `input` piped to stdin, so that independent cases can run side
 * by side: each start of the CLI takes a second or two.
 */
export function runCliAsync(
  args: string[],
  env: { DATABASE_PATH: string; MEDIA_DIR: string } & Record<string, string>,
  input = '',
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), { cwd: ROOT, env: cliEnv(env), timeout: 30_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(input)
  })
}
