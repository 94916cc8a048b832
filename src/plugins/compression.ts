// Owns content coding: which encoding a client accepts, brotli or gzip of the text Folio renders per request, and refusing compressed request bodies.
import { promisify } from 'node:util'
import { brotliCompress, gzip, constants as zlib } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route's responses go out as they are (its files are compressed already). */
    compress?: boolean
  }
}

export type Encoding = 'br' | 'gzip'

/** Bodies this small are not worth compressing: the saving is smaller than a packet. */
export const MIN_COMPRESS = 1024

/** The quality value a client gave `name` in Accept-Encoding, if it named it (directly or as *). */
function qualityOf(parts: readonly string[], name: string): number | undefined {
  let any: number | undefined
  for (const part of parts) {
    const [coding = '', ...params] = part.split(';')
    const token = coding.trim().toLowerCase()
    if (token !== name && token !== '*') continue
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined)
    const value = q === undefined ? 1 : Number(q)
    if (token === name) return value
    any = value
  }
  return any
}

/**
 * The encoding to send a client, by its Accept-Encoding: brotli if it takes it, else gzip, else
 * none. `br;q=0` refuses brotli (RFC 9110), and `*` stands for any encoding not named.
 * Checked on every page-cache hit, so the common header (no parameters) is read with two tests.
 */
export function preferredEncoding(accepts: string | undefined): Encoding | undefined {
  if (!accepts) return undefined
  if (!accepts.includes(';') && !accepts.includes('*'))
    return /\bbr\b/i.test(accepts) ? 'br' : /\bgzip\b/i.test(accepts) ? 'gzip' : undefined
  const parts = accepts.split(',')
  if ((qualityOf(parts, 'br') ?? 0) > 0) return 'br'
  if ((qualityOf(parts, 'gzip') ?? 0) > 0) return 'gzip'
  return undefined
}

/** Text: HTML, CSS, JavaScript, JSON and XML of any kind, SVG. Images, fonts and archives are compressed already. */
const COMPRESSIBLE =
  /^(?:text\/|application\/(?:javascript|json|xml)\b|application\/[\w.-]+\+(?:json|xml)\b|image\/svg\+xml\b)/i

/**
 * Quality 4 with a 256 KB window (not brotli's 4 MB default): fast enough for a page rendered per
 * request, and 20 responses compressing at once cost a few MB, not ~100 MB, on a 256 MB machine.
 */
const BROTLI = { params: { [zlib.BROTLI_PARAM_QUALITY]: 4, [zlib.BROTLI_PARAM_LGWIN]: 18 } }
const GZIP = { level: 6 }
const brotliAsync = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/** Adds accept-encoding to Vary, unless the route named it already. */
function varyOnEncoding(reply: FastifyReply): void {
  const vary = reply.getHeader('vary')
  const names = Array.isArray(vary) ? vary.join(',') : String(vary ?? '')
  if (/(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i.test(names)) return
  reply.header('vary', names.trim() ? `${names}, accept-encoding` : 'accept-encoding')
}

/** The last onSend step of every route: text of 1 KB or more, compressed in the threadpool. */
async function compressPayload(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
  if (reply.hasHeader('content-encoding')) return payload
  const type = reply.getHeader('content-type')
  if (typeof type !== 'string' || !COMPRESSIBLE.test(type)) return payload
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
  if (length < MIN_COMPRESS) return payload
  varyOnEncoding(reply)
  const encoding = preferredEncoding(request.headers['accept-encoding'])
  if (!encoding) return payload
  const body = encoding === 'br' ? await brotliAsync(payload, BROTLI) : await gzipAsync(payload, GZIP)
  reply.header('content-encoding', encoding).removeHeader('content-length')
  return body
}

/**
 * Compresses what every route registered after it sends, unless its config says compress: false.
 * A route-level hook, so it runs after every plugin's onSend: the ETag, the page cache and the
 * stats all see the body as rendered. Streams (media files, downloads) go out as they are.
 */
export default fp(
  async function compression(app: FastifyInstance) {
    // No form or endpoint takes a compressed body: one is refused plainly, never parsed as text.
    app.addHook('onRequest', async (request) => {
      const coding = request.headers['content-encoding']
      if (
        !coding ||
        /^\s*identity\s*$/i.test(coding) ||
        request.method === 'GET' ||
        request.method === 'HEAD'
      )
        return
      throw Object.assign(
        new Error(
          'This was sent compressed, which this site does not accept, so nothing was saved. Send it again without a Content-Encoding.',
        ),
        { statusCode: 415 },
      )
    })
    app.addHook('onRoute', (route) => {
      if (route.config?.compress === false) return
      const own = route.onSend ? [route.onSend].flat() : []
      // A HEAD route Fastify made from a GET empties the body in its first onSend step: compressing
      // before it gives HEAD the headers GET would get.
      route.onSend = route.method === 'HEAD' ? [compressPayload, ...own] : [...own, compressPayload]
    })
  },
  { name: 'compression' },
)
