// Checks that production's batched log stream loses no line: a lone line leaves soon, and a process that exits, at once or by simply ending, still writes them all.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { ROOT } from '../helpers/processes.ts'

const script = `
import { batchedStdout } from './src/plugins/request-log.ts'
const out = batchedStdout()
out.write('first\\n')
setImmediate(() => {
  out.write('second\\n')
  out.write('third\\n')
  process.exit(3)
})
`

test('log lines written just before the process exits still reach stdout, in order', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  assert.equal(child.status, 3, child.stderr)
  assert.equal(child.stdout, 'first\nsecond\nthird\n')
})

test('a lone log line reaches stdout soon, while the process keeps running', async () => {
  const { spawn } = await import('node:child_process')
  const lone = `
import { batchedStdout } from './src/plugins/request-log.ts'
batchedStdout().write('alone\\n')
setTimeout(() => {}, 10_000)
`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', lone], { cwd: ROOT })
  try {
    const first = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk) => resolve(String(chunk)))
      child.once('exit', (code) => reject(new Error(`exited with ${code} before writing`)))
    })
    assert.equal(first, 'alone\n')
  } finally {
    child.kill()
  }
})

test('a process that simply ends writes its pending lines, and a pending line never keeps it alive', () => {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { batchedStdout } from './src/plugins/request-log.ts'\nbatchedStdout().write('last words\\n')`,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
  )
  assert.equal(child.status, 0, child.stderr)
  assert.equal(child.stdout, 'last words\n')
})
