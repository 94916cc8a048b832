// Owns what the settings screen shows: the form's values, from the stored settings or as typed, and the page itself.
import type { FastifyReply } from 'fastify'
import { isValidTimeZone } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { SETTINGS_LIMITS, type Settings } from '../../settings/service.ts'
import {
  isSwitchedOn,
  listTimezones,
  SETTINGS_FIELDS,
  SETTINGS_SWITCHES,
  type SettingsField,
  SOCIAL_ROWS,
  type SwitchField,
  settingKeys,
  socialPairs,
  switchKeys,
} from './forms.ts'

/** Blank rows offered after the last filled one, so adding a link needs no JavaScript. */
const EMPTY_SOCIAL_ROWS = 3

interface SocialRow {
  readonly index: number
  readonly label: string
  readonly url: string
}

/** Each field's label, in the form's order: the form's labels and the error summary's links. */
const LABELS: Record<SettingsField, string> = {
  site_title: 'Site title',
  tagline: 'Tagline',
  description: 'Description for search engines',
  language: 'Language',
  timezone: 'Timezone',
  posts_per_page: 'Posts per page',
  author_name: 'Author name',
  author_bio: 'Author bio',
  intro: 'Intro',
  services_title: 'Services block title',
  services: 'Services',
  contact_intro: 'Contact page intro',
  contact_thanks: 'Thanks message',
  fediverse_handle: 'Fediverse name',
  follow_approval: 'New followers',
}

/** The checkboxes' labels, also the error summary's. */
const SWITCH_LABELS: Record<SwitchField, string> = {
  newsletter_enabled: 'Offer a subscribe form',
  stats_beacon: 'Count views with a CSS beacon',
}

/**
 * The error summary's fields, in the form's order. A social link the service refused is reported
 * for the form as a whole (see formErrorsOf), so `_form` links to the social links' fieldset.
 */
function summaryFields(social: readonly SocialRow[]) {
  return [
    ...Object.entries(LABELS)
      .filter(([name]) => name !== 'follow_approval')
      .map(([name, label]) => ({ name, label })),
    { name: 'follow_approval', label: LABELS.follow_approval, id: 'follow_approval-automatic' },
    ...Object.entries(SWITCH_LABELS).map(([name, label]) => ({ name, label })),
    { name: '_form', label: 'Social links', id: 'social-links' },
    ...social.flatMap(({ index }) => [
      { name: `social_label_${index}`, label: `Label of link ${index + 1}` },
      { name: `social_url_${index}`, label: `Address of link ${index + 1}` },
    ]),
  ]
}

/** Fields a form may leave out to keep their values (see settingsFormSchema). */
const OPTIONAL_FIELDS = new Set<SettingsField>(['fediverse_handle', 'follow_approval'])

/** What the form's inputs show, keyed by field name. */
export type SettingsValues = Record<SettingsField, string> & {
  readonly social: SocialRow[]
  /** Whether each checkbox is ticked. */
  readonly switches: Record<SwitchField, boolean>
}

/** Rows 0…n, keeping each row's index so an error stays beside the row it is about. */
function socialRows(pairs: readonly { label: string; url: string }[]): SocialRow[] {
  let last = -1
  pairs.forEach((pair, i) => {
    if (pair.label.trim() || pair.url.trim()) last = i
  })
  const count = Math.min(SOCIAL_ROWS, last + 1 + EMPTY_SOCIAL_ROWS)
  return Array.from({ length: count }, (_, index) => ({
    index,
    label: pairs[index]?.label ?? '',
    url: pairs[index]?.url ?? '',
  }))
}

export function valuesFromSettings(settings: Settings): SettingsValues {
  const switches = {} as Record<SwitchField, boolean>
  for (const key of switchKeys) switches[SETTINGS_SWITCHES[key]] = settings[key]
  const values = { social: socialRows(settings.socialLinks), switches } as SettingsValues
  for (const key of settingKeys) values[SETTINGS_FIELDS[key]] = String(settings[key])
  return values
}

/** What was typed; a field the form did not send shows its stored value, which it keeps. */
export function valuesFromForm(fields: Record<string, string>, current: Settings): SettingsValues {
  const stored = valuesFromSettings(current)
  const switches = {} as Record<SwitchField, boolean>
  for (const field of Object.values(SETTINGS_SWITCHES))
    switches[field] = field in fields ? isSwitchedOn(fields[field]) : stored.switches[field]
  const values = { social: socialRows(socialPairs(fields)), switches } as SettingsValues
  for (const key of settingKeys) {
    const field = SETTINGS_FIELDS[key]
    values[field] = fields[field] ?? (OPTIONAL_FIELDS.has(field) ? stored[field] : '')
  }
  return values
}

export function renderSettings(
  reply: FastifyReply,
  values: SettingsValues,
  errors: FieldErrors = {},
  status = 200,
) {
  // A timezone stored by other means (an import, say) stays selectable rather than silently changing.
  const listed = listTimezones()
  const offList = !listed.includes(values.timezone) && isValidTimeZone(values.timezone)
  const timezones = offList ? [values.timezone, ...listed] : listed
  return reply.admin(
    'admin/settings',
    {
      title: 'Settings',
      section: 'settings',
      values,
      errors,
      labels: { ...LABELS, ...SWITCH_LABELS },
      summaryFields: summaryFields(values.social),
      timezones,
      limits: SETTINGS_LIMITS,
      // The address shown beside the name: people follow `@name@host`.
      siteHost: new URL(reply.server.config.siteUrl).host,
      // The subscribe form needs a way to send the confirmation email.
      smtpConfigured: Boolean(reply.server.config.smtpUrl),
    },
    status,
  )
}
