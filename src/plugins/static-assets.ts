// Owns /static/: files from static/ served from memory under content-hashed, immutable URLs.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, gzip, constants as zlib } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { preferredEncoding } from './compression.ts'

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

const brotliAsync = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

interface Asset {
  readonly body: Buffer
  readonly compressible: boolean
  /** Made after start-up, off the event loop; until then the file goes out as it is. */
  gzip?: Buffer
  br?: Buffer
  readonly type: string
  readonly etag: string
}

export interface AssetManifest {
  /** The hashed URL of a file in static/, e.g. url('css/site.css') → /static/css/site.1a2b3c4d5e.css */
  url(name: string): string
  /** Settles once every compressed copy is made (tests wait on it; serving never does). */
  readonly compressed: Promise<void>
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
      compressible,
      type: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      etag: `"${hash}"`,
    }
    const hashedName = `${name.slice(0, name.length - ext.length)}.${hash}${ext}`
    byPath.set(name, asset)
    byPath.set(hashedName, asset)
    hashedNames.set(name, hashedName)
  }
  return { byPath, hashedNames }
}

/**
 * Brotli 11 and gzip 9 of every compressible file: ~130 ms of CPU that start-up used to wait for.
 * Made in libuv's threadpool, one file at a time and smallest first, so the event loop goes on
 * serving (identity meanwhile) and at most one core is taken while the machine wakes.
 */
async function compressAssets(assets: Iterable<Asset>): Promise<void> {
  const pending = [...new Set(assets)].filter((asset) => asset.compressible)
  pending.sort((a, b) => a.body.length - b.body.length)
  for (const asset of pending) {
    asset.br = await brotliAsync(asset.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } })
    asset.gzip = await gzipAsync(asset.body, { level: 9 })
  }
}

export default fp(
  async function staticAssets(
    app: FastifyInstance,
    options: { dir: string; extra?: Readonly<Record<string, string>> },
  ) {
    const { byPath, hashedNames } = loadAssets(options.dir, options.extra)
    const compressed = compressAssets(byPath.values()).catch((err: unknown) => {
      app.log.warn({ err }, 'static files could not be compressed; they are served uncompressed')
    })

    app.decorate('assets', {
      compressed,
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
      if (asset.compressible) reply.header('vary', 'accept-encoding')
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
      const encoding = preferredEncoding(request.headers['accept-encoding'])
      const compressed = encoding && asset[encoding]
      if (encoding && compressed) return reply.header('content-encoding', encoding).send(compressed)
      return reply.send(asset.body)
    }

    app.get('/static/*', { config: { compress: false } }, serve)
  },
  { name: 'static-assets' },
)
