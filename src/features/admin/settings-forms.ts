// Owns the settings form's validation and its translation into saveSettings' input.
//
// Field names (snake_case): site_title, tagline, description, language, timezone, author_name,
// author_bio, intro, services_title, services, contact_intro, posts_per_page, and the social
// links as numbered pairs social_label_0 … social_label_11 / social_url_0 … social_url_11.
// Numbered names (rather than repeated fields) keep each label with its URL and let an error
// sit beside the exact row it is about. Rows with both halves empty are ignored.
import { z } from 'zod'
import { isValidTimeZone } from '../../lib/dates.ts'
import { isHttpUrl } from '../../lib/urls.ts'
import type { SettingsInput } from '../settings/service.ts'

export const SOCIAL_ROWS = 12
export const SOCIAL_LABEL_MAX = 40

/** Every timezone the select offers; Node does not list UTC itself, and it is the default. */
export const TIMEZONES: readonly string[] = [
  'UTC',
  ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC'),
]
const TIMEZONE_SET = new Set(TIMEZONES)

const SETTINGS_LIMITS = {
  title: 80,
  tagline: 160,
  description: 300,
  authorName: 80,
  authorBio: 5000,
  intro: 10_000,
  servicesTitle: 80,
  services: 10_000,
  contactIntro: 5000,
} as const

const tooLong = (max: number) => `Keep this under ${max.toLocaleString('en')} characters.`

function isLanguageTag(value: string): boolean {
  if (!/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i.test(value)) return false
  try {
    return Intl.getCanonicalLocales(value).length === 1
  } catch {
    return false
  }
}

const socialShape: Record<string, z.ZodDefault<z.ZodString>> = {}
for (let i = 0; i < SOCIAL_ROWS; i++) {
  socialShape[`social_label_${i}`] = z.string().trim().default('')
  socialShape[`social_url_${i}`] = z.string().trim().default('')
}

export const settingsFormSchema = z
  .object({
    site_title: z
      .string({ error: 'Enter a site title.' })
      .trim()
      .min(1, 'Enter a site title.')
      .max(SETTINGS_LIMITS.title, tooLong(SETTINGS_LIMITS.title)),
    tagline: z.string().trim().max(SETTINGS_LIMITS.tagline, tooLong(SETTINGS_LIMITS.tagline)).default(''),
    description: z
      .string()
      .trim()
      .max(SETTINGS_LIMITS.description, tooLong(SETTINGS_LIMITS.description))
      .default(''),
    language: z
      .string({ error: 'Enter a language code like en, fr or en-GB.' })
      .trim()
      .max(12, 'Enter a language code like en, fr or en-GB.')
      .refine(isLanguageTag, 'Enter a language code like en, fr or en-GB.'),
    timezone: z
      .string({ error: 'Choose a timezone from the list.' })
      .refine((v) => TIMEZONE_SET.has(v) || isValidTimeZone(v), 'Choose a timezone from the list.'),
    author_name: z
      .string({ error: 'Enter the author’s name, as readers will see it.' })
      .trim()
      .min(1, 'Enter the author’s name, as readers will see it.')
      .max(SETTINGS_LIMITS.authorName, tooLong(SETTINGS_LIMITS.authorName)),
    author_bio: z.string().max(SETTINGS_LIMITS.authorBio, tooLong(SETTINGS_LIMITS.authorBio)).default(''),
    intro: z.string().max(SETTINGS_LIMITS.intro, tooLong(SETTINGS_LIMITS.intro)).default(''),
    services_title: z
      .string()
      .trim()
      .max(SETTINGS_LIMITS.servicesTitle, tooLong(SETTINGS_LIMITS.servicesTitle))
      .default(''),
    services: z.string().max(SETTINGS_LIMITS.services, tooLong(SETTINGS_LIMITS.services)).default(''),
    contact_intro: z
      .string()
      .max(SETTINGS_LIMITS.contactIntro, tooLong(SETTINGS_LIMITS.contactIntro))
      .default(''),
    posts_per_page: z
      .string({ error: 'Enter how many posts a page shows, a whole number from 1 to 50.' })
      .trim()
      .refine((v) => /^\d{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= 50, {
        message: 'Enter how many posts a page shows, a whole number from 1 to 50.',
      }),
    ...socialShape,
  })
  .superRefine((form, ctx) => {
    const fields = form as Record<string, string>
    for (let i = 0; i < SOCIAL_ROWS; i++) {
      const label = fields[`social_label_${i}`] ?? ''
      const url = fields[`social_url_${i}`] ?? ''
      if (!label && !url) continue
      if (!label)
        ctx.addIssue({
          code: 'custom',
          path: [`social_label_${i}`],
          message: 'Give this link a label, like Mastodon or GitHub.',
        })
      else if (label.length > SOCIAL_LABEL_MAX)
        ctx.addIssue({
          code: 'custom',
          path: [`social_label_${i}`],
          message: `Keep the label under ${SOCIAL_LABEL_MAX} characters.`,
        })
      if (!url)
        ctx.addIssue({
          code: 'custom',
          path: [`social_url_${i}`],
          message: 'Enter the link’s address, or clear its label to remove it.',
        })
      else if (!isHttpUrl(url))
        ctx.addIssue({
          code: 'custom',
          path: [`social_url_${i}`],
          message: 'Enter a full web address starting with https:// (or http://).',
        })
    }
  })

export type SettingsForm = z.infer<typeof settingsFormSchema>

/** The filled-in social rows, in the order they appear on the form. */
export function socialLinksFrom(
  fields: Record<string, string | undefined>,
): { label: string; url: string }[] {
  const links: { label: string; url: string }[] = []
  for (let i = 0; i < SOCIAL_ROWS; i++) {
    const label = (fields[`social_label_${i}`] ?? '').trim()
    const url = (fields[`social_url_${i}`] ?? '').trim()
    if (label || url) links.push({ label, url })
  }
  return links
}

export function toSettingsInput(form: SettingsForm): SettingsInput {
  return {
    title: form.site_title,
    tagline: form.tagline,
    description: form.description,
    language: form.language,
    timezone: form.timezone,
    authorName: form.author_name,
    authorBioMd: form.author_bio,
    introMd: form.intro,
    servicesTitle: form.services_title,
    servicesMd: form.services,
    contactIntroMd: form.contact_intro,
    socialLinks: socialLinksFrom(form as Record<string, string>),
    postsPerPage: Number(form.posts_per_page),
  }
}

/**
 * settingsSchema's keys → the form's, for a refusal the form's own checks did not foresee.
 * Social links are missing on purpose: their list index no longer matches the form's row.
 */
export const SETTINGS_FORM_FIELDS: Record<string, string> = {
  title: 'site_title',
  tagline: 'tagline',
  description: 'description',
  language: 'language',
  timezone: 'timezone',
  authorName: 'author_name',
  authorBioMd: 'author_bio',
  introMd: 'intro',
  servicesTitle: 'services_title',
  servicesMd: 'services',
  contactIntroMd: 'contact_intro',
  postsPerPage: 'posts_per_page',
}
