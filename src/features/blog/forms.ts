// Owns the reading side's query-string schemas.
import * as z from 'zod'

/** Deep pages are allowed but bounded, so OFFSET can never be asked to skip billions of rows. */
export const MAX_PAGE = 100_000

export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
})
