// Owns the settings form: its field names, its validation, and its translation to and from the settings service.
//
// Field names (snake_case) are SETTINGS_FIELDS' values, plus the social links as numbered pairs
// social_label_0 … social_label_11 / social_url_0 … social_url_11. Numbered names (rather than
// repeated fields) keep each label with its URL and let an error sit beside the exact row it is
// about. Rows with both halves empty are ignored.
import * as z from 'zod'
import { readCheckbox } from '../../../lib/checkbox.ts'
import { isValidTimeZone } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { optionalMarkdown, optionalText, requiredText } from '../../../lib/form-text.ts'
import { isHttpUrl } from '../../../lib/urls.ts'
import {
  FEDIVERSE_HANDLE,
  FOLLOW_APPROVALS,
  SETTINGS_LIMITS,
  type SettingsInput,
  type SettingsProblem,
} from '../../settings/service.ts'

/** Each setting's form field, in the form's order. Social links are numbered rows of their own. */
export const SETTINGS_FIELDS = {
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
  contactThanksMd: 'contact_thanks',
  postsPerPage: 'posts_per_page',
  fediverseHandle: 'fediverse_handle',
  followApproval: 'follow_approval',
} as const satisfies Partial<Record<keyof SettingsInput, string>>

type SettingKey = keyof typeof SETTINGS_FIELDS
export type SettingsField = (typeof SETTINGS_FIELDS)[SettingKey]
export const settingKeys = Object.keys(SETTINGS_FIELDS) as SettingKey[]

/**
 * On/off settings, shown as checkboxes. A ticked box sends `1`; each is followed on the form by a
 * hidden `0` of the same name, which the first value wins over, so an unticked box still says so.
 * A post without the field (a script written before it existed) leaves the setting as it is.
 */
export const SETTINGS_SWITCHES = {
  newsletterEnabled: 'newsletter_enabled',
  statsBeacon: 'stats_beacon',
} as const satisfies Partial<Record<keyof SettingsInput, string>>

type SwitchKey = keyof typeof SETTINGS_SWITCHES
export type SwitchField = (typeof SETTINGS_SWITCHES)[SwitchKey]
export const switchKeys = Object.keys(SETTINGS_SWITCHES) as SwitchKey[]

const SWITCH = 'Tick the box to turn this on, or leave it empty to turn it off.'
const switchField = z.lazy(() =>
  z
    .string({ error: SWITCH })
    .refine((v) => readCheckbox(v) !== undefined, SWITCH)
    .optional(),
)

/** Whether a posted switch value means on. */
export const isSwitchedOn = (value: string | undefined): boolean =>
  value !== undefined && readCheckbox(value) === true

export const SOCIAL_ROWS = SETTINGS_LIMITS.socialLinks

let timezones: readonly string[] | undefined

/**
 * Every timezone the select offers; Node does not list UTC itself, and it is the default. Listed on
 * first use: asking ICU for them takes ~8 ms, which every start paid when this was a constant.
 */
export function listTimezones(): readonly string[] {
  timezones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')]
  return timezones
}

const LANGUAGE = 'Enter a language code like en, fr or en-GB.'
const POSTS_PER_PAGE = `Enter how many posts a page shows, a whole number from 1 to ${SETTINGS_LIMITS.postsPerPage}.`
const HANDLE = `Enter a fediverse name of 1 to ${SETTINGS_LIMITS.fediverseHandle} letters (a–z), digits and underscores, like blog or sam_writes.`
const APPROVAL = 'Choose how new followers are let in.'

function isLanguageTag(value: string): boolean {
  if (!/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i.test(value)) return false
  try {
    return Intl.getCanonicalLocales(value).length === 1
  } catch {
    return false
  }
}

/** Every social row as posted, filled or not, untrimmed. */
export function socialPairs(fields: Record<string, string | undefined>): { label: string; url: string }[] {
  return Array.from({ length: SOCIAL_ROWS }, (_, i) => ({
    label: fields[`social_label_${i}`] ?? '',
    url: fields[`social_url_${i}`] ?? '',
  }))
}

function socialShape(): Record<string, z.ZodDefault<z.ZodString>> {
  const shape: Record<string, z.ZodDefault<z.ZodString>> = {}
  for (let i = 0; i < SOCIAL_ROWS; i++) {
    shape[`social_label_${i}`] = z.string().trim().default('')
    shape[`social_url_${i}`] = z.string().trim().default('')
  }
  return shape
}

