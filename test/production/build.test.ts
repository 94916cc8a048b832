// Checks the production bundle: `npm run build` into a temporary folder, then the built server, CLI, workers and warm-up run from it.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { freePort, ROOT } from '../helpers/processes.ts'

/** A stand-in for the image's /app: dist/ built here, the rest linked from the checkout. */
const app = mkdtempSync(join(tmpdir(), 'folio-build-'))
const dist = join(app, 'dist')
let workers: string[] = []
let startUpFiles: string[] = []

before(() => {
  for (const name of ['views', 'static', 'migrations', 'package.json', 'node_modules'])
    symlinkSync(join(ROOT, name), join(app, name))
  // Its own folder, so this never races a build into dist/ (the smoke test's, the benchmark's).
  const out = spawnSync('npm', ['run', 'build', '--', '--outdir', dist], { cwd: ROOT, encoding: 'utf8' })
  assert.equal(out.status, 0, `npm run build failed:\n${out.stdout}${out.stderr}`)
  workers = /^workers: (.+)$/m.exec(out.stdout)?.[1]?.split(', ') ?? []
  // The lines under "the server's start-up loads … in N files:", each "<size> KB  <file>".
  startUpFiles = [...out.stdout.matchAll(/^\s+\d+ KB\s+(\S+\.js)$/gm)].map((m) => m[1] ?? '')
})
after(() => rmSync(app, { recursive: true, force: true }))

const env = (dir: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  DATABASE_PATH: join(dir, 'folio.db'),
  MEDIA_DIR: join(dir, 'media'),
  ...extra,
})

const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'folio-build-data-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('the build writes the server, the CLI and every worker module the code starts', () => {
  for (const name of ['server', 'server-main', 'cli', 'cli-main', 'warm-up'])
    assert.ok(existsSync(join(dist, `${name}.js`)), `dist/${name}.js`)
  for (const name of ['markdown-worker', 'note-worker', 'read-worker', 'import-worker', 'compose-worker'])
    assert.ok(workers.includes(name), `the build names ${name} (it named ${workers.join(', ')})`)
  for (const name of workers) assert.ok(existsSync(join(dist, `${name}.js`)), `dist/${name}.js`)
})

test("the server's start-up code carries none of zod's locales but English (import * as z lets esbuild drop them)", () => {
  assert.ok(
    startUpFiles.includes('server-main.js'),
    `the build lists the start-up files (${startUpFiles.join(', ')})`,
  )
  for (const file of startUpFiles) {
    const bundled = readFileSync(join(dist, file), 'utf8')
    // esbuild heads each bundled module with a comment naming its path.
    assert.doesNotMatch(
      bundled,
      /^\/\/ node_modules\/zod\/v4\/locales\/(?!en\.js)/m,
      `${file} bundles zod's locales`,
    )
  }
})

test('every bundled file is ASCII, so V8 keeps its source at one byte a character', () => {
  const files = readdirSync(dist).filter((name) => name.endsWith('.js'))
  assert.ok(files.length > 10, `the build wrote ${files.join(', ')}`)
  for (const file of files) {
    const code = readFileSync(join(dist, file), 'utf8')
    const at = code.search(/[\u0080-\uffff]/)
    assert.equal(at, -1, `${file}: ${JSON.stringify(code.slice(Math.max(0, at - 40), at + 10))}`)
  }
})

test('no bundled file carries code a server never runs: JSON-schema compilers, inject, glob', () => {
  // (Fastify's error serializer uses fast-json-stringify's small Serializer class, and that stays.)
  const never =
    /^\/\/ node_modules\/(ajv\/|fast-json-stringify\/index|light-my-request\/|glob\/|@fastify\/(?:ajv-compiler|fast-json-stringify-compiler|static)\/)/gm
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
    // esbuild names each bundled module in a comment line: // node_modules/<package>/<file>
    const carried = [...readFileSync(join(dist, file), 'utf8').matchAll(never)].map((m) => m[1])
    assert.deepEqual([...new Set(carried)], [], `${file} bundles them`)
  }
})

