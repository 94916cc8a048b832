// Owns how Folio names itself to other servers: its version (NodeInfo) and one User-Agent for every outgoing federation and Webmention request.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** package.json's version, read once. */
export const FOLIO_VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string
  }
).version

/** `Folio/0.1.0 (+https://example.com)`: the site's address lets a remote admin see who is calling. */
export const userAgent = (siteUrl: string): string => `Folio/${FOLIO_VERSION} (+${siteUrl})`
