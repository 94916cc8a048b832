// Owns where an imported image's bytes come from: which address to try first (the original, not a resized copy), a --media-dir copy, or the old site through the SSRF-guarded fetch.
import { readFile, realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { formatBytes } from '../../lib/format-bytes.ts'
import { FetchRefusedError, safeFetch } from '../../lib/safe-fetch.ts'
import { decodeOrKeep } from '../../lib/text.ts'
import { FOLIO_VERSION } from '../../lib/user-agent.ts'
import { MAX_UPLOAD_BYTES } from '../media/pipeline.ts'
import { withSiteAddress } from './convert-links.ts'

/** The base a relative address resolves against when the old site's address is unknown: never fetched. */
const NO_ADDRESS = 'http://old-site.invalid'
export const NO_ADDRESS_REASON = 'no address: give --old-url or --media-dir'
export const NOT_IN_FOLDER_REASON =
  'not in the --media-dir folder, and no address to fetch it from: give --old-url'
export const OUTSIDE_REASON = 'its path leads outside the --media-dir folder'

/** Query keys that only ask a CDN for a resized copy (WordPress.com, Jetpack): the original has none. */
const RESIZE_KEYS = new Set(['w', 'h', 'resize', 'fit', 'crop', 'ssl', 'zoom', 'quality', 'strip'])

/**
 * An address written in a body as an absolute http(s) URL: relative ones resolve against the old
 * site (Ghost's `__GHOST_URL__` is that site too), protocol-relative ones take https. Undefined for
 * what is no image address at all (`data:`, `javascript:`, junk).
 */
function absoluteImageUrl(value: string, oldUrl: string | undefined): string | undefined {
  const site = oldUrl?.replace(/\/+$/, '') ?? ''
  const written = withSiteAddress(value.trim(), site).replace(/^\/\//, 'https://')
  const base = `${site || NO_ADDRESS}/`
  if (!written || !URL.canParse(written, base)) return undefined
  const url = new URL(written, base)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  url.hash = ''
  return url.href
}

/** Jetpack's image CDN: "https://i0.wp.com/example.com/pic.jpg" serves "https://example.com/pic.jpg". */
const PHOTON = /^https?:\/\/i[0-3]\.wp\.com\/([^/?#]+\.[^/?#]+\/[^?#]+)/

/**
 * The original a resized copy was made from: WordPress's "pic-300x200.jpg", Ghost's "/size/w600/",
 * a CDN's "?w=300", Jetpack's i0.wp.com copy.
 */
function originalOf(url: string): string {
  const photon = PHOTON.exec(url)?.[1]
  const original = new URL(photon ? `https://${photon}` : url)
  original.pathname = original.pathname
    .replace(/-\d{1,5}x\d{1,5}(\.[A-Za-z0-9]+)$/, '$1')
    .replace(/\/content\/images\/size\/w\d+(?:h\d+)?\//, '/content/images/')
  if ([...original.searchParams.keys()].every((key) => RESIZE_KEYS.has(key))) original.search = ''
  return original.href
}

/** The addresses to try for one image, best first: the originals, then the addresses as written. */
export function candidatesFor(values: readonly string[], oldUrl: string | undefined): string[] {
  const absolute = values.flatMap((value) => absoluteImageUrl(value, oldUrl) ?? [])
  return [...new Set([...absolute.map(originalOf), ...absolute])]
}

/** How the image is named to the author: the address as written, or its path when the old site is unknown. */
export const shownUrl = (url: string): string =>
  url.startsWith(NO_ADDRESS) ? url.slice(NO_ADDRESS.length) : url

/**
 * Where a copy of `url` sits in a --media-dir folder: a wp-content/uploads copy holds
 * ".../wp-content/uploads/2019/03/pic.jpg" at DIR/2019/03/pic.jpg, Ghost's content/images copy
 * ".../content/images/2019/03/pic.jpg" at the same place, WordPress.com's media export
 * "x.files.wordpress.com/2019/03/pic.jpg" too. 'outside' when the decoded path climbs out of DIR.
 */
export function localPathFor(url: string, localDir: string): string | 'outside' | undefined {
  const { hostname, pathname } = new URL(url)
  const marker = ['/wp-content/uploads/', '/content/images/'].find((m) => pathname.includes(m))
  let rest: string | undefined
  if (marker) rest = pathname.slice(pathname.indexOf(marker) + marker.length)
  else if (hostname.endsWith('.files.wordpress.com')) rest = pathname.slice(1)
  if (!rest) return undefined
  // A malformed escape is read as written: still only a name inside the folder, checked below.
  const decoded = decodeOrKeep(rest)
  const root = resolve(localDir)
  const path = resolve(root, decoded)
  return decoded.includes('\0') || !isInside(root, path) ? 'outside' : path
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

export interface ImageBytes {
  readonly bytes: Buffer
  /** The Content-Type the server gave, for messages; empty for a local file. */
  readonly type: string
}
export type Bytes = ImageBytes | { readonly reason: string; readonly final?: boolean }

/** A file from --media-dir, if it is there: a link inside the folder may not lead out of it either. */
export async function readLocalCopy(path: string, localDir: string): Promise<Bytes | undefined> {
  let real: string
  try {
    real = await realpath(path)
  } catch {
    return undefined
  }
  if (!isInside(await realpath(localDir), real)) return { reason: OUTSIDE_REASON, final: true }
  const info = await stat(real)
  if (!info.isFile()) return undefined
  if (info.size > MAX_UPLOAD_BYTES) return { reason: `larger than ${formatBytes(MAX_UPLOAD_BYTES)}` }
  return { bytes: await readFile(real), type: '' }
}

export interface FetchSettings {
  readonly allowPrivate: boolean
  readonly timeoutMs?: number | undefined
  /**
   * Hosts that gave no answer earlier in the run (timed out, unknown, refused the connection) and
   * why: their other images are given up at once, so a dead host costs one timeout, not one each.
   */
  readonly deadHosts?: Map<string, string> | undefined
}

export const DEAD_HOST_NOTE = '(host did not answer earlier)'
/** A refused connection, as safe-fetch names it: the host is down, not just one of its files. */
const NO_CONNECTION = /\((?:ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ETIMEDOUT)\)$/

function isDeadHost(err: FetchRefusedError): boolean {
  if (err.code === 'timeout' || err.code === 'unresolvable') return true
  return err.code === 'unreachable' && NO_CONNECTION.test(err.reason)
}

/** An image from the old site. `final` when the other addresses of the same image would fail the same way. */
export async function fetchImage(url: string, settings: FetchSettings): Promise<Bytes> {
  if (url.startsWith(NO_ADDRESS)) return { reason: NO_ADDRESS_REASON, final: true }
  const host = new URL(url).host
  const dead = settings.deadHosts?.get(host)
  if (dead !== undefined) return { reason: `${dead} ${DEAD_HOST_NOTE}`, final: true }
  try {
    const response = await safeFetch(url, {
      allowPrivate: settings.allowPrivate,
      timeoutMs: settings.timeoutMs ?? 20_000,
      maxBytes: MAX_UPLOAD_BYTES,
      maxRedirects: 5,
      headers: { accept: 'image/*', 'user-agent': `Folio/${FOLIO_VERSION} (import)` },
    })
    if (response.status !== 200) return { reason: `the server answered ${response.status}` }
    return { bytes: response.body, type: response.headers.get('content-type') ?? '' }
  } catch (err) {
    if (!(err instanceof FetchRefusedError)) throw err
    if (isDeadHost(err)) {
      settings.deadHosts?.set(host, err.reason)
      return { reason: err.reason, final: true }
    }
    const hint = err.code === 'private-address' ? '; FETCH_ALLOW_PRIVATE=true allows it' : ''
    return { reason: `${err.reason}${hint}`, final: err.code !== 'too-large' }
  }
}
