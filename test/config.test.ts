// Checks loading the configuration from the environment, and that a bad value stops the server.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../src/config.ts'

test('an empty environment gives the documented defaults', () => {
  const config = loadConfig({})
  assert.equal(config.port, 3000)
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.databasePath, './data/folio.db')
  assert.equal(config.mediaDir, './data/media')
  assert.equal(config.siteUrl, 'http://localhost:3000')
  assert.equal(config.secureCookies, false)
  assert.equal(config.nodeEnv, 'development')
  assert.equal(config.logLevel, 'info')
  assert.equal(config.trustProxy, 0)
  assert.equal(config.smtpUrl, undefined)
  assert.equal(config.notifyEmail, undefined)
  assert.equal(config.fetchAllowPrivate, false)
  assert.equal(config.pageCacheBytes, 32 * 1024 * 1024)
})

test('PAGE_CACHE_MB sets the page cache in megabytes, and 0 turns it off', () => {
  assert.equal(loadConfig({ PAGE_CACHE_MB: '8' }).pageCacheBytes, 8 * 1024 * 1024)
  assert.equal(loadConfig({ PAGE_CACHE_MB: '0' }).pageCacheBytes, 0)
})

test('without SITE_URL, absolute URLs use the port Folio listens on', () => {
  assert.equal(loadConfig({ PORT: '4250' }).siteUrl, 'http://localhost:4250')
  assert.equal(
    loadConfig({ PORT: '4250', SITE_URL: 'https://blog.example.com/' }).siteUrl,
    'https://blog.example.com',
  )
})

test('the configuration cannot be changed after loading', () => {
  const config = loadConfig({})
  assert.ok(Object.isFrozen(config))
})

test('good values from the environment are used', () => {
  const config = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_PATH: '/var/lib/folio/folio.db',
    MEDIA_DIR: '/var/lib/folio/media',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'true',
    SMTP_URL: 'smtps://user:pass@mail.example.com:465',
    NOTIFY_EMAIL: 'me@example.com',
    FETCH_ALLOW_PRIVATE: 'true',
  })
  assert.equal(config.port, 8080)
  assert.equal(config.host, '0.0.0.0')
  assert.equal(config.databasePath, '/var/lib/folio/folio.db')
  assert.equal(config.mediaDir, '/var/lib/folio/media')
  assert.equal(config.nodeEnv, 'production')
  assert.equal(config.logLevel, 'warn')
  assert.equal(config.trustProxy, 1)
  assert.equal(config.smtpUrl, 'smtps://user:pass@mail.example.com:465')
  assert.equal(config.notifyEmail, 'me@example.com')
  assert.equal(config.fetchAllowPrivate, true)
})

test('outgoing fetches refuse private addresses by default in every environment', () => {
  for (const NODE_ENV of ['development', 'production', 'test'])
    assert.equal(loadConfig({ NODE_ENV }).fetchAllowPrivate, false, NODE_ENV)
  assert.equal(loadConfig({ NODE_ENV: 'production', FETCH_ALLOW_PRIVATE: 'false' }).fetchAllowPrivate, false)
  assert.equal(loadConfig({ NODE_ENV: 'production', FETCH_ALLOW_PRIVATE: 'true' }).fetchAllowPrivate, true)
})

test('an https SITE_URL turns on Secure cookies and loses its trailing slash', () => {
  const config = loadConfig({ SITE_URL: 'https://blog.example.com/' })
  assert.equal(config.siteUrl, 'https://blog.example.com')
  assert.equal(config.secureCookies, true)
})

test('an http SITE_URL keeps cookies usable without TLS', () => {
  const config = loadConfig({ SITE_URL: 'http://blog.example.com//' })
  assert.equal(config.siteUrl, 'http://blog.example.com')
  assert.equal(config.secureCookies, false)
})

