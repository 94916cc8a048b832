// Checks what a `kill -9` costs the stats: at most the counts since the last flush; everything flushed before is on disk.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { createTestDb } from '../../helpers/app.ts'
import { spawnServer, untilListening } from '../../helpers/processes.ts'
import { READER, totalViews } from './helpers.ts'

test('a server killed with SIGKILL keeps every view flushed before, and loses at most the last interval', async (t) => {
  const { db, dir, path } = createTestDb(t)
  const server = await spawnServer('test/features/stats/fixtures/stats-server.ts', {
    DATABASE_PATH: path,
    MEDIA_DIR: join(dir, 'media'),
    STATS_FLUSH_MS: '200',
  })
  t.after(() => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
  })
  await untilListening(server)
  const view = async () => {
    const res = await fetch(`${server.url}/`, { headers: READER })
    assert.equal(res.status, 200)
    await res.arrayBuffer()
  }

  for (let i = 0; i < 5; i++) await view()
  // Waits for the server's own flush: no timing is asserted, only that it comes.
  const deadline = Date.now() + 20_000
  while (totalViews(db) < 5) {
    assert.ok(Date.now() < deadline, `the flush never came:\n${server.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  for (let i = 0; i < 3; i++) await view()
  server.child.kill('SIGKILL')
  assert.equal(await server.exited, 'SIGKILL')

  const kept = totalViews(db)
  assert.ok(kept >= 5 && kept <= 8, `${kept} views kept of 8`)
  assert.equal(db.$client.pragma('quick_check', { simple: true }), 'ok')
})
