// Owns how Folio names itself to other servers: its version (NodeInfo) and one User-Agent for every outgoing federation and Webmention request.
import { readFileSync } from 'node:fs'
import { PACKAGE_JSON } from '../paths.ts'

/** package.json's version, read once. */
export const FOLIO_VERSION = (
  JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as {
    version: string
  }
).version

/** `Folio/0.1.0 (+https://example.com)`: the site's address lets a remote admin see who is calling. */
export const userAgent = (siteUrl: string): string => `Folio/${FOLIO_VERSION} (+${siteUrl})`
