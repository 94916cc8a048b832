// Owns reading the followers screen's requests: which tab and page is asked for, and which actions a form may name.
import { FOLLOWER_STATUSES, type FollowerStatus } from '../../../db/schema.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { pageQuerySchema } from '../../blog/forms.ts'

export interface ListState {
  readonly status: FollowerStatus
  readonly page: number
}

const isFollowerStatus = (value: unknown): value is FollowerStatus =>
  typeof value === 'string' && (FOLLOWER_STATUSES as readonly string[]).includes(value)

/** Tab and page from a query string or a form's hidden fields; anything odd falls back to Accepted, page 1. */
export function listStateFrom(source: unknown): ListState {
  const fields = formFields(source)
  const page = pageQuerySchema.safeParse({ page: fields.page })
  return {
    status: isFollowerStatus(fields.status) ? fields.status : 'accepted',
    page: page.success ? page.data.page : 1,
  }
}

/** What the author can do to followers, one at a time or ticked in bulk. */
export const FOLLOWER_ACTIONS = ['approve', 'reject', 'remove'] as const
export type FollowerAction = (typeof FOLLOWER_ACTIONS)[number]

export const isFollowerAction = (value: unknown): value is FollowerAction =>
  typeof value === 'string' && (FOLLOWER_ACTIONS as readonly string[]).includes(value)
