// Owns turning zod issues into per-field messages for re-rendered HTML forms.
import type { z } from 'zod'

export type FieldErrors = Record<string, string>

/** The first message for each field, keyed by the form's field name. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '_form')
    errors[key] ??= issue.message
  }
  return errors
}

/** A form body as strings only: repeated fields keep their first value, anything else is dropped. */
export function formFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {}
  if (!body || typeof body !== 'object') return fields
  for (const [key, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') fields[key] = first
  }
  return fields
}
