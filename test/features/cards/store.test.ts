// Checks the card cache on disk: one drawing per card however many ask at once, and a bounded number at a time.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { CARDS_FOLDER, cardHash, createCardStore } from '../../../src/features/cards/cards.ts'
import { type CardText, drawCard } from '../../../src/features/cards/draw.ts'
import { BusyError } from '../../../src/lib/semaphore.ts'

const TEXT: CardText = { title: 'Drawn once', siteName: 'Folio', author: 'Ada' }

function mediaDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'folio-cards-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('requests for the same card while it is being drawn share one drawing', async (t) => {
  const dir = mediaDir(t)
  let drawings = 0
  const store = createCardStore(dir, {
    draw: async (text) => {
      drawings += 1
      return drawCard(text)
    },
  })

  const cards = await Promise.all(Array.from({ length: 5 }, () => store.png(7, TEXT)))

  assert.equal(drawings, 1)
  for (const card of cards) assert.deepEqual(card, cards[0])
  assert.ok(existsSync(join(dir, CARDS_FOLDER, `7-${cardHash(TEXT)}.png`)))
  await store.png(7, TEXT)
  assert.equal(drawings, 1, 'the kept file is read, not drawn again')
})

test('a burst of different cards draws two at a time and turns the overflow away as busy', async (t) => {
  const store = createCardStore(mediaDir(t), {
    draw: async () => {
      running += 1
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, 20))
      running -= 1
      return Buffer.from('png')
    },
  })
  let running = 0
  let most = 0

  const results = await Promise.allSettled(
    Array.from({ length: 60 }, (_, i) => store.png(i, { ...TEXT, title: `Post ${i}` })),
  )

  assert.equal(most, 2)
  const busy = results.filter((r) => r.status === 'rejected')
  assert.ok(busy.length > 0, 'some were turned away')
  for (const r of busy) assert.ok(r.status === 'rejected' && r.reason instanceof BusyError)
  assert.equal(results.length - busy.length, 2 + 32, 'two drawing and a queue of 32 were served')
})

test('a card that cannot be kept on disk is still served, and the failure reported', async (t) => {
  // MEDIA_DIR is a file here, so no folder can be made in it.
  const dir = join(mediaDir(t), 'not-a-folder')
  writeFileSync(dir, 'x')
  const failures: unknown[] = []
  const store = createCardStore(dir, { onKeepFailed: (err) => failures.push(err) })

  const png = await store.png(1, TEXT)

  assert.ok(png.length > 1000)
  assert.equal(failures.length, 1)
})
