// Owns reading the responses screen's requests: which status and page is asked for, and which domain a block names.
import type { Response, ResponseStatus } from '../../../db/schema.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { pageQuerySchema } from '../../blog/forms.ts'
import { senderDomains } from '../../responses/moderation.ts'
import { isResponseStatus } from '../../responses/queries.ts'

export interface ListState {
  readonly status: ResponseStatus
  readonly page: number
}

/** Status and page from a query string or a form's hidden fields; anything odd falls back to Pending, page 1. */
export function listStateFrom(source: unknown): ListState {
  const fields = formFields(source)
  const page = pageQuerySchema.safeParse({ page: fields.page })
  return {
    status: isResponseStatus(fields.status) ? fields.status : 'pending',
    page: page.success ? page.data.page : 1,
  }
}

/**
 * The domain a "block domain" form names, when it is one this response came from (its author's
 * or its source's host); anything else is refused, so a form cannot block an arbitrary site.
 */
export function domainFrom(body: unknown, response: Pick<Response, 'authorUrl' | 'sourceUrl'>) {
  const asked = formFields(body).domain
  return senderDomains(response).find((domain) => domain === asked)
}
