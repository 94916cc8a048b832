// Owns content coding: which encoding a client accepts, brotli or gzip of the text Folio renders per request, and refusing compressed request bodies.
import { pipeline, Readable } from 'node:stream'
import { promisify } from 'node:util'
import { brotliCompress, createBrotliCompress, createGzip, gzip, constants as zlib } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route's responses go out as they are (its files are compressed already). */
    compress?: boolean
  }
}

export type Encoding = 'br' | 'gzip'

/** Bodies under 1 KB are not worth compressing: the saving is smaller than a packet. */
export const worthCompressing = (bytes: number): boolean => bytes >= 1024

/** A q parameter's value (1 when there is none); anything unreadable counts as a refusal. */
function qValue(params: string): number {
  const q = /(?:^|;)\s*q\s*=\s*([^;\s]*)/i.exec(params)?.[1]
  return q === undefined ? 1 : Number(q) || 0
}

/**
 * The encoding to send a client, by its Accept-Encoding: brotli if it takes it, else gzip, else
 * none. `br;q=0` refuses brotli (RFC 9110), and `*` stands for any encoding not named. Read on
 * every page-cache hit, so the common header (no parameters, no `*`) costs two regex tests; any
 * other is read in one pass.
 */
export function preferredEncoding(accepts: string | undefined): Encoding | undefined {
  if (!accepts) return undefined
  if (!accepts.includes(';') && !accepts.includes('*'))
    return /\bbr\b/i.test(accepts) ? 'br' : /\bgzip\b/i.test(accepts) ? 'gzip' : undefined
  let br: number | undefined
  let gzip: number | undefined
  let any: number | undefined
  for (const part of accepts.split(',')) {
    const semicolon = part.indexOf(';')
    const coding = (semicolon === -1 ? part : part.slice(0, semicolon)).trim().toLowerCase()
    if (coding !== 'br' && coding !== 'gzip' && coding !== '*') continue
    const q = semicolon === -1 ? 1 : qValue(part.slice(semicolon + 1))
    if (coding === 'br') br = q
    else if (coding === 'gzip') gzip = q
    else any = q
  }
  if ((br ?? any ?? 0) > 0) return 'br'
  if ((gzip ?? any ?? 0) > 0) return 'gzip'
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

/**
 * The last onSend step of every route: text of 1 KB or more compressed in one shot in the
 * threadpool, a text stream (a CSV download) through a zlib stream. A 304 names Vary as its 200 would.
 */
async function compressPayload(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (reply.hasHeader('content-encoding')) return payload
  const type = reply.getHeader('content-type')
  if (typeof type !== 'string' || !COMPRESSIBLE.test(type)) return payload
  if (reply.statusCode === 304) {
    varyOnEncoding(reply)
    return payload
  }
  const isStream = payload instanceof Readable
  const text = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined
  // Anything else (an empty reply, say) and short text are sent as they are.
  if (!isStream && (text === undefined || !worthCompressing(Buffer.byteLength(text)))) return payload
  varyOnEncoding(reply)
  const encoding = preferredEncoding(request.headers['accept-encoding'])
  if (!encoding) return payload
  reply.header('content-encoding', encoding).removeHeader('content-length')
  if (text !== undefined)
    return encoding === 'br' ? await brotliAsync(text, BROTLI) : await gzipAsync(text, GZIP)
  // A text stream: an error on either side ends the response; Fastify logs it.
  const zip = encoding === 'br' ? createBrotliCompress(BROTLI) : createGzip(GZIP)
  return pipeline(payload as Readable, zip, () => {})
}

const COMPRESSED_BODY =
  'This was sent compressed, which this site does not accept, so nothing was saved. Send it again without a Content-Encoding.'

/**
 * Compresses what every route registered after it sends, unless its config says compress: false.
 * A route-level hook, so it runs after every plugin's onSend: the ETag, the page cache and the
 * stats all see the body as rendered. Fastify's 404 for a URL no route matches is not a route, so
 * it goes out uncompressed (a short page).
 */
export default fp(
  async function compression(app: FastifyInstance) {
    // No form or endpoint takes a compressed body: one is refused plainly, never parsed as text.
    // A callback hook, not an async one: every request through Fastify passes it.
    app.addHook('onRequest', (request, _reply, done) => {
      const coding = request.headers['content-encoding']
      const body = request.method !== 'GET' && request.method !== 'HEAD'
      if (!coding || !body || /^\s*identity\s*$/i.test(coding)) return done()
      done(Object.assign(new Error(COMPRESSED_BODY), { statusCode: 415 }))
    })
    app.addHook('onRoute', (route) => {
      if (route.config?.compress === false) return
      const own = route.onSend ? [route.onSend].flat() : []
      // The HEAD route Fastify makes for a GET ends with a step that empties the body: compressing
      // just before it gives HEAD the headers GET gets.
      const last = own.at(-1)
      route.onSend =
        route.method === 'HEAD' && last?.name === 'headRouteOnSendHandler'
          ? [...own.slice(0, -1), compressPayload, last]
          : [...own, compressPayload]
    })
  },
  { name: 'compression' },
)
