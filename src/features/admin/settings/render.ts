// Owns what the settings screen shows: the form's values, from the stored settings or as typed, and the page itself.
import type { FastifyReply } from 'fastify'
import { isValidTimeZone } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { SETTINGS_LIMITS, type Settings } from '../../settings/service.ts'
import {
  SETTINGS_FIELDS,
  type SettingsField,
  SOCIAL_ROWS,
  settingKeys,
  socialPairs,
  TIMEZONES,
} from './forms.ts'

/** Blank rows offered after the last filled one, so adding a link needs no JavaScript. */
const EMPTY_SOCIAL_ROWS = 3

interface SocialRow {
  readonly index: number
  readonly label: string
  readonly url: string
}

/** What the form's inputs show, keyed by field name. */
export type SettingsValues = Record<SettingsField, string> & { readonly social: SocialRow[] }

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
  const values = { social: socialRows(settings.socialLinks) } as SettingsValues
  for (const key of settingKeys) values[SETTINGS_FIELDS[key]] = String(settings[key])
  return values
}

export function valuesFromForm(fields: Record<string, string>): SettingsValues {
  const values = { social: socialRows(socialPairs(fields)) } as SettingsValues
  for (const key of settingKeys) values[SETTINGS_FIELDS[key]] = fields[SETTINGS_FIELDS[key]] ?? ''
  return values
}

export function renderSettings(
  reply: FastifyReply,
  values: SettingsValues,
  errors: FieldErrors = {},
  status = 200,
) {
  // A timezone stored by other means (an import, say) stays selectable rather than silently changing.
  const offList = !TIMEZONES.includes(values.timezone) && isValidTimeZone(values.timezone)
  const timezones = offList ? [values.timezone, ...TIMEZONES] : TIMEZONES
  return reply.admin(
    'admin/settings',
    { title: 'Settings', section: 'settings', values, errors, timezones, limits: SETTINGS_LIMITS },
    status,
  )
}
