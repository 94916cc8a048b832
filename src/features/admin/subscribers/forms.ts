// Owns reading the subscribers screen's requests: which tab, search and page, what the remove form asks for, and why an import upload was refused.
import type { FastifyError } from 'fastify'
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../../../db/schema.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { formatBytes } from '../../../lib/format-bytes.ts'
import { pageQuerySchema } from '../../blog/forms.ts'
import { MAX_IMPORT_BYTES } from '../../newsletter/import-file.ts'
import { MAX_SEARCH_LENGTH } from '../../newsletter/manage.ts'
import { multipartProblem } from '../media/forms.ts'

export interface ListState {
  readonly status: SubscriberStatus
  readonly q: string
  readonly page: number
}

const isStatus = (value: unknown): value is SubscriberStatus =>
  typeof value === 'string' && (SUBSCRIBER_STATUSES as readonly string[]).includes(value)

/** Tab, search and page from a query string; anything odd falls back to Confirmed, no search, page 1. */
export function listStateFrom(source: unknown): ListState {
  const fields = formFields(source)
  const page = pageQuerySchema.safeParse({ page: fields.page })
  return {
    status: isStatus(fields.status) ? fields.status : 'confirmed',
    q: (fields.q ?? '').trim().slice(0, MAX_SEARCH_LENGTH),
    page: page.success ? page.data.page : 1,
  }
}

/** What the add form sent, cut to a length worth showing again. */
export const typedEmail = (body: unknown): string => (formFields(body).email ?? '').slice(0, 500)

/** The two ways to take someone off the list. */
export const REMOVE_ACTIONS = ['unsubscribe', 'delete'] as const
export type RemoveAction = (typeof REMOVE_ACTIONS)[number]

export function removeActionFrom(body: unknown): RemoveAction | undefined {
  const action = formFields(body).action
  return (REMOVE_ACTIONS as readonly string[]).includes(action ?? '') ? (action as RemoveAction) : undefined
}

export const TOO_LARGE_MESSAGE = `The file is larger than ${formatBytes(MAX_IMPORT_BYTES)}. Split the list into smaller files and import each.`

/** Why @fastify/multipart gave up on an import's body, in words, with the status to answer. */
export const importUploadProblem = (error: FastifyError): { message: string; status: number } =>
  multipartProblem(error, { tooLarge: TOO_LARGE_MESSAGE, oneFile: 'Import one CSV file at a time.' })
