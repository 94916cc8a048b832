// Owns what the tests that go over every route share (the fuzz tests, GET-never-writes): an error log to read back, a real PNG, and real values for route parameters.
import { readdirSync } from 'node:fs'
import { Writable } from 'node:stream'
import sharp from 'sharp'
import { STATIC_DIR } from '../../src/app.ts'
import type { Db } from '../../src/db/client.ts'

/** Error-level log lines, so a 500 found by a test comes with the error behind it. */
export interface ErrorLog {
  /** Pass as the app's `logger.stream`, with `level: 'error'`. */
  readonly stream: Writable
  readonly lines: string[]
}

export function errorLog(): ErrorLog {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        try {
          const entry = JSON.parse(line) as {
            level?: number
            msg?: string
            err?: { type?: string; message?: string; stack?: string }
          }
          if ((entry.level ?? 0) < 50) continue
          const frame = /\n\s+at [^\n]*/.exec(entry.err?.stack ?? '')?.[0]?.trim() ?? ''
          lines.push(
            [entry.msg, entry.err?.type, entry.err?.message?.slice(0, 200), frame]
              .filter(Boolean)
              .join(' | '),
          )
        } catch {
          lines.push(line.slice(0, 300))
        }
      }
      done()
    },
  })
  return { stream, lines }
}

/** A real PNG of one colour; 1200×800 is large enough for the media pipeline to make every variant. */
export function samplePng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 90, b: 140 } } })
    .png()
    .toBuffer()
}

/** One column of a query's rows as strings; none when the table is gone (a later migration renamed it). */
export function column(db: Db, sql: string): string[] {
  try {
    return (db.$client.prepare(sql).pluck().all() as (string | number)[]).map(String)
  } catch {
    return []
  }
}

/** Every file name under /media/: the stored images and each of their variants. */
export const mediaFileNames = (db: Db): string[] => [
  ...column(db, 'select file_name from media'),
  ...column(db, "select json_extract(value, '$.fileName') from media, json_each(media.variants)"),
]

/** Every file under static/, as the path after /static/. */
export const staticAssetNames = (): string[] =>
  readdirSync(STATIC_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath.slice(STATIC_DIR.length + 1)}/${entry.name}`.replace(/^\//, ''))
