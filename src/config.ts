// Owns the runtime configuration: one zod schema over the environment, frozen.
import * as z from 'zod'

/**
 * How many proxies in front of Folio append to X-Forwarded-For. Only that many entries, counted
 * from the right, are believed: the left-most ones are whatever the client chose to send.
 */
const proxyHops = z
  .string()
  .regex(/^(true|false|yes|no|[0-9])$/, 'expected true, false, or the number of proxies in front (1-9)')
  .transform((v) =>
    v === 'false' || v === 'no' || v === '0' ? 0 : v === 'true' || v === 'yes' ? 1 : Number(v),
  )

const schema = z.object({
  PORT: z.coerce
    .number({ message: 'expected a port number between 0 and 65535' })
    .int('expected a port number between 0 and 65535')
    .min(0, 'expected a port number between 0 and 65535')
    .max(65535, 'expected a port number between 0 and 65535')
    .default(3000),
  HOST: z.string().min(1, 'expected a host name or IP address').default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1, 'expected a file path').default('./data/folio.db'),
  MEDIA_DIR: z.string().min(1, 'expected a directory path').default('./data/media'),
  SITE_URL: z
    .url({ protocol: /^https?$/, message: 'expected an absolute http:// or https:// URL' })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: 'expected development, production or test' })
    .default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  TRUST_PROXY: proxyHops.default(0),
  SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'expected an smtp:// or smtps:// URL' }).optional(),
  NOTIFY_EMAIL: z.email({ message: 'expected an email address' }).optional(),
  // Newsletter copies sent per minute at most: providers throttle or flag bursts (Gmail's SMTP
  // allows a few hundred a day; relays state a rate). Mail to the author is never held by it.
  NEWSLETTER_PER_MINUTE: z.coerce
    .number({ message: 'expected a whole number of emails per minute, 1 to 10000' })
    .int('expected a whole number of emails per minute, 1 to 10000')
    .min(1, 'expected a whole number of emails per minute, 1 to 10000')
    .max(10_000, 'expected a whole number of emails per minute, 1 to 10000')
    .default(60),
  // The page cache's bound in memory; 0 turns it off (every public page rendered afresh), for a
  // tiny machine or to measure the uncached path. Whole megabytes: a fraction is no real saving.
  PAGE_CACHE_MB: z.coerce
    .number({ message: 'expected a whole number of megabytes, 0 (off) to 4096' })
    .int('expected a whole number of megabytes, 0 (off) to 4096')
    .min(0, 'expected a whole number of megabytes, 0 (off) to 4096')
    .max(4096, 'expected a whole number of megabytes, 0 (off) to 4096')
    .default(32),
  // PRODUCT.md asks for false in production and for `true` to lift it for tests and private
  // networks. It is false everywhere, not keyed on NODE_ENV: a staging box or a VPS whose unit lost
  // NODE_ENV=production must not fetch 169.254.169.254 for a stranger. Tests and local federation
  // experiments ask for loopback peers explicitly.
  FETCH_ALLOW_PRIVATE: z
    .enum(['true', 'false'], { message: 'expected true or false' })
    .transform((v) => v === 'true')
    .default(false),
})

export interface Config {
  readonly port: number
  readonly host: string
  readonly databasePath: string
  readonly mediaDir: string
  readonly siteUrl: string
  readonly secureCookies: boolean
  readonly nodeEnv: 'development' | 'production' | 'test'
  readonly logLevel: string
  /** 0: use the socket's address; N: believe the last N X-Forwarded-For hops. */
  readonly trustProxy: number
  readonly smtpUrl: string | undefined
  readonly notifyEmail: string | undefined
  /** Newsletter copies sent per minute at most (a sliding minute). */
  readonly newsletterPerMinute: number
  /** Outgoing fetches (federation, Webmention, imports) may reach loopback and private addresses. */
  readonly fetchAllowPrivate: boolean
  /** The page cache's bound in bytes; 0: no page cache. */
  readonly pageCacheBytes: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads the configuration from `env`; throws a ConfigError whose message is one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {}
  for (const key of Object.keys(schema.shape)) {
    // An empty variable means "not set", as in most process managers' env files.
    const value = env[key]?.trim()
    if (value) input[key] = value
  }
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0])
      return `Invalid ${key}=${JSON.stringify(input[key] ?? '')}: ${issue.message}`
    })
    throw new ConfigError(lines.join('\n'))
  }
  const c = parsed.data
  // Unset, the site is wherever this process listens, so links printed and built match the port.
  const siteUrl = c.SITE_URL ?? `http://localhost:${c.PORT}`
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    databasePath: c.DATABASE_PATH,
    mediaDir: c.MEDIA_DIR,
    siteUrl,
    secureCookies: siteUrl.startsWith('https:'),
    nodeEnv: c.NODE_ENV,
    logLevel: c.LOG_LEVEL,
    trustProxy: c.TRUST_PROXY,
    smtpUrl: c.SMTP_URL,
    notifyEmail: c.NOTIFY_EMAIL,
    newsletterPerMinute: c.NEWSLETTER_PER_MINUTE,
    fetchAllowPrivate: c.FETCH_ALLOW_PRIVATE,
    pageCacheBytes: c.PAGE_CACHE_MB * 1024 * 1024,
  })
}
