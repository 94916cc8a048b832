// Owns the production build: esbuild bundles src/ into a flat dist/ (server, CLI, workers), with launchers that turn on Node's compile cache.
//
//   npm run build                      → dist/
//   npm run build -- --outdir <dir>    → <dir> (tests build elsewhere, so they never race a build in dist/)
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { build, type Metafile, type Plugin, transform } from 'esbuild'

const ROOT = resolve(import.meta.dirname, '..')
const SRC = join(ROOT, 'src')
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(ROOT, 'dist') } } })
const OUT = resolve(values.outdir)

/**
 * Left in node_modules and loaded at run time: native addons (better-sqlite3, sharp, argon2), and
 * pino with its transports, which start worker threads on files found next to their own code.
 * Packages Folio only locates (dejavu-fonts-ttf, @simplewebauthn/browser: createRequire().resolve)
 * stay in node_modules as dependencies and need nothing here.
 */
const EXTERNAL = ['better-sqlite3', 'sharp', 'argon2', 'pino', 'pino-pretty', 'thread-stream']

/**
 * Fastify requires these only inside a branch a Folio server never takes: its JSON-schema
 * compilers (ajv, fast-json-stringify) when a route has a schema, and app.ts gives Fastify its own
 * that refuse one; light-my-request when `inject` is first called (tests, the image's warm-up).
 * Bundled, V8 still compiled their ~650 KB at every start. Left in node_modules (they are
 * Fastify's own dependencies), they load only if that branch ever runs.
 */
const NEVER_AT_START = ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request']

/** The real programs; dist/server.js and dist/cli.js are the launchers written below. */
const PROGRAMS = { 'server-main': 'src/server.ts', 'cli-main': 'src/cli.ts', 'warm-up': 'src/warm-up.ts' }
const LAUNCHERS = { server: 'server-main', cli: 'cli-main' }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/**
 * Every module started as a worker thread (`new URL('./x-worker.ts', import.meta.url)`). In the
 * flat bundle that URL points at dist/x-worker.js, so each one is an entry named after its file.
 */
function workerEntries(): Record<string, string> {
  const workers: Record<string, string> = {}
  const taken = new Map<string, string>(
    [...Object.keys(PROGRAMS), ...Object.keys(LAUNCHERS)].map((name) => [name, 'a program']),
  )
  for (const file of sourceFiles(SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(
      /new URL\(\s*'\.\/([^']+)\.ts',\s*import\.meta\.url\s*\)/g,
    )) {
      const path = join(dirname(file), `${match[1]}.ts`)
      const name = basename(path, '.ts')
      const other = taken.get(name)
      if (other && other !== path)
        throw new Error(
          `two entries would both be dist/${name}.js: ${relative(ROOT, path)} and ${other}. Rename one.`,
        )
      if (name.startsWith('chunk-')) throw new Error(`${relative(ROOT, path)}: chunk-* names are esbuild's`)
      taken.set(name, path)
      workers[name] = relative(ROOT, path)
    }
  }
  return workers
}

/**
 * Node's own modules reach the bundle through require(), never import. An import makes Node build
 * an ES module of every export, reading each one, and some are getters that load what they name:
 * on Node 24 `node:http`'s WebSocket, MessageEvent and CloseEvent load undici (all of fetch, ~75 ms
 * of CPU at every start), `node:crypto`'s webcrypto and `node:util`'s abort helpers load theirs.
 * esbuild's wrapper for a CommonJS module reads an export only when the code uses it.
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^[\w:/]+$/ }, ({ path, kind }) =>
      (kind === 'import-statement' || kind === 'dynamic-import') && isBuiltin(path)
        ? { path: path.startsWith('node:') ? path : `node:${path}`, namespace: 'node-builtin' }
        : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)})`,
      loader: 'js',
    }))
  },
}

/**
 * @fastify/multipart offers request.formData(), which Folio never calls, when globalThis.FormData
 * exists, and reading that global makes Node load undici (all of fetch): ~30 ms of CPU at every
 * start on Node 20. On Node 24 even looking at the property without reading it loads undici, so the
 * global cannot be hidden while the plugin registers; the bundle's copy reads `undefined` instead.
 */
const MULTIPART_FORM_DATA = 'if (globalThis.FormData && '
const multipartWithoutFormData: Plugin = {
  name: 'multipart-without-form-data',
  setup(build) {
    build.onLoad({ filter: /[\\/]@fastify[\\/]multipart[\\/]index\.js$/ }, ({ path }) => {
      const code = readFileSync(path, 'utf8')
      if (!code.includes(MULTIPART_FORM_DATA))
        throw new Error(
          `${relative(ROOT, path)} no longer reads globalThis.FormData as scripts/build.ts expects: see what it does now`,
        )
      return { contents: code.replace(MULTIPART_FORM_DATA, 'if (undefined && '), loader: 'js' }
    })
  },
}

