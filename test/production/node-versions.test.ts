// Owns the agreement on Node versions: package.json's engines, the Dockerfile's NODE_VERSION and the Node CI tests on.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'

const ROOT = resolve(import.meta.dirname, '../..')
const engines: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node

/** Whether `version` (1.2.3) meets engines, which is written as caret ranges joined by `||` (what npm checks). */
function accepted(version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number]
  return engines.split('||').some((range) => {
    const m = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(range)
    assert.ok(m, `engines.node is caret ranges joined by ||, not "${range.trim()}"`)
    const [want, wantMinor, wantPatch] = m.slice(1).map(Number) as [number, number, number]
    return major === want && (minor > wantMinor || (minor === wantMinor && patch >= wantPatch))
  })
}

test('engines accepts Node 20 from 20.12 and Node 24, and nothing CI does not test', () => {
  assert.ok(accepted('20.12.0') && accepted('20.20.2') && accepted('24.0.0') && accepted('24.22.3'))
  assert.ok(!accepted('20.11.1'), 'Node 20 before 20.12 lacks APIs Folio uses')
  assert.ok(!accepted('22.12.0') && !accepted('26.0.0'), 'Node 22 and 26 are not tested')
})

test('the Node running these tests is one engines accepts (CI runs them on 20 and 24)', () => {
  assert.ok(accepted(process.versions.node), `Node ${process.versions.node} is outside engines "${engines}"`)
})

test('the Docker image runs one Node 24 release, the one .ci/node24.sh tests, and engines accepts it', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  const version = /^ARG NODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1]
  assert.match(version ?? '', /^24\.\d+\.\d+$/, 'ARG NODE_VERSION names an exact Node 24 release')
  assert.ok(accepted(version as string))
  // The CI script reads the release from the Dockerfile rather than naming its own.
  assert.match(readFileSync(join(ROOT, '.ci/node24.sh'), 'utf8'), /ARG NODE_VERSION/)
})
