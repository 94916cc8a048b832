// Owns the site settings: their limits, schema and defaults, and reading/writing the settings table.
import { isDeepStrictEqual } from 'node:util'
import * as z from 'zod'
import { memoizeUntilChange } from '../../db/change-watch.ts'
import type { Db } from '../../db/client.ts'
import { settings as settingsTable } from '../../db/schema.ts'
import { isValidTimeZone } from '../../lib/dates.ts'
import { markdownHere } from '../../lib/markdown-here.ts'
import { MarkdownLimitError } from '../../lib/markdown-limits.ts'
import { renderMarkdownInWorker } from '../../lib/markdown-pool.ts'

/**
 * How long each setting may be, in characters (how many for `socialLinks`, how high for
 * `postsPerPage`): the one home of these numbers, for the schema below and the admin's form.
 */
export const SETTINGS_LIMITS = {
  title: 80,
  tagline: 160,
  description: 300,
  language: 12,
  authorName: 80,
  authorBioMd: 5000,
  introMd: 10_000,
  servicesTitle: 80,
  servicesMd: 10_000,
  contactIntroMd: 5000,
  contactThanksMd: 5000,
  socialLabel: 40,
  socialLinks: 12,
  postsPerPage: 50,
  fediverseHandle: 30,
} as const

/** A fediverse handle's user part, by Mastodon's rules for usernames: letters, digits and underscores. */
export const FEDIVERSE_HANDLE = new RegExp(`^[a-zA-Z0-9_]{1,${SETTINGS_LIMITS.fediverseHandle}}$`)

/** Who lets a new fediverse follower in: Folio at once, or the author from the admin. */
export const FOLLOW_APPROVALS = ['automatic', 'manual'] as const
export type FollowApproval = (typeof FOLLOW_APPROVALS)[number]

const socialLink = z.object({
  label: z.string().min(1).max(SETTINGS_LIMITS.socialLabel),
  url: z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' }),
})

/** What the author edits. Markdown fields have an HTML twin rendered at save time. */
export const settingsSchema = z.object({
  title: z.string().trim().min(1).max(SETTINGS_LIMITS.title),
  tagline: z.string().trim().max(SETTINGS_LIMITS.tagline),
  description: z.string().trim().max(SETTINGS_LIMITS.description),
  language: z.string().trim().min(2).max(SETTINGS_LIMITS.language),
  timezone: z.string().refine(isValidTimeZone, 'unknown timezone'),
  authorName: z.string().trim().min(1).max(SETTINGS_LIMITS.authorName),
  authorBioMd: z.string().max(SETTINGS_LIMITS.authorBioMd),
  introMd: z.string().max(SETTINGS_LIMITS.introMd),
  servicesTitle: z.string().trim().max(SETTINGS_LIMITS.servicesTitle),
  servicesMd: z.string().max(SETTINGS_LIMITS.servicesMd),
  contactIntroMd: z.string().max(SETTINGS_LIMITS.contactIntroMd),
  contactThanksMd: z.string().max(SETTINGS_LIMITS.contactThanksMd),
  socialLinks: z.array(socialLink).max(SETTINGS_LIMITS.socialLinks),
  postsPerPage: z.number().int().min(1).max(SETTINGS_LIMITS.postsPerPage),
  /** The `blog` of `@blog@example.com`; the actor's id never changes with it. */
  fediverseHandle: z
    .string()
    .trim()
    .regex(FEDIVERSE_HANDLE, 'letters, digits and underscores, 1 to 30 of them'),
  followApproval: z.enum(FOLLOW_APPROVALS),
  /** Offer the subscribe form (it shows only where SMTP_URL is set too). */
  newsletterEnabled: z.boolean(),
  /** Count views with a CSS beacon instead of on the server: for a CDN that caches the HTML. */
  statsBeacon: z.boolean(),
})

export type SettingsInput = z.infer<typeof settingsSchema>

export interface Settings extends SettingsInput {
  readonly introHtml: string
  readonly authorBioHtml: string
  readonly servicesHtml: string
  readonly contactIntroHtml: string
  readonly contactThanksHtml: string
}

/** A setting that was refused: its key path (`introMd`, `socialLinks.2.url`; empty for the input as a whole) and why. */
export interface SettingsProblem {
  readonly path: readonly PropertyKey[]
  readonly message: string
}

export type AppliedSettings =
  | { readonly outcome: 'updated' | 'unchanged' }
  | { readonly outcome: 'refused'; readonly problems: readonly SettingsProblem[] }

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
  contactThanksMd:
    'It has arrived safely, and I will read it soon. Replies usually go out within two working days, to the email address you gave.',
  socialLinks: [],
  postsPerPage: 10,
  fediverseHandle: 'blog',
  followApproval: 'automatic',
  newsletterEnabled: true,
  statsBeacon: false,
}

const MARKDOWN_FIELDS = {
  introMd: 'introHtml',
  authorBioMd: 'authorBioHtml',
  servicesMd: 'servicesHtml',
  contactIntroMd: 'contactIntroHtml',
  contactThanksMd: 'contactThanksHtml',
} as const

type MarkdownKey = keyof typeof MARKDOWN_FIELDS
type HtmlKey = (typeof MARKDOWN_FIELDS)[MarkdownKey]
type SettingsHtml = Partial<Record<HtmlKey, string>>

const isMarkdownKey = (key: string): key is MarkdownKey => key in MARKDOWN_FIELDS