/** An issue on one half of social row `i`. */
const socialIssue = (half: 'label' | 'url', i: number, message: string) => ({
  code: 'custom' as const,
  path: [`social_${half}_${i}`],
  message,
})

// Built on the first save (z.lazy): ~130 zod nodes a server starting for readers never needs.
export const settingsFormSchema = z.lazy(() =>
  z
    .object({
      site_title: requiredText(SETTINGS_LIMITS.title, 'Enter a site title.'),
      tagline: optionalText(SETTINGS_LIMITS.tagline),
      description: optionalText(SETTINGS_LIMITS.description),
      language: z
        .string({ error: LANGUAGE })
        .trim()
        .max(SETTINGS_LIMITS.language, LANGUAGE)
        .refine(isLanguageTag, LANGUAGE),
      timezone: z
        .string({ error: 'Choose a timezone from the list.' })
        .refine(isValidTimeZone, 'Choose a timezone from the list.'),
      author_name: requiredText(
        SETTINGS_LIMITS.authorName,
        'Enter the author’s name, as readers will see it.',
      ),
      author_bio: optionalMarkdown(SETTINGS_LIMITS.authorBioMd),
      intro: optionalMarkdown(SETTINGS_LIMITS.introMd),
      services_title: optionalText(SETTINGS_LIMITS.servicesTitle),
      services: optionalMarkdown(SETTINGS_LIMITS.servicesMd),
      contact_intro: optionalMarkdown(SETTINGS_LIMITS.contactIntroMd),
      contact_thanks: optionalMarkdown(SETTINGS_LIMITS.contactThanksMd),
      posts_per_page: z
        .string({ error: POSTS_PER_PAGE })
        .trim()
        .refine((v) => /^\d{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= SETTINGS_LIMITS.postsPerPage, {
          message: POSTS_PER_PAGE,
        }),
      // Optional, unlike the rest: a script that posts the form without these (written before they
      // existed) leaves them as they are.
      fediverse_handle: z.string({ error: HANDLE }).trim().regex(FEDIVERSE_HANDLE, HANDLE).optional(),
      follow_approval: z.enum(FOLLOW_APPROVALS, { error: APPROVAL }).optional(),
      newsletter_enabled: switchField,
      stats_beacon: switchField,
      ...socialShape(),
    })
    .superRefine((form, ctx) => {
      socialPairs(form as Record<string, string>).forEach(({ label, url }, i) => {
        if (!label && !url) return
        if (!label) ctx.addIssue(socialIssue('label', i, 'Give this link a label, like Mastodon or GitHub.'))
        else if (label.length > SETTINGS_LIMITS.socialLabel)
          ctx.addIssue(
            socialIssue('label', i, `Keep the label under ${SETTINGS_LIMITS.socialLabel} characters.`),
          )
        if (!url)
          ctx.addIssue(socialIssue('url', i, 'Enter the link’s address, or clear its label to remove it.'))
        else if (!isHttpUrl(url))
          ctx.addIssue(socialIssue('url', i, 'Enter a full web address starting with https:// (or http://).'))
      })
    }),
)

export type SettingsForm = z.infer<typeof settingsFormSchema>

/** The settings the form sets; a field it did not send is left out, so it keeps its value. */
export function toSettingsInput(form: SettingsForm): Partial<SettingsInput> {
  const input: Record<string, unknown> = {}
  for (const key of settingKeys) {
    const value = form[SETTINGS_FIELDS[key]]
    if (value !== undefined) input[key] = value
  }
  for (const key of switchKeys) {
    const value = form[SETTINGS_SWITCHES[key]]
    if (value !== undefined) input[key] = isSwitchedOn(value)
  }
  const socialLinks = socialPairs(form as Record<string, string>).filter((pair) => pair.label || pair.url)
  return { ...input, postsPerPage: Number(form.posts_per_page), socialLinks } as Partial<SettingsInput>
}

/**
 * The service's refusals, beside the fields they are about. A social link's index in the list no
 * longer matches its row on the form, so a refused link is reported for the form as a whole.
 */
export function formErrorsOf(problems: readonly SettingsProblem[]): FieldErrors {
  const errors: FieldErrors = {}
  for (const { path, message } of problems) {
    const key = String(path[0])
    if (key in SETTINGS_FIELDS) errors[SETTINGS_FIELDS[key as SettingKey]] ??= message
    else if (key in SETTINGS_SWITCHES) errors[SETTINGS_SWITCHES[key as SwitchKey]] ??= message
    else errors._form ??= 'Check the social links: one of them was not accepted.'
  }
  return errors
}
