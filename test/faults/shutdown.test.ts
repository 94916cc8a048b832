// Checks that SIGTERM stops the real server quickly and cleanly, whatever its open connections are doing.
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { scratchDir } from '../helpers/app.ts'
import { exitWithin, startServer, untilListening } from '../helpers/processes.ts'

/** Generous for a 2-core machine; the old code took the full 10 s grace period and exited 1. */
const QUICK_EXIT_MS = 4_000

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Collects what the server sends on a socket until it closes. */
function received(socket: Socket): () => string {
  let text = ''
  socket.on('data', (chunk) => {
    text += chunk
  })
  socket.on('error', () => {})
  return () => text
}

test('SIGTERM with an idle connection and a half-sent form exits 0 at once, with the WAL folded in and the database closed', async (t) => {
  const dir = scratchDir(t)
  const dbPath = join(dir, 'folio.db')
  const server = await startServer(t, { DATABASE_PATH: dbPath, MEDIA_DIR: join(dir, 'media') })
  await untilListening(server)
  const health = await fetch(`http://127.0.0.1:${server.port}/healthz`)
  assert.equal(health.status, 200)
  assert.ok(statSync(`${dbPath}-wal`).size > 0, 'start-up wrote to the WAL (secrets, setup token)')

  // A browser's preconnect that never sends a request.
  const idle = await openSocket(server.port)
  received(idle)
  // A form whose body stops half way.
  const slow = await openSocket(server.port)
  const slowAnswer = received(slow)
  slow.write(
    'POST /contact HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\nname=Ada&message=Hel',
  )
  await new Promise((resolve) => setTimeout(resolve, 200))

  server.child.kill('SIGTERM')
  const code = await exitWithin(server, QUICK_EXIT_MS)
  idle.destroy()
  slow.destroy()

  assert.equal(code, 0, server.output())
  assert.match(server.output(), /"msg":"stopped"/)
  assert.ok(!existsSync(`${dbPath}-wal`) || statSync(`${dbPath}-wal`).size === 0, 'the WAL was checkpointed')
  // Closed cleanly: nothing of the server's connection is left, so a fresh reader finds an intact file.
  const check = new Database(dbPath, { readonly: true })
  assert.equal(check.pragma('quick_check', { simple: true }), 'ok')
  check.close()

  // The half-sent form was answered with a page a person can read, not dropped without a word or JSON.
  assert.match(slowAnswer(), /^HTTP\/1\.1 503/)
  assert.match(slowAnswer(), /content-type: text\/html/i)
  assert.match(slowAnswer(), /retry-after: \d+/i)
  assert.match(slowAnswer(), /nothing was saved/)
})

test('a form still arriving steadily when SIGTERM comes is let finish, stored, and answered before the exit', async (t) => {
  const dir = scratchDir(t)
  const dbPath = join(dir, 'folio.db')
  const server = await startServer(t, { DATABASE_PATH: dbPath, MEDIA_DIR: join(dir, 'media') })
  await untilListening(server)
  const base = `http://127.0.0.1:${server.port}`
  const form = await fetch(`${base}/contact`)
  const html = await form.text()
  const cookie = (form.headers.getSetCookie().find((c) => c.startsWith('folio_csrf=')) ?? '').split(';')[0]
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? ''
  const body = new URLSearchParams({
    _csrf: field('_csrf'),
    ts: field('ts'),
    name: 'Slow Phone',
    email: 'slow@example.com',
    message: 'Sent over a slow line while the server was asked to stop.',
  }).toString()

  const socket = await openSocket(server.port)
  const answer = received(socket)
  socket.write(
    `POST /contact HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${base}\r\nCookie: ${cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
  )
  await new Promise((resolve) => setTimeout(resolve, 200))
  server.child.kill('SIGTERM')
  // The rest arrives in pieces, each well within the stall limit.
  for (const piece of [body.slice(20, 60), body.slice(60, 100), body.slice(100)]) {
    await new Promise((resolve) => setTimeout(resolve, 300))
    socket.write(piece)
  }

  const code = await exitWithin(server, QUICK_EXIT_MS)
  socket.destroy()
  assert.equal(code, 0, server.output())
  assert.match(answer(), /^HTTP\/1\.1 303/)
  assert.match(answer(), /location: \/contact\/thanks/i)
  const check = new Database(dbPath, { readonly: true })
  assert.equal(check.prepare('select count(*) from messages').pluck().get(), 1)
  check.close()
})