/** The HTML twins of the Markdown settings among `values`, rendered on this thread. */
function renderHtmlHere(values: Partial<SettingsInput>): SettingsHtml {
  const html: SettingsHtml = {}
  for (const [key, value] of Object.entries(values))
    if (isMarkdownKey(key) && typeof value === 'string')
      html[MARKDOWN_FIELDS[key]] = markdownHere().renderMarkdown(value)
  return html
}

/** The same on a worker thread, bounded in nesting and time: a refusal names the setting at fault. */
async function renderHtmlInWorker(
  values: Partial<SettingsInput>,
): Promise<{ html: SettingsHtml; problems: SettingsProblem[] }> {
  const html: SettingsHtml = {}
  const refusals = await Promise.all(
    Object.entries(values).map(async ([key, value]): Promise<SettingsProblem | undefined> => {
      if (!isMarkdownKey(key) || typeof value !== 'string') return undefined
      try {
        html[MARKDOWN_FIELDS[key]] = await renderMarkdownInWorker(value)
        return undefined
      } catch (error) {
        if (!(error instanceof MarkdownLimitError)) throw error
        return { path: [key], message: error.message }
      }
    }),
  )
  return { html, problems: refusals.filter((problem) => problem !== undefined) }
}

/**
 * The defaults' Markdown as lib/markdown.ts renders it, written out so that reading settings (every
 * page does) never loads the Markdown pipeline; a test keeps these equal to the pipeline's output.
 */
export const DEFAULT_SETTINGS_HTML: Readonly<Record<HtmlKey, string>> = {
  introHtml: `<p>${DEFAULT_SETTINGS.introMd}</p>`,
  authorBioHtml: `<p>${DEFAULT_SETTINGS.authorBioMd}</p>`,
  servicesHtml: [
    '<p>I take on a few projects at a time:</p>',
    '<ul>',
    '<li><strong>Performance audits</strong>: make a slow site fast, and keep it fast.</li>',
    '<li><strong>Accessibility reviews</strong>: find and fix what keeps people out.</li>',
    '<li><strong>Full-stack builds</strong>: from the database to the browser, in TypeScript.</li>',
    '</ul>',
  ].join('\n'),
  contactIntroHtml: `<p>${DEFAULT_SETTINGS.contactIntroMd}</p>`,
  contactThanksHtml: `<p>${DEFAULT_SETTINGS.contactThanksMd}</p>`,
}

const renderedDefaults = { ...DEFAULT_SETTINGS, ...DEFAULT_SETTINGS_HTML } as Settings

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

/**
 * The one way the author's changes reach the settings, from the admin form or `import`: checks
 * `input` (any of the settings, nothing else), renders its Markdown on a worker thread, bounded in
 * nesting and time so that no text can stall the server, and stores what differs from today's.
 * A refusal names each setting at fault, and then nothing is stored.
 */
export async function applySettings(db: Db, input: unknown, now = new Date()): Promise<AppliedSettings> {
  const parsed = settingsSchema.partial().strict().safeParse(input)
  if (!parsed.success) {
    const problems = parsed.error.issues.map(({ path, message }) => ({ path, message }))
    return { outcome: 'refused', problems }
  }
  const current = getSettings(db)
  const changed = Object.fromEntries(
    Object.entries(parsed.data).filter(
      ([key, value]) => value !== undefined && !isDeepStrictEqual(value, current[key as keyof SettingsInput]),
    ),
  ) as Partial<SettingsInput>
  if (Object.keys(changed).length === 0) return { outcome: 'unchanged' }
  const { html, problems } = await renderHtmlInWorker(changed)
  if (problems.length > 0) return { outcome: 'refused', problems }
  writeSettings(db, changed, html, now)
  return { outcome: 'updated' }
}

/**
 * Validates and stores settings, rendering their Markdown on this thread: for seeding and tests,
 * where nobody waits on the server. Throws on invalid input.
 */
export function saveSettings(db: Db, input: Partial<SettingsInput>, now = new Date()): Settings {
  const valid = settingsSchema.partial().parse(input)
  writeSettings(db, valid, renderHtmlHere(valid), now)
  return getSettings(db)
}

/**
 * Renders every Markdown setting again through today's pipeline, for `npm run cli -- rerender`, and
 * stores only the HTML that changed. A setting whose Markdown now hits a limit keeps its HTML and is named.
 */
export async function rerenderSettings(
  db: Db,
  now = new Date(),
): Promise<{ rendered: number; changed: number; problems: SettingsProblem[] }> {
  const current = getSettings(db)
  const keys = Object.keys(MARKDOWN_FIELDS) as MarkdownKey[]
  const { html, problems } = await renderHtmlInWorker(
    Object.fromEntries(keys.map((key) => [key, current[key]])),
  )
  const changed: SettingsHtml = Object.fromEntries(
    Object.entries(html).filter(([key, value]) => value !== current[key as HtmlKey]),
  )
  writeSettings(db, {}, changed, now)
  return { rendered: keys.length, changed: Object.keys(changed).length, problems }
}

/** Stores valid settings with the HTML rendered from their Markdown, in one transaction. */
function writeSettings(db: Db, valid: Partial<SettingsInput>, html: SettingsHtml, updatedAt: Date): void {
  const rows = Object.entries({ ...valid, ...html })
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ key, value: JSON.stringify(value), updatedAt }))
  db.transaction((tx) => {
    for (const row of rows) {
      tx.insert(settingsTable)
        .values(row)
        .onConflictDoUpdate({ target: settingsTable.key, set: { value: row.value, updatedAt } })
        .run()
    }
  })
}
