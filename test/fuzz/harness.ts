// Owns running fuzz cases against the app and judging each answer: no 5xx, no JSON error page, no stack, no write from a GET.
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import type { Db } from '../../src/db/client.ts'
import { shorten } from './arbitraries.ts'
import type { FuzzSite } from './site.ts'

/** One generated request. `route` is the declared path it was made from, to group failures. */
export interface FuzzRequest {
  readonly route: string
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly cookies?: Record<string, string>
  readonly payload?: string | Buffer
  /** How the body was encoded, for the report. */
  readonly label?: string
  readonly remoteAddress?: string
}

export interface FuzzCase {
  readonly name: string
  readonly requests: fc.Arbitrary<FuzzRequest>
  readonly runs: number
  /** GETs and HEADs, and requests that must be refused (signed out, wrong method): the database must not change. */
  readonly mustNotWrite: boolean
}

/** The seed every case derives its own from; FUZZ_SEED repeats or varies a run, FUZZ_SCALE multiplies the runs. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20260509)
const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1)

/** A case's seed depends on its name only, so adding a route leaves every other case's requests the same. */
function seedFor(name: string): number {
  let hash = FUZZ_SEED | 0
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193)
  return hash | 0
}

/** JSON by design: the health check and the JSON exports and feeds. */
const isMachineEndpoint = (url: string): boolean => {
  const path = url.split('?')[0] ?? ''
  return path === '/healthz' || path.endsWith('.json')
}

/** Fastify's error body: {"statusCode":…,"error":…,"message":…} (the code field is optional). */
function isJsonErrorPage(res: LightMyRequestResponse): boolean {
  const body = res.body.trimStart()
  if (!body.startsWith('{')) return false
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>
    return 'statusCode' in parsed && ('error' in parsed || 'message' in parsed)
  } catch {
    return false
  }
}

/**
 * A stack as Node prints it: a frame ("at fn (/x/y.ts:1:2)"), an error heading followed by a
 * frame, or a source or dependency path with line and column. (A bare path such as
 * /src/app.ts is ordinary content: the demo posts quote code, and a 404 page names the path.)
 */
const STACK_TRACE = [
  /\n\s*at [^\n]*?\(?(?:file:\/\/|\/|node:|[A-Za-z]:\\)[^\n]*:\d+:\d+\)?/,
  /\b[A-Z]\w*Error: [^\n]*\n\s+at /,
  /[/\\](?:node_modules|src)[/\\][^\s"'<>]+\.[cm]?[jt]s:\d+:\d+/,
]

/** What is wrong with this answer, as short phrases; empty when it is fine. */
export function problemsIn(request: FuzzRequest, res: LightMyRequestResponse): string[] {
  const problems: string[] = []
  if (res.statusCode >= 500) problems.push(`answered ${res.statusCode}`)
  if (!isMachineEndpoint(request.url) && isJsonErrorPage(res)) {
    const askedForJson = /json/i.test(request.headers.accept ?? '')
    problems.push(
      `answered Fastify's JSON error page${askedForJson ? ' (to an Accept asking for JSON)' : ''}`,
    )
  }
  if (STACK_TRACE.some((pattern) => pattern.test(res.body))) problems.push('showed a stack trace')
  return problems
}

/**
 * Notices any write: the app connection's total_changes() (which counts a write of equal values
 * too) and data_version seen from a second connection (which moves with a commit on any other one).
 */
export function writeWatcher(t: TestContext, db: Db): { mark(): string } {
  const other = new Database(db.$client.name, { readonly: true, fileMustExist: true })
  t.after(() => other.close())
  const changes = db.$client.prepare('select total_changes()').pluck()
  return { mark: () => `${changes.get()}:${other.pragma('data_version', { simple: true })}` }
}

/** The request as a line someone can replay with app.inject. */
export function describeRequest(request: FuzzRequest): string {
  const parts = [`${request.method} ${shorten(request.url, 300)}`]
  const headers = Object.entries(request.headers)
  if (headers.length > 0)
    parts.push(`headers ${headers.map(([k, v]) => `${k}: ${shorten(v, 80)}`).join('; ')}`)
  if (request.cookies && Object.keys(request.cookies).length > 0)
    parts.push(`cookies ${Object.keys(request.cookies).join(', ')}`)
  if (request.payload !== undefined) {
    const text = Buffer.isBuffer(request.payload) ? request.payload.toString('latin1') : request.payload
    parts.push(`${request.label ?? 'body'} ${shorten(text, 400)}`)
  }
  return parts.join(' | ')
}

/** How big a request is, to keep the smallest reproduction of each failure. */
const sizeOf = (request: FuzzRequest): number =>
  request.url.length +
  (request.payload?.length ?? 0) +
  Object.entries(request.headers).reduce((sum, [k, v]) => sum + k.length + v.length, 0)

interface Failure {
  readonly problem: string
  /** Every route this failure was seen on. */
  readonly routes: Set<string>
  readonly request: FuzzRequest
  readonly status: number
  readonly body: string
  readonly logged: string
  count: number
}

/** The error behind a 500, reduced to its kind, so different inputs that hit one bug count as one failure. */
const causeOf = (logged: string): string =>
  (logged.split(' | ').slice(1, 3).join(' ') || logged)
    .replace(/\d+/g, 'N')
    .replace(/"[^"]*"|'[^']*'/g, '…')
    .slice(0, 90)

/**
 * What makes two failures the same bug: the problems, and for a server error the logged cause and
 * route; for a JSON error page its status and title (one error handler answers for every route).
 */
function signatureOf(
  problems: readonly string[],
  request: FuzzRequest,
  res: LightMyRequestResponse,
  logged: string,
) {
  if (res.statusCode >= 500 || problems.some((p) => !p.startsWith('answered Fastify')))
    return `${problems.join(', ')} · ${request.method} ${request.route} · ${causeOf(logged)}`
  const title = /"error":"([^"]*)"/.exec(res.body)?.[1] ?? ''
  return `${problems.join(', ')} · ${res.statusCode} ${title}`
}

