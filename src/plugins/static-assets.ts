// Owns /static/: files from static/ served from memory under content-hashed, immutable URLs.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}
const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.txt', '.webmanifest', '.ico'])
/** For a URL whose content never changes (its name carries a hash). */
export const IMMUTABLE = 'public, max-age=31536000, immutable'
const UNHASHED = 'public, max-age=300'

interface Asset {
  readonly body: Buffer
  readonly gzip: Buffer | undefined
  readonly br: Buffer | undefined
  readonly type: string
  readonly etag: string
}

export interface AssetManifest {
  /** The hashed URL of a file in static/, e.g. url('css/site.css') → /static/css/site.1a2b3c4d5e.css */
  url(name: string): string
}

declare module 'fastify' {
  interface FastifyInstance {
    assets: AssetManifest
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/**
 * Reads every file under `dir` once, plus `extra` files from elsewhere (name → path on disk, e.g. a
 * package's browser bundle); hashes make URLs change exactly when contents do.
 */
export function loadAssets(dir: string, extra: Readonly<Record<string, string>> = {}) {
  const byPath = new Map<string, Asset>()
  const hashedNames = new Map<string, string>()
  const files = [
    ...listFiles(dir).map((file) => [relative(dir, file).split(sep).join('/'), file] as const),
    ...Object.entries(extra),
  ]
  for (const [name, file] of files) {
    const body = readFileSync(file)
    const ext = extname(name)
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10)
    const compressible = COMPRESSIBLE.has(ext) && body.length > 512
    const asset: Asset = {
      body,
      type: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      etag: `"${hash}"`,
      gzip: compressible ? gzipSync(body, { level: 9 }) : undefined,
      br: compressible
        ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } })
        : undefined,
    }
    const hashedName = `${name.slice(0, name.length - ext.length)}.${hash}${ext}`
    byPath.set(name, asset)
    byPath.set(hashedName, asset)
    hashedNames.set(name, hashedName)
  }
  return { byPath, hashedNames }
}

export default fp(
  async function staticAssets(
    app: FastifyInstance,
    options: { dir: string; extra?: Readonly<Record<string, string>> },
  ) {
    const { byPath, hashedNames } = loadAssets(options.dir, options.extra)

    app.decorate('assets', {
      url(name: string): string {
        const hashed = hashedNames.get(name)
        if (!hashed) throw new Error(`No static asset named ${name}`)
        return `/static/${hashed}`
      },
    })

    const serve = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
      const name = request.params['*']
      const asset = byPath.get(name)
      if (!asset) return reply.callNotFound()
      const hashed = !hashedNames.has(name)
      reply
        .header('content-type', asset.type)
        .header('cache-control', hashed ? IMMUTABLE : UNHASHED)
        .header('etag', asset.etag)
        .header('x-content-type-options', 'nosniff')
      if (asset.gzip) reply.header('vary', 'accept-encoding')
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
      const accepts = String(request.headers['accept-encoding'] ?? '')
      if (asset.br && /\bbr\b/.test(accepts)) return reply.header('content-encoding', 'br').send(asset.br)
      if (asset.gzip && /\bgzip\b/.test(accepts))
        return reply.header('content-encoding', 'gzip').send(asset.gzip)
      return reply.send(asset.body)
    }

    app.get('/static/*', { config: { compress: false } }, serve)
  },
  { name: 'static-assets' },
)
