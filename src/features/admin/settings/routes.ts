// Owns the admin's /admin/settings screen: one form for every site setting.
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../db/client.ts'
import { fieldErrors, formFields } from '../../../lib/form-errors.ts'
import { applySettings, getSettings } from '../../settings/service.ts'
import { formErrorsOf, settingsFormSchema, toSettingsInput } from './forms.ts'
import { renderSettings, valuesFromForm, valuesFromSettings } from './render.ts'

export default async function settingsRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options

  app.get('/admin/settings', async (_request, reply) => {
    return renderSettings(reply, valuesFromSettings(getSettings(db)))
  })

  app.post('/admin/settings', async (request, reply) => {
    const fields = formFields(request.body)
    const values = valuesFromForm(fields, getSettings(db))
    const parsed = settingsFormSchema.safeParse(fields)
    if (!parsed.success) return renderSettings(reply, values, fieldErrors(parsed.error), 422)
    const applied = await applySettings(db, toSettingsInput(parsed.data))
    if (applied.outcome === 'refused')
      return renderSettings(reply, values, formErrorsOf(applied.problems), 422)
    return reply.redirect('/admin/settings?done=settings-saved', 303)
  })
}