/**
 * Sends every case's generated requests one at a time and collects what went wrong, one entry
 * per distinct failure (problem, method, route and logged cause) with its shortest reproduction,
 * so one known bug cannot hide another. Fails the test listing them all.
 */
export async function runFuzz(
  t: TestContext,
  site: FuzzSite,
  cases: readonly FuzzCase[],
  options: {
    beforeEach?: () => void
    budgetMs?: number
    /** Checks over the whole run (the database exactly as before, say); each message is a failure. */
    afterAll?: () => string[]
  } = {},
): Promise<void> {
  const watcher = writeWatcher(t, site.db)
  const failures = new Map<string, Failure>()
  let sent = 0
  const unsendable: string[] = []
  const slowest: { ms: number; request: FuzzRequest }[] = []
  const started = Date.now()
  const budgetPerCase = (options.budgetMs ?? 60_000) / Math.max(1, cases.length)
  // A rejection nobody handles would end a production server: record it against the request
  // that caused it instead of letting it fail the test without one.
  let rejections: string[] = []
  const onRejection = (reason: unknown) => {
    rejections.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason))
  }
  const runnerListeners = process.listeners('unhandledRejection')
  process.removeAllListeners('unhandledRejection')
  process.on('unhandledRejection', onRejection)
  t.after(() => {
    process.off('unhandledRejection', onRejection)
    for (const listener of runnerListeners) process.on('unhandledRejection', listener)
  })
  let generatingMs = 0
  for (const fuzzCase of cases) {
    const generating = Date.now()
    const requests = fc.sample(fuzzCase.requests, {
      seed: seedFor(fuzzCase.name),
      numRuns: Math.max(1, Math.round(fuzzCase.runs * FUZZ_SCALE)),
    })
    generatingMs += Date.now() - generating
    const caseStarted = Date.now()
    for (const request of requests) {
      // A guard for a slow machine; never hit at the default settings on an idle one.
      if (Date.now() - caseStarted > budgetPerCase * 4) break
      options.beforeEach?.()
      const before = watcher.mark()
      const logFrom = site.log.lines.length
      const sentAt = Date.now()
      let res: LightMyRequestResponse
      try {
        res = await site.app.inject({
          method: request.method as 'GET',
          url: request.url,
          headers: request.headers,
          ...(request.cookies ? { cookies: request.cookies } : {}),
          ...(request.payload !== undefined ? { payload: request.payload } : {}),
          remoteAddress: request.remoteAddress ?? '203.0.113.50',
        })
      } catch (err) {
        // inject itself refused (a URL it cannot parse): the generator's fault, listed so it gets fixed.
        unsendable.push(`${err instanceof Error ? err.message : String(err)}: ${describeRequest(request)}`)
        continue
      }
      sent += 1
      const problems = problemsIn(request, res)
      if (fuzzCase.mustNotWrite && watcher.mark() !== before) problems.push('wrote to the database')
      // Let a rejection from work the handler left running surface before judging the next request.
      await new Promise((resolve) => setImmediate(resolve))
      if (rejections.length > 0) {
        problems.push('left an unhandled rejection (a crash in production)')
        site.log.lines.push(...rejections.map((r) => `unhandled rejection | ${r}`))
        rejections = []
      }
      const ms = Date.now() - sentAt
      slowest.push({ ms, request })
      slowest.sort((a, b) => b.ms - a.ms).splice(5)
      if (problems.length === 0) continue
      const logged = site.log.lines.slice(logFrom).join(' || ')
      const signature = signatureOf(problems, request, res, logged)
      const route = `${request.method} ${request.route}`
      const failure: Failure = {
        problem: problems.join(', '),
        routes: new Set([route]),
        request,
        status: res.statusCode,
        body: res.body,
        logged,
        count: 1,
      }
      const seen = failures.get(signature)
      if (!seen) failures.set(signature, failure)
      else {
        seen.routes.add(route)
        const shorter = sizeOf(request) < sizeOf(seen.request)
        failures.set(signature, { ...(shorter ? failure : seen), routes: seen.routes, count: seen.count + 1 })
      }
    }
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1)
  t.diagnostic(
    `${sent} requests in ${seconds(Date.now() - started)} s (${seconds(generatingMs)} s generating them), FUZZ_SEED=${FUZZ_SEED}`,
  )
  for (const { ms, request } of slowest)
    t.diagnostic(`slow: ${ms} ms ${describeRequest(request).slice(0, 300)}`)
  const overall = options.afterAll?.() ?? []
  if (failures.size === 0 && unsendable.length === 0 && overall.length === 0) return
  const report = [...failures.values()].map((f, i) =>
    [
      `${i + 1}. ${f.problem} (${f.count}×) on ${[...f.routes].join(', ').slice(0, 400)}`,
      `   request: ${describeRequest(f.request)}`,
      `   answer:  ${f.status} ${shorten(f.body.replace(/\s+/g, ' '), 300)}`,
      ...(f.logged ? [`   logged:  ${shorten(f.logged, 400)}`] : []),
    ].join('\n'),
  )
  const refused = unsendable.length
    ? `\n${unsendable.length} generated requests inject could not send (fix the generator):\n${unsendable.slice(0, 3).join('\n')}`
    : ''
  assert.fail(
    `${failures.size + overall.length} distinct failures in ${sent} requests (FUZZ_SEED=${FUZZ_SEED} repeats this run):\n${[...report, ...overall].join('\n')}${refused}`,
  )
}
