// Owns the site settings: their schema, defaults, and reading/writing the settings table.

import { z } from 'zod'
import { memoizeUntilChange } from '../../db/change-watch.ts'
import type { Db } from '../../db/client.ts'
import { settings as settingsTable } from '../../db/schema.ts'
import { isValidTimeZone } from '../../lib/dates.ts'
import { renderMarkdown } from '../../lib/markdown.ts'

const socialLink = z.object({
  label: z.string().min(1).max(40),
  url: z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' }),
})

/** What the author edits. Markdown fields have an HTML twin rendered at save time. */
export const settingsSchema = z.object({
  title: z.string().trim().min(1).max(80),
  tagline: z.string().trim().max(160),
  description: z.string().trim().max(300),
  language: z.string().trim().min(2).max(12),
  timezone: z.string().refine(isValidTimeZone, 'unknown timezone'),
  authorName: z.string().trim().min(1).max(80),
  authorBioMd: z.string().max(5000),
  introMd: z.string().max(10000),
  servicesTitle: z.string().trim().max(80),
  servicesMd: z.string().max(10000),
  contactIntroMd: z.string().max(5000),
  socialLinks: z.array(socialLink).max(12),
  postsPerPage: z.number().int().min(1).max(50),
})

export type SettingsInput = z.infer<typeof settingsSchema>

export interface Settings extends SettingsInput {
  readonly introHtml: string
  readonly authorBioHtml: string
  readonly servicesHtml: string
  readonly contactIntroHtml: string
}

export const DEFAULT_SETTINGS: SettingsInput = {
  title: 'Folio',
  tagline: 'Notes on building for the web',
  description: 'Articles, links and notes on building fast, accessible websites.',
  language: 'en',
  timezone: 'UTC',
  authorName: 'The author',
  authorBioMd: 'I build fast, accessible websites for small teams.',
  introMd:
    "Hey there! 👋 I'm the author of this site. I write about building for the web: long articles, short links to things worth reading, and the occasional series. Make this yours in the admin.",
  servicesTitle: 'Need some help?',
  servicesMd: [
    'I take on a few projects at a time:',
    '',
    '- **Performance audits**: make a slow site fast, and keep it fast.',
    '- **Accessibility reviews**: find and fix what keeps people out.',
    '- **Full-stack builds**: from the database to the browser, in TypeScript.',
  ].join('\n'),
  contactIntroMd:
    'Have a project in mind, or a question about something I wrote? Send me a message and I will get back to you within two working days.',
  socialLinks: [],
  postsPerPage: 10,
}

const MARKDOWN_FIELDS = {
  introMd: 'introHtml',
  authorBioMd: 'authorBioHtml',
  servicesMd: 'servicesHtml',
  contactIntroMd: 'contactIntroHtml',
} as const

type HtmlKey = (typeof MARKDOWN_FIELDS)[keyof typeof MARKDOWN_FIELDS]

function withDefaultHtml(input: SettingsInput): Settings {
  const html = {} as Record<HtmlKey, string>
  for (const [md, key] of Object.entries(MARKDOWN_FIELDS))
    html[key] = renderMarkdown(input[md as keyof typeof MARKDOWN_FIELDS])
  return { ...input, ...html }
}

let renderedDefaults: Settings | undefined

const cachedReaders = new WeakMap<Db, () => Settings>()

/**
 * The settings, read from the table only when the database has changed since the last read
 * (every page needs them; the table rarely changes). Exact as the page cache is, never stale.
 */
export function getSettings(db: Db): Settings {
  let read = cachedReaders.get(db)
  if (!read) {
    read = memoizeUntilChange(db, () => readSettings(db))
    cachedReaders.set(db, read)
  }
  return read()
}

/**
 * Reads the settings table. Keys that are missing, or whose stored value no longer fits the
 * schema, fall back to their defaults, so a bad row can never take the site down.
 */
function readSettings(db: Db): Settings {
  renderedDefaults ??= withDefaultHtml(DEFAULT_SETTINGS)
  const rows = db.select({ key: settingsTable.key, value: settingsTable.value }).from(settingsTable).all()
  if (rows.length === 0) return renderedDefaults
  const result: Record<string, unknown> = { ...renderedDefaults }
  const shape = settingsSchema.shape as Record<string, z.ZodType>
  const htmlKeys = new Set<string>(Object.values(MARKDOWN_FIELDS))
  for (const { key, value } of rows) {
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      continue
    }
    const field = shape[key]
    if (field) {
      const ok = field.safeParse(parsed)
      if (ok.success) result[key] = ok.data
    } else if (htmlKeys.has(key) && typeof parsed === 'string') {
      result[key] = parsed
    }
  }
  return Object.freeze(result) as unknown as Settings
}

/** Validates and stores the given settings, rendering their Markdown once, here. */
export function saveSettings(db: Db, input: Partial<SettingsInput>, now = new Date()): Settings {
  const valid = settingsSchema.partial().parse(input)
  const rows: { key: string; value: string; updatedAt: Date }[] = []
  for (const [key, value] of Object.entries(valid)) {
    if (value === undefined) continue
    rows.push({ key, value: JSON.stringify(value), updatedAt: now })
    const htmlKey = MARKDOWN_FIELDS[key as keyof typeof MARKDOWN_FIELDS]
    if (htmlKey)
      rows.push({ key: htmlKey, value: JSON.stringify(renderMarkdown(value as string)), updatedAt: now })
  }
  db.transaction((tx) => {
    for (const row of rows) {
      tx.insert(settingsTable)
        .values(row)
        .onConflictDoUpdate({
          target: settingsTable.key,
          set: { value: row.value, updatedAt: row.updatedAt },
        })
        .run()
    }
  })
  return getSettings(db)
}
