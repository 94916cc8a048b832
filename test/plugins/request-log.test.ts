// Checks that production's batched log stream loses no line: each leaves in its turn, and a process that exits at once still writes them all.
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
