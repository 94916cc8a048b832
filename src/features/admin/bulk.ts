// Owns reading a list's bulk form (the boxes ticked beside its rows and the button pressed): which ids, how many at once, and when a delete counts as confirmed.
import { formFields } from '../../lib/form-errors.ts'
import { parseId } from './params.ts'

/** A form never selects more than a page of rows; this bounds a hand-made request. */
export const MAX_BULK_IDS = 500

/** The repeated `ids` field, as distinct ids; anything that is not an id is dropped. */
export function idsFrom(body: unknown): number[] {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>).ids : undefined
  const list = Array.isArray(raw) ? raw : [raw]
  const ids = new Set<number>()
  for (const value of list) {
    const id = parseId(value)
    if (id !== undefined) ids.add(id)
  }
  return [...ids]
}

export interface BulkOptions<Action extends string> {
  readonly isAction: (value: unknown) => value is Action
  /** What a row is, for the messages: "message" and "messages". */
  readonly noun: { readonly one: string; readonly many: string }
  /** Which of the ids still exist. */
  readonly existing: (ids: readonly number[]) => number[]
}

/** What was sent (to tick the same boxes again) and either what to do to which rows, or why not. */
export type BulkRequest<Action extends string> = { readonly ids: number[]; readonly confirmed: boolean } & (
  | { readonly action: Action; readonly found: number[] }
  | { readonly error: string }
)

/** What a list shows again after a refused form: why, and the boxes as they were ticked. */
export interface ListExtra {
  readonly formError?: string
  readonly checked?: number[]
  readonly confirmChecked?: boolean
}

/** A refused bulk form, as its list shows it again. */
export const refusedBulk = (bulk: { ids: number[]; confirmed: boolean; error: string }): ListExtra => ({
  formError: bulk.error,
  checked: bulk.ids,
  confirmChecked: bulk.confirmed,
})

/**
 * A bulk form: a known action, at least one and at most MAX_BULK_IDS ids of rows that still exist,
 * and for `delete` the "Yes, delete them for good" box ticked. Ids that are gone are left out.
 */
export function bulkRequestFrom<Action extends string>(
  body: unknown,
  options: BulkOptions<Action>,
): BulkRequest<Action> {
  const fields = formFields(body)
  const ids = idsFrom(body)
  const confirmed = fields.confirm === 'yes'
  const { one, many } = options.noun
  const refuse = (error: string) => ({ ids, confirmed, error })
  const action = fields.action
  if (!options.isAction(action)) return refuse(`Choose what to do with the selected ${many}.`)
  if (ids.length === 0) return refuse(`Select at least one ${one} first, with the boxes beside them.`)
  if (ids.length > MAX_BULK_IDS) return refuse(`Select at most ${MAX_BULK_IDS} ${many} at a time.`)
  if (action === 'delete' && !confirmed) {
    return refuse(
      `Nothing was deleted. To delete the selected ${many} for good, tick “Yes, delete them for good” and press Delete again.`,
    )
  }
  const found = options.existing(ids)
  if (found.length === 0)
    return refuse(`Those ${many} are no longer here; they may have been deleted already.`)
  return { ids, confirmed, action, found }
}
