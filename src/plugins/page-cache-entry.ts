// Owns one cached page: its body, its compressed variants and the header blocks a hit writes, each made once.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { brotliCompress, brotliCompressSync, gzip, gzipSync, constants as zlib } from 'node:zlib'
import { type Encoding, preferredEncoding, worthCompressing } from './compression.ts'

type HeaderBlock = Readonly<Record<string, string | string[] | number>>

interface Variant {
  readonly body: Buffer
  /** The whole header block of a 200 in this encoding, Content-Length included. */
  readonly headers: HeaderBlock
}

export interface Entry {
  readonly key: string
  readonly body: Buffer
  readonly etag: string
  readonly weakEtag: string
  readonly contentType: string
  readonly identity: Variant
  /** A 304's headers: the stored ones, no Content-Length. */
  readonly notModified: HeaderBlock
  readonly br?: Variant
  readonly gzip?: Variant
  /** Encodings being made off the event loop; shared by every copy of this entry. */
  readonly making: Set<Encoding>
}

/** Up to this size a variant is made on the spot (a few ms once per page); larger ones in the threadpool. */
const SYNC_LIMIT = 128 * 1024
/** Quality 5: within a few percent of 9 on HTML, and several times faster. */
const BROTLI = { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } }
const GZIP = { level: 6 }

/** What an entry costs the cache, in bytes: every body it holds plus room for its header blocks. */
export const entrySize = (entry: Entry): number =>
  entry.body.length + (entry.br?.body.length ?? 0) + (entry.gzip?.body.length ?? 0) + 2048

export function createEntry(
  key: string,
  body: Buffer,
  headers: Readonly<Record<string, string | string[]>>,
  etag: string,
): Entry {
  const type = headers['content-type']
  return {
    key,
    body,
    etag,
    weakEtag: `W/${etag}`,
    contentType: Array.isArray(type) ? type.join(', ') : (type ?? ''),
    identity: { body, headers: { ...headers, 'content-length': body.length } },
    notModified: headers,
    making: new Set(),
  }
}

function variant(entry: Entry, encoding: Encoding, body: Buffer): Entry {
  const headers = { ...entry.notModified, 'content-encoding': encoding, 'content-length': body.length }
  return { ...entry, [encoding]: { body, headers } }
}

/**
 * The variant a hit should send. One not made yet is made now when the page is small, or started in
 * the threadpool when it is large (this hit goes out uncompressed); `store` puts the grown entry back
 * in the cache so its size is counted.
 */
function pickVariant(
  entry: Entry,
  accepts: string | undefined,
  store: (grown: Entry, from: Entry) => void,
): Variant {
  const wanted = worthCompressing(entry.body.length) ? preferredEncoding(accepts) : undefined
  if (!wanted) return entry.identity
  const ready = entry[wanted]
  if (ready) return ready
  if (entry.body.length <= SYNC_LIMIT) {
    const body = wanted === 'br' ? brotliCompressSync(entry.body, BROTLI) : gzipSync(entry.body, GZIP)
    const grown = variant(entry, wanted, body)
    store(grown, entry)
    return grown[wanted] as Variant
  }
  if (!entry.making.has(wanted)) {
    entry.making.add(wanted)
    const done = (err: Error | null, body: Buffer) => {
      entry.making.delete(wanted)
      if (!err) store(variant(entry, wanted, body), entry)
    }
    if (wanted === 'br') brotliCompress(entry.body, BROTLI, done)
    else gzip(entry.body, GZIP, done)
  }
  return entry.identity
}

/**
 * Writes a hit: 304 when the client holds this ETag, else the body in the best encoding it accepts
 * (none for HEAD). Every header block was built when the entry was; nothing is copied here.
 * Returns the status sent.
 */
export function writeEntry(
  req: IncomingMessage,
  res: ServerResponse,
  entry: Entry,
  store: (grown: Entry, from: Entry) => void,
): number {
  const match = req.headers['if-none-match']
  if (match !== undefined && (match === entry.etag || match === entry.weakEtag)) {
    res.writeHead(304, entry.notModified)
    res.end()
    return 304
  }
  const chosen = pickVariant(entry, req.headers['accept-encoding'], store)
  res.writeHead(200, chosen.headers)
  if (req.method === 'HEAD') res.end()
  else res.end(chosen.body)
  return 200
}