test("the bundle takes Node's own modules with require, never import (an import reads every export)", () => {
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
    const code = readFileSync(join(dist, file), 'utf8')
    // esbuild writes a static import at the start of a line and every specifier in double quotes
    // (the banner's own import of node:module, in single quotes, is the one every require() goes
    // through); an import inside a demo post's code sample is neither.
    const imports = [
      ...code.matchAll(/^import\b[^\n]*?"(node:[^"]+)";?$/gm),
      ...code.matchAll(/\bimport\("(node:[^"]+)"\)/g),
    ].map((m) => m[1])
    assert.deepEqual(imports, [], `${file} imports ${imports.join(', ')}`)
  }
})

test('the built server serves a seeded blog without loading undici or waking ICU for a date, a number or the timezones', async (t) => {
  const port = await freePort()
  const data = scratch()
  const seeded = spawnSync(process.execPath, [join(dist, 'cli.js'), 'seed', '--posts', '3'], {
    cwd: app,
    env: env(data, { LOG_LEVEL: 'silent' }),
    encoding: 'utf8',
  })
  assert.equal(seeded.status, 0, `${seeded.stdout}${seeded.stderr}`)
  // What the server had loaded when it stopped (on Node 24 an import of node:http alone loads
  // undici, all of fetch), and which of ICU's formatters and lists it used: the first one pages
  // ~5 MB of the node binary into memory, and a UTC site's dates and counts need none.
  const loaded = join(data, 'loaded.json')
  const probe = join(data, 'probe.mjs')
  writeFileSync(
    probe,
    `import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
const icu = new Set()
for (const name of ['DateTimeFormat', 'NumberFormat', 'PluralRules', 'ListFormat', 'RelativeTimeFormat'])
  Intl[name] = new Proxy(Intl[name], { construct: (target, args) => (icu.add('Intl.' + name), new target(...args)) })
const listValues = Intl.supportedValuesOf
Intl.supportedValuesOf = (key) => (icu.add('Intl.supportedValuesOf ' + key), listValues(key))
for (const [type, method] of [[Number, 'toLocaleString'], [Date, 'toLocaleString'], [Date, 'toLocaleDateString'], [Date, 'toLocaleTimeString']]) {
  const original = type.prototype[method]
  type.prototype[method] = function (...args) { icu.add(type.name + '.' + method); return original.apply(this, args) }
}
const required = () => Object.keys(createRequire(import.meta.url).cache)
process.on('exit', () => writeFileSync(${JSON.stringify(loaded)}, JSON.stringify({ modules: process.moduleLoadList, required: required(), icu: [...icu] })))
`,
  )
  const child = spawn(process.execPath, [join(dist, 'server.js')], {
    cwd: app,
    env: env(data, {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: `--import=${pathToFileURL(probe).href}`,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (c) => (output += c))
  child.stderr.on('data', (c) => (output += c))
  t.after(() => child.kill('SIGKILL'))
  const exited = new Promise((done) => child.once('exit', done))
  let status = 0
  for (let tries = 0; status !== 200 && tries < 300; tries++) {
    assert.equal(child.exitCode, null, `the server exited:\n${output}`)
    status = await fetch(`http://127.0.0.1:${port}/`).then(
      (res) => res.text().then(() => res.status),
      () => 0,
    )
    if (status !== 200) await new Promise((done) => setTimeout(done, 100))
  }
  assert.equal(status, 200, `GET / never answered 200:\n${output}`)
  const home = await (await fetch(`http://127.0.0.1:${port}/`)).text()
  const post = /href="(\/posts\/[^"/]+)"/.exec(home)?.[1]
  assert.ok(post, 'the seeded home page links a post')
  const article = await fetch(`http://127.0.0.1:${port}${post}`)
  assert.equal(article.status, 200)
  assert.match(
    await article.text(),
    /<time datetime="[^"]+">\d{1,2} [A-Z][a-z]+ \d{4}<\/time>/,
    'the post shows its date',
  )
  for (const path of ['/posts', '/search?q=tea', '/feed.xml']) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`)
    assert.equal(res.status, 200, path)
    await res.arrayBuffer()
  }
  child.kill('SIGTERM')
  assert.equal(await exited, 0, `a clean stop:\n${output}`)
  const { modules, required, icu }: { modules: string[]; required: string[]; icu: string[] } = JSON.parse(
    readFileSync(loaded, 'utf8'),
  )
  assert.deepEqual(
    icu,
    [],
    'in UTC, dates and counts are written without ICU, and no page lists the timezones',
  )
  assert.ok(modules.includes('NativeModule http'), 'the probe lists what the server loaded')
  assert.deepEqual(
    modules.filter((name) => name.includes('undici')),
    [],
    'serving a page and a search never needs fetch',
  )
  // Left out of the bundle because a server never runs them (scripts/build.ts): still not loaded.
  assert.ok(
    required.some((file) => file.includes('/node_modules/better-sqlite3/')),
    'the probe lists the packages required from node_modules',
  )
  assert.deepEqual(
    required.filter((file) =>
      /\/node_modules\/(ajv|@fastify\/(ajv|fast-json)|fast-json-stringify|light-my-request|glob)\b/.test(
        file,
      ),
    ),
    [],
    'no JSON-schema compiler, inject or glob was loaded',
  )
})

/** Starts dist/<name>.js as a worker and returns its first message (or its error). */
function firstMessage(name: string, workerData: unknown, send?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(dist, `${name}.js`), { workerData })
    worker.once('message', (message: unknown) => {
      if (send === undefined) {
        void worker.terminate()
        resolve(message)
      } else {
        worker.once('message', (reply: unknown) => {
          void worker.terminate()
          resolve(reply)
        })
        worker.postMessage(send)
      }
    })
    worker.once('error', reject)
  })
}

test('the Markdown worker loads from the bundle and highlights a code block', async () => {
  const reply = (await firstMessage('markdown-worker', null, {
    job: { kind: 'markdown', markdown: '```js\nconst kettle = 1\n```' },
    images: new Map(),
  })) as { type: string; result: string }
  assert.equal(reply.type, 'done', JSON.stringify(reply))
  assert.match(reply.result, /<pre[^>]*><code class="[^"]*hljs[^"]*language-js/)
  assert.match(reply.result, /<span class="hljs-keyword">const<\/span>/)
})

test('the Webmention reader loads from the bundle and finds the link', async () => {
  const target = 'https://blog.example/posts/kettles'
  const result = (await firstMessage('read-worker', {
    html: `<p>About <a href="${target}">kettles</a></p>`,
    plain: false,
    source: 'https://other.example/reply',
    pageUrl: 'https://other.example/reply',
    target,
  })) as { links: boolean }
  assert.equal(result.links, true)
})

test('every other worker loads its modules from the bundle', async () => {
  for (const name of workers.filter((w) => w !== 'markdown-worker' && w !== 'read-worker')) {
    // They say so before reading their job, so an empty one is enough.
    assert.equal(await firstMessage(name, {}), 'folio:worker-ready', name)
  }
})

test('the built CLI seeds posts, rendering their Markdown', () => {
  const out = spawnSync(process.execPath, [join(dist, 'cli.js'), 'seed', '--posts', '3'], {
    cwd: app,
    env: env(scratch(), { LOG_LEVEL: 'silent' }),
    encoding: 'utf8',
  })
  assert.equal(out.status, 0, `${out.stdout}${out.stderr}`)
})

test('the compile-cache warm-up runs from the bundle without a port and exits 0', () => {
  const out = spawnSync(process.execPath, [join(dist, 'warm-up.js')], {
    cwd: app,
    env: env(scratch(), { NODE_COMPILE_CACHE: join(scratch(), 'cache') }),
    encoding: 'utf8',
  })
  assert.equal(out.status, 0, `${out.stdout}${out.stderr}`)
  assert.match(out.stdout, /compile cache/)
})
