// Owns checking that every Folio program lets V8's background compilers finish before it exits (src/lib/before-exit.ts).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'

const ROOT = resolve(import.meta.dirname, '../..')
const SRC = join(ROOT, 'src')

const read = (file: string) => readFileSync(join(SRC, file), 'utf8')

test('no code calls process.exit but the helper that lets the compilers finish first', () => {
  const callers = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && /\bprocess\.exit\(/.test(read(file)),
  )
  assert.deepEqual(callers, ['lib/before-exit.ts'])
})

test('the server waits for the compilers at the end of its shutdown, before close-with-grace exits', () => {
  const server = read('server.ts')
  const shutdown = /closeWithGrace\([\s\S]*?\n\}\)\n/.exec(server)?.[0] ?? ''
  assert.ok(shutdown, 'server.ts hands its shutdown to close-with-grace')
  const steps = ['checkpointAndClose(', 'await letCompilersFinish()', "app.log.info('stopped')"]
  const at = steps.map((step) => shutdown.indexOf(step))
  assert.ok(
    at.every((index, i) => index >= 0 && (i === 0 || index > (at[i - 1] as number))),
    `in this order: ${steps.join(', ')}`,
  )
})

test('the CLI, which exits when its event loop empties, waits for the compilers as its last step', () => {
  const statements = read('cli.ts').trimEnd().split('\n')
  assert.equal(statements.at(-1), 'await letCompilersFinish()')
})
