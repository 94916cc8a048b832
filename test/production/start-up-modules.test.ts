// Checks that a server waking for a reader loads only what serving needs: the save, mail and import code arrives on first use.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { postUrl } from '../../src/lib/urls.ts'
import { createTestDb } from '../helpers/app.ts'
import { createPost } from '../helpers/fixtures.ts'
import { startServer, untilListening } from '../helpers/processes.ts'

/** Packages that only saving, mailing, federating, importing or signing in need. */
const SAVE_TIME_PACKAGES = [
  'marked',
  'marked-highlight',
  'highlight.js',
  'sanitize-html',
  'sharp',
  'argon2',
  'nodemailer',
  'juice',
  'html-to-text',
  'turndown',
  '@joplin/turndown-plugin-gfm',
  'fast-xml-parser',
  'microformats-parser',
  'qrcode',
  'csv-parse',
  'csv-stringify',
  'diff',
  'yaml',
  'feed',
  'cli-progress',
  '@simplewebauthn/server',
]

/**
 * A module-loading hook for the child: every bare specifier Folio's own code resolves to a
 * package in node_modules is appended to the log as "package<TAB>importing file".
 */
const HOOKS = `
import { appendFileSync } from 'node:fs'
let log
export function initialize(data) { log = data.log }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  const parent = context.parentURL ?? ''
  if (!parent.includes('/node_modules/') && result.url.includes('/node_modules/') && !/^[./]|^[a-z]+:/.test(specifier)) {
    const parts = specifier.split('/')
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
    appendFileSync(log, name + '\\t' + parent + '\\n')
  }
  return result
}
`

interface Loaded {
  readonly name: string
  readonly from: string
}

const loadedPackages = (log: string): Loaded[] =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', from = ''] = line.split('\t')
      return { name, from: from.replace(/^.*?\/(src\/)/, '$1') }
    })

/** Fails naming each save-time package that loaded and the file that imported it. */
function assertNoneLoaded(log: string, after: string, allowed: readonly string[] = []): void {
  const offenders = loadedPackages(log).filter(
    ({ name }) => SAVE_TIME_PACKAGES.includes(name) && !allowed.includes(name),
  )
  const named = [...new Set(offenders.map(({ name, from }) => `${name} (imported by ${from})`))]
  assert.deepEqual(named, [], `after ${after}, save-time packages were loaded: ${named.join(', ')}`)
}

const wasLoaded = (log: string, name: string): boolean => loadedPackages(log).some((p) => p.name === name)

test('a server waking for readers loads no save-time code; a feed or a sign-in brings in what it needs', async (t) => {
  const { db, dir, path } = createTestDb(t)
  const post = createPost(db, { title: 'Hello', bodyMd: 'Some `code` and a [link](https://example.com).' })
  const mediaDir = join(dir, 'media')
  mkdirSync(mediaDir)
  const log = join(dir, 'modules.log')
  writeFileSync(log, '')
  const hooks = join(dir, 'hooks.mjs')
  writeFileSync(hooks, HOOKS)
  const register = join(dir, 'register.mjs')
  writeFileSync(
    register,
    `import { register } from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log: ${JSON.stringify(log)} } })\n`,
  )

  const server = await startServer(t, {
    DATABASE_PATH: path,
    MEDIA_DIR: mediaDir,
    // Mail is set up, so its worker runs its passes, with nothing to send.
    SMTP_URL: 'smtp://127.0.0.1:9',
    NODE_OPTIONS: `--import=${pathToFileURL(register).href}`,
  })
  await untilListening(server)
  const get = async (url: string) => {
    const res = await fetch(`${server.url}${url}`)
    await res.arrayBuffer()
    assert.equal(res.status, 200, `GET ${url}`)
  }

  // The hook sees Folio's own imports: without this, an empty log would pass every check below.
  assert.ok(wasLoaded(log, 'fastify'), 'the module log records what the server loads')
  assertNoneLoaded(log, 'start-up')

  await get('/')
  await get(postUrl(post.slug))
  await get('/search?q=code')
  assertNoneLoaded(log, 'serving the home page, a post and a search')

  // A feed is built with the `feed` package on its first request, and with nothing else.
  await get('/feed.xml')
  assertNoneLoaded(log, 'serving a feed', ['feed'])
  assert.ok(wasLoaded(log, 'feed'), 'the feed package arrives with the first feed')

  // A sign-in attempt brings in password hashing, on first use.
  const page = await fetch(`${server.url}/admin/login`)
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const attempt = await fetch(`${server.url}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrf, email: 'nobody@example.com', password: 'not the password' }),
    redirect: 'manual',
  })
  await attempt.arrayBuffer()
  assert.equal(attempt.status, 401)
  assert.ok(wasLoaded(log, 'argon2'), 'argon2 arrives with the first sign-in')
  assertNoneLoaded(log, 'a failed sign-in', ['feed', 'argon2'])
})