/** A launcher: turns on the compile cache, then imports the program, so the program compiles from it. */
const launcher = (
  program: string,
) => `// Written by scripts/build.ts. Node >= 22.1 compiles the bundle from its compile cache
// (NODE_COMPILE_CACHE, or the default folder); older Node has no enableCompileCache and skips it.
import module from 'node:module'
module.enableCompileCache?.()
await import('./${program}.js')
`

/** The files a start of `entry` loads before any of its code runs: it and its static imports, transitively. */
function startUpFiles(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const i of meta.outputs[file]?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) visit(i.path)
  }
  visit(entry)
  return [...seen]
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`

const workers = workerEntries()
const entries = { ...PROGRAMS, ...workers }
const started = performance.now()
rmSync(OUT, { recursive: true, force: true })
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: Object.entries(entries).map(([out, file]) => ({ in: file, out })),
  outdir: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  metafile: true,
  external: [...EXTERNAL, ...NEVER_AT_START],
  plugins: [builtinsByRequire, multipartWithoutFormData],
  // Bundled CommonJS calls require(); an ES module has none, so every file gets one (named so no bundled code clashes).
  banner: {
    js: "import { createRequire as __folioCreateRequire } from 'node:module'; const require = __folioCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
for (const [name, program] of Object.entries(LAUNCHERS))
  writeFileSync(join(OUT, `${name}.js`), launcher(program))

/** Bundled code that reads __dirname in a path Folio never takes. */
const HARMLESS_DIRNAME: Record<string, string> = {
  '@fastify/view': 'only for the doT engine; Folio renders with eta',
}

/** Packages whose bundled code uses __dirname or __filename: in an ES module those do not exist. */
function packagesUsingDirname(file: string): Set<string> {
  const found = new Set<string>()
  let module = ''
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const header = /^\/\/ (\S+)$/.exec(line)
    if (header) module = header[1] ?? ''
    else if (/\b__(dirname|filename)\b/.test(line))
      found.add(/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ?? module)
  }
  return found
}

// A bundled package that finds files beside its own code would look in dist/ and fail only when run.
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))
const strays = new Set(outputs.flatMap((f) => [...packagesUsingDirname(join(ROOT, f))]))
for (const name of Object.keys(HARMLESS_DIRNAME)) strays.delete(name)
if (strays.size)
  throw new Error(`bundled code uses __dirname or __filename (${[...strays].join(', ')}): make it external`)

/**
 * V8 holds a script's source for as long as it runs (functions compile from it when first called),
 * one byte per character only if every character fits in one: a single "—" makes the 3 MB
 * start-up chunk take 6 MB. esbuild escapes strings and names (its default charset is ASCII) but
 * copies comments as they are, so they are escaped here; the program esbuild reads back must be
 * unchanged, which proves every escape was in a comment. Any other such character is written
 * as an escape in the source.
 */
async function escapeComments(file: string): Promise<void> {
  const code = readFileSync(file, 'utf8')
  const ascii = code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (ascii === code) return
  const program = async (source: string) =>
    (await transform(source, { minifyWhitespace: true, legalComments: 'none', format: 'esm' })).code
  if ((await program(ascii)) !== (await program(code)))
    throw new Error(
      `${relative(ROOT, file)} has a non-ASCII character outside comments: write it as a \\u escape`,
    )
  writeFileSync(file, ascii)
}
await Promise.all(outputs.map((f) => escapeComments(join(ROOT, f))))

const outRel = (name: string) => relative(ROOT, join(OUT, name))
const startUp = startUpFiles(result.metafile, outRel('server-main.js'))
const size = (f: string) => statSync(join(ROOT, f)).size
const total = startUp.reduce((sum, f) => sum + size(f), 0)
console.log(
  `built ${relative(ROOT, OUT)}/ in ${(performance.now() - started).toFixed(0)} ms: ${outputs.length} files`,
)
console.log(`workers: ${Object.keys(workers).sort().join(', ')}`)
console.log(`the server's start-up loads ${kb(total)} in ${startUp.length} files:`)
for (const f of startUp.sort((a, b) => size(b) - size(a)))
  console.log(`  ${kb(size(f)).padStart(8)}  ${basename(f)}`)
