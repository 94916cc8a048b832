// Owns paging a list: how many pages a total makes, which page a request gets, and where it starts.

/**
 * The page shown for `requested` (1 when missing or below, the last page when beyond the end),
 * how many pages `total` rows make at `size` a page (at least one, so an empty list has a page),
 * and the offset of its first row.
 */
export function pageWindow(total: number, requested: number | undefined, size: number) {
  const totalPages = Math.max(1, Math.ceil(total / size))
  const page = Math.min(Math.max(1, Math.floor(requested ?? 1)), totalPages)
  return { page, totalPages, offset: (page - 1) * size }
}
