// Owns the admin's /admin/settings screen: one form for every site setting.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { isValidTimeZone } from '../../lib/dates.ts'
import { type FieldErrors, fieldErrors, formFields } from '../../lib/form-errors.ts'
import { getSettings, type Settings, saveSettings, settingsSchema } from '../settings/service.ts'
import {
  SETTINGS_FORM_FIELDS,
  SOCIAL_LABEL_MAX,
  SOCIAL_ROWS,
  settingsFormSchema,
  TIMEZONES,
  toSettingsInput,
} from './settings-forms.ts'

/** Blank rows offered after the last filled one, so adding a link needs no JavaScript. */
const EMPTY_SOCIAL_ROWS = 3

interface SocialRow {
  readonly index: number
  readonly label: string
  readonly url: string
}

/** What the form's inputs show, keyed by field name. */
interface SettingsValues {
  readonly site_title: string
  readonly tagline: string
  readonly description: string
  readonly language: string
  readonly timezone: string
  readonly author_name: string
  readonly author_bio: string
  readonly intro: string
  readonly services_title: string
  readonly services: string
  readonly contact_intro: string
  readonly posts_per_page: string
  readonly social: SocialRow[]
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

function valuesFromSettings(s: Settings): SettingsValues {
  return {
    site_title: s.title,
    tagline: s.tagline,
    description: s.description,
    language: s.language,
    timezone: s.timezone,
    author_name: s.authorName,
    author_bio: s.authorBioMd,
    intro: s.introMd,
    services_title: s.servicesTitle,
    services: s.servicesMd,
    contact_intro: s.contactIntroMd,
    posts_per_page: String(s.postsPerPage),
    social: socialRows(s.socialLinks),
  }
}

function valuesFromForm(fields: Record<string, string>): SettingsValues {
  const pairs = Array.from({ length: SOCIAL_ROWS }, (_, i) => ({
    label: fields[`social_label_${i}`] ?? '',
    url: fields[`social_url_${i}`] ?? '',
  }))
  const text = (name: string) => fields[name] ?? ''
  return {
    site_title: text('site_title'),
    tagline: text('tagline'),
    description: text('description'),
    language: text('language'),
    timezone: text('timezone'),
    author_name: text('author_name'),
    author_bio: text('author_bio'),
    intro: text('intro'),
    services_title: text('services_title'),
    services: text('services'),
    contact_intro: text('contact_intro'),
    posts_per_page: text('posts_per_page'),
    social: socialRows(pairs),
  }
}

export default async function settingsRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options

  function renderSettings(
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
      {
        title: 'Settings',
        section: 'settings',
        values,
        errors,
        timezones,
        socialLabelMax: SOCIAL_LABEL_MAX,
        socialRowsMax: SOCIAL_ROWS,
      },
      status,
    )
  }

  app.get('/admin/settings', async (_request, reply) => {
    return renderSettings(reply, valuesFromSettings(getSettings(db)))
  })

  app.post('/admin/settings', async (request, reply) => {
    const fields = formFields(request.body)
    const values = valuesFromForm(fields)
    const parsed = settingsFormSchema.safeParse(fields)
    if (!parsed.success) return renderSettings(reply, values, fieldErrors(parsed.error), 422)
    const checked = settingsSchema.safeParse(toSettingsInput(parsed.data))
    if (!checked.success) {
      const errors: FieldErrors = {}
      for (const issue of checked.error.issues) {
        const field = SETTINGS_FORM_FIELDS[String(issue.path[0])] ?? '_form'
        errors[field] ??=
          field === '_form' ? 'Check the social links: one of them was not accepted.' : issue.message
      }
      return renderSettings(reply, values, errors, 422)
    }
    saveSettings(db, checked.data)
    return reply.redirect('/admin/settings?done=settings-saved', 303)
  })
}