test('TRUST_PROXY accepts yes and no, or how many proxies stand in front', () => {
  for (const value of ['true', '1', 'yes'])
    assert.equal(loadConfig({ TRUST_PROXY: value }).trustProxy, 1, value)
  for (const value of ['false', '0', 'no'])
    assert.equal(loadConfig({ TRUST_PROXY: value }).trustProxy, 0, value)
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
})

test('empty and blank variables count as unset', () => {
  const config = loadConfig({
    PORT: '',
    HOST: '   ',
    SITE_URL: '',
    NODE_ENV: '',
    LOG_LEVEL: '',
    TRUST_PROXY: '',
    SMTP_URL: '',
    NOTIFY_EMAIL: '',
    FETCH_ALLOW_PRIVATE: '',
  })
  assert.equal(config.port, 3000)
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.siteUrl, 'http://localhost:3000')
  assert.equal(config.smtpUrl, undefined)
  assert.equal(config.notifyEmail, undefined)
  assert.equal(config.fetchAllowPrivate, false)
})

const badValues: readonly [string, string, RegExp][] = [
  ['PORT', 'abc', /port number/],
  ['PORT', '70000', /port number/],
  ['PORT', '-1', /port number/],
  ['PORT', '80.5', /port number/],
  ['SITE_URL', 'ftp://x', /http:\/\/ or https:\/\//],
  ['SITE_URL', 'blog.example.com', /http:\/\/ or https:\/\//],
  ['NODE_ENV', 'prod', /development, production or test/],
  ['LOG_LEVEL', 'loud', /fatal, error, warn, info, debug, trace, silent/],
  ['TRUST_PROXY', 'maybe', /true, false, or the number of proxies/],
  ['SMTP_URL', 'http://x', /smtp:\/\/ or smtps:\/\//],
  ['NOTIFY_EMAIL', 'x', /email address/],
  ['FETCH_ALLOW_PRIVATE', 'yes', /true or false/],
  ['FETCH_ALLOW_PRIVATE', '1', /true or false/],
  ['PAGE_CACHE_MB', 'lots', /whole number of megabytes/],
  ['PAGE_CACHE_MB', '-1', /whole number of megabytes/],
  ['PAGE_CACHE_MB', '1.5', /whole number of megabytes/],
  ['PAGE_CACHE_MB', '99999', /whole number of megabytes/],
]

for (const [name, value, expected] of badValues) {
  test(`${name}=${value} stops start-up with one line naming the variable, the value and what is expected`, () => {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, 'a ConfigError')
        assert.equal(err.message.split('\n').length, 1, 'one line')
        assert.ok(err.message.includes(name), `names ${name}: ${err.message}`)
        assert.ok(err.message.includes(value), `shows the value: ${err.message}`)
        assert.match(err.message, expected)
        return true
      },
    )
  })
}

test('several bad values are all reported, one line each', () => {
  assert.throws(
    () => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', SITE_URL: 'https://ok.example.com' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError)
      const lines = err.message.split('\n')
      assert.equal(lines.length, 2)
      assert.ok(lines.some((line) => line.includes('PORT') && line.includes('abc')))
      assert.ok(lines.some((line) => line.includes('LOG_LEVEL') && line.includes('loud')))
      return true
    },
  )
})

test('the server refuses to start on a bad PORT, exits with code 1 and says why in one line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'folio-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      PORT: 'abc',
      DATABASE_PATH: join(dir, 'folio.db'),
      MEDIA_DIR: join(dir, 'media'),
      LOG_LEVEL: 'silent',
    },
    encoding: 'utf8',
    timeout: 20_000,
  })
  assert.equal(result.status, 1, `exit code (stderr: ${result.stderr})`)
  const lines = result.stderr.trim().split('\n')
  assert.equal(lines.length, 1, `one line on stderr: ${result.stderr}`)
  assert.match(lines[0] ?? '', /PORT/)
  assert.match(lines[0] ?? '', /abc/)
})
