// Checks the Dockerfile's claims without Docker: COPY sources in the context, ENTRYPOINT/CMD present and executable, a non-root user.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { test } from 'node:test'
import {
  type Copy,
  execForm,
  inImage,
  lastOf,
  parseCopy,
  parseDockerfile,
  readDockerIgnore,
  type Stage,
} from './dockerfile.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
const runStage = stages.at(-1) as Stage
const ignore = readDockerIgnore(ROOT)

/** Each COPY of a stage with the WORKDIR it runs in. */
function copiesOf(stage: Stage): { copy: Copy; workdir: string }[] {
  let workdir = '/'
  const out: { copy: Copy; workdir: string }[] = []
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = inImage(workdir, instruction.args)
    if (instruction.keyword === 'COPY') out.push({ copy: parseCopy(instruction), workdir })
  }
  return out
}

/** The image path a COPY puts `source` at. */
function destinationOf(copy: Copy, workdir: string, source: string): string {
  const dest = inImage(workdir, copy.dest)
  const intoDir = copy.dest.endsWith('/') || copy.sources.length > 1
  return intoDir ? posix.join(dest, posix.basename(source)) : dest
}

/** The context file that ends up at image path `path` in the run stage, when a plain COPY puts it there. */
function contextFileAt(path: string): string | undefined {
  for (const { copy, workdir } of copiesOf(runStage)) {
    if (copy.from) continue
    for (const source of copy.sources) {
      const at = destinationOf(copy, workdir, source)
      if (path === at) return source
      if (path.startsWith(`${at}/`)) return posix.join(source, path.slice(at.length + 1))
    }
  }
  return undefined
}

const workdirOf = (stage: Stage) => copiesOf(stage).at(-1)?.workdir ?? lastOf(stage, 'WORKDIR')?.args ?? '/'

test('the Dockerfile has a build stage and a separate run stage', () => {
  assert.ok(stages.length >= 2, 'a multi-stage build keeps the compiler out of the image')
  assert.ok(
    stages.slice(0, -1).some((s) => s.name),
    'the build stage is named, for COPY --from',
  )
})

test('every COPY source is in the build context and not left out by .dockerignore', () => {
  for (const [index, stage] of stages.entries()) {
    for (const { copy } of copiesOf(stage)) {
      if (copy.from) {
        const earlier = stages.slice(0, index).some((s, i) => s.name === copy.from || String(i) === copy.from)
        assert.ok(earlier, `line ${copy.line}: COPY --from=${copy.from} names no earlier stage`)
        continue
      }
      for (const source of copy.sources) {
        assert.ok(!/[*?[]/.test(source), `line ${copy.line}: ${source}: wildcards are not checked here`)
        assert.ok(
          existsSync(join(ROOT, source)),
          `line ${copy.line}: COPY ${source}: no such file in the repo`,
        )
        assert.ok(!ignore.excludes(source), `line ${copy.line}: COPY ${source}: .dockerignore leaves it out`)
      }
    }
  }
})

test('.dockerignore keeps local data, dependencies and builds out of the context', () => {
  for (const path of ['node_modules', 'dist', 'data', '.git', 'folio.db', 'folio.db-wal']) {
    assert.ok(ignore.excludes(path), `${path} is not sent to the Docker daemon`)
  }
  assert.ok(!ignore.excludes('src/server.ts'))
})

test('the ENTRYPOINT is copied into the image from the repo, and is executable with a shebang', () => {
  const entrypoint = lastOf(runStage, 'ENTRYPOINT')
  if (!entrypoint) return
  const argv = execForm(entrypoint.args)
  assert.ok(argv, 'exec form, so the server gets SIGTERM directly and no shell sits in between')
  const [program] = argv
  assert.ok(program)
  const inside = inImage(workdirOf(runStage), program)
  const source = contextFileAt(inside)
  assert.ok(source, `${program} (${inside}) is put into the image by a COPY`)
  const file = join(ROOT, source)
  assert.ok(existsSync(file), `${source} exists`)
  assert.ok(statSync(file).mode & 0o111, `${source} is executable (git keeps the mode; Docker COPY too)`)
  assert.match(readFileSync(file, 'utf8'), /^#!\/(bin\/sh|usr\/bin\/env sh|bin\/bash)\n/, 'a shebang')
  assert.match(readFileSync(file, 'utf8'), /exec "\$@"/, 'it execs the command, so signals reach the server')
})

test('the CMD runs a file the build produces and the run stage copies', () => {
  const cmd = lastOf(runStage, 'CMD')
  assert.ok(cmd, 'the image says what to run')
  const argv = execForm(cmd.args)
  assert.ok(argv, 'exec form')
  assert.equal(argv[0], 'node')
  // Node's own flags (the young generation's size, see src/memory.ts) come before the script.
  const script = argv.slice(1).find((arg) => !arg.startsWith('--')) ?? ''
  assert.match(script, /^dist\/.+\.js$/, 'the compiled server')
  // scripts/build.ts bundles into dist/ and writes dist/<name>.js for each of its launchers.
  const outDir = 'dist'
  const name = script.replace(/^dist\//, '').replace(/\.js$/, '')
  const build = readFileSync(join(ROOT, 'scripts/build.ts'), 'utf8')
  assert.match(
    build,
    new RegExp(`const LAUNCHERS = \\{[^}]*\\b${name}:`),
    `scripts/build.ts writes ${script}`,
  )
  const inside = inImage(workdirOf(runStage), outDir)
  const fromBuild = copiesOf(runStage).some(
    ({ copy, workdir }) =>
      copy.from !== undefined && copy.sources.some((s) => destinationOf(copy, workdir, s) === inside),
  )
  assert.ok(fromBuild, `the run stage copies ${outDir}/ from the build stage`)
})

test('the run stage copies what the compiled server reads at run time', () => {
  // package.json: "type": "module" makes dist/*.js ES modules; the rest are read from disk.
  for (const path of ['package.json', 'migrations', 'migrations/meta/_journal.json', 'views', 'static']) {
    const source = contextFileAt(inImage(workdirOf(runStage), path))
    assert.ok(source && existsSync(join(ROOT, source)), `${path} is in the image`)
  }
})

test('the image runs as a user it creates, not as root', () => {
  const user = lastOf(runStage, 'USER')?.args
  assert.ok(user && user !== 'root' && user !== '0', `USER ${user}`)
  const created = runStage.instructions.some(
    (i) => i.keyword === 'RUN' && new RegExp(`useradd\\b[^&;]*\\b${user}\\b`).test(i.args),
  )
  assert.ok(created, `a RUN creates the user ${user}`)
})

test('the build stage installs, compiles, then drops dev dependencies (what the smoke test replays)', () => {
  const runs = stages
    .slice(0, -1)
    .flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args))
    .join(' && ')
  const at = (re: RegExp) => runs.search(re)
  assert.ok(at(/npm ci\b/) >= 0, 'npm ci')
  assert.ok(at(/npm run build\b/) > at(/npm ci\b/), 'npm run build after npm ci')
  assert.ok(at(/npm prune --omit=dev\b/) > at(/npm run build\b/), 'npm prune --omit=dev after the build')
})
