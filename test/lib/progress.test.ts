// Checks how long commands show progress: a bar with counts and an ETA on a terminal, plain lines elsewhere, and that each long task counts up to its total.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { backupDatabase } from '../../src/features/backup/backup.ts'
import { exportSite } from '../../src/features/backup/export.ts'
import { importSite } from '../../src/features/backup/import.ts'
import { seedDemoContent } from '../../src/features/seed/demo.ts'
import { createProgress, type ProgressStream, withProgress } from '../../src/lib/progress.ts'
import { createTestDb, scratchDir } from '../helpers/app.ts'
import { createPage, createPost } from '../helpers/fixtures.ts'

/** A stream that keeps what is written; `tty` makes it look like a terminal 80 columns wide. */
function fakeStream(tty: boolean): ProgressStream & { text(): string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return Object.assign(stream, { isTTY: tty, columns: 80, text: () => chunks.join('') })
}

/** Whether `text` holds what a terminal uses to redraw a line (ESC or a carriage return): never in a log file. */
const hasControlSequences = (text: string): boolean => text.includes('\u001b') || text.includes('\r')

test('without a terminal, progress is a plain line at each tenth of the way and at the end', () => {
  const stream = fakeStream(false)
  const progress = createProgress('Importing', stream, { now: () => 0 })
  for (let done = 1; done <= 1200; done++) progress.update(done, 1200)
  progress.finish()

  const lines = stream.text().trimEnd().split('\n')
  assert.equal(lines.length, 11)
  assert.equal(lines[0], 'Importing: 1 of 1200 (0%)')
  assert.ok(lines.includes('Importing: 120 of 1200 (10%)'))
  assert.equal(lines.at(-1), 'Importing: 1200 of 1200 (100%)')
  assert.equal(hasControlSequences(stream.text()), false)
})

test('without a terminal, a slow task still prints a line every five seconds', () => {
  const stream = fakeStream(false)
  let clock = 0
  const progress = createProgress('Exporting', stream, { now: () => clock })
  for (let done = 1; done <= 4; done++) {
    clock += 6000
    progress.update(done, 1000)
  }
  progress.update(4, 1000)
  assert.deepEqual(stream.text().trimEnd().split('\n'), [
    'Exporting: 1 of 1000 (0%)',
    'Exporting: 2 of 1000 (0%)',
    'Exporting: 3 of 1000 (0%)',
    'Exporting: 4 of 1000 (0%)',
  ])
})

test('nothing is printed for a task with nothing to do', () => {
  for (const tty of [false, true]) {
    const stream = fakeStream(tty)
    const progress = createProgress('Seeding', stream)
    progress.update(0, 0)
    progress.finish()
    assert.equal(stream.text(), '')
  }
})

test('on a terminal, progress is a bar redrawn in place with counts, a percentage and an ETA', () => {
  const stream = fakeStream(true)
  const progress = createProgress('Importing', stream)
  progress.update(3, 10)
  assert.match(stream.text(), /Importing \[#{9}-{21}\] 3\/10 \(30%\) · ETA \S+/)
  for (let done = 4; done <= 10; done++) progress.update(done, 10)
  progress.finish()

  const text = stream.text()
  assert.match(text, /Importing \[#{30}\] 10\/10 \(100%\) · ETA 0s/)
  assert.ok(hasControlSequences(text), 'the line is redrawn with terminal control sequences')
  assert.ok(text.endsWith('\n'), 'the bar ends its line, so what follows starts on a new one')
})

test('withProgress ends the bar’s line even when the work fails', async () => {
  const stream = fakeStream(true)
  await assert.rejects(
    withProgress(
      'Exporting',
      (onProgress) => {
        onProgress(1, 4)
        throw new Error('disk full')
      },
      stream,
    ),
    /disk full/,
  )
  assert.ok(stream.text().endsWith('\n'))
})

/** Records every call, and checks they only go forward and end at the total. */
function recorder() {
  const calls: [number, number][] = []
  return {
    calls,
    onProgress: (done: number, total: number) => calls.push([done, total]),
    assertCountedToTheEnd(expectedTotal?: number) {
      assert.ok(calls.length > 0, 'progress was reported')
      const last = calls.at(-1) as [number, number]
      assert.equal(last[0], last[1], 'the last call reports everything done')
      if (expectedTotal !== undefined) assert.equal(last[1], expectedTotal)
      for (const [i, [done, total]] of calls.entries()) {
        assert.ok(done >= 0 && done <= total, `call ${i}: ${done} of ${total}`)
        if (i > 0) assert.ok(done >= (calls[i - 1] as [number, number])[0], `call ${i} went backwards`)
      }
    },
  }
}

test('seeding, exporting, importing and backing up each report progress up to their total', async (t) => {
  const { db, dir, path } = createTestDb(t)
  const mediaDir = join(dir, 'media')

  const seeding = recorder()
  seedDemoContent(db, { posts: 12, onProgress: seeding.onProgress })
  seeding.assertCountedToTheEnd(12)
  assert.equal(seeding.calls.length, 12)
  createPost(db, { title: 'One more' })
  createPage(db, { title: 'Colophon', slug: 'colophon', navOrder: null })

  const exporting = recorder()
  const out = join(scratchDir(t), 'export')
  const exported = exportSite(db, out, { mediaDir, onProgress: exporting.onProgress })
  exporting.assertCountedToTheEnd(exported.posts + exported.pages + exported.media)

  const importing = recorder()
  const target = createTestDb(t)
  await importSite(target.db, out, { mediaDir: join(target.dir, 'media'), onProgress: importing.onProgress })
  importing.assertCountedToTheEnd()
  assert.ok((importing.calls.at(-1) as [number, number])[1] >= exported.posts + exported.pages)

  const backingUp = recorder()
  const file = join(scratchDir(t), 'site.db')
  await backupDatabase({ databasePath: path, mediaDir, file, onProgress: backingUp.onProgress })
  backingUp.assertCountedToTheEnd()
  assert.ok((backingUp.calls.at(-1) as [number, number])[1] > 1, 'counted in database pages')
})
