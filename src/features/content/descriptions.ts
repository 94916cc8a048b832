// Owns a post's or page's description: what the author typed is stored as typed, and this one rule fills it in when shown.
import type { Db } from '../../db/client.ts'
import { visibleText } from '../../lib/html-text.ts'
import { truncateText } from '../../lib/text.ts'

/** About as many characters as search results show. */
export const DESCRIPTION_LENGTH = 160

export interface DescribedHtml {
  /** Empty or missing: the text alone decides. */
  readonly excerptHtml?: string | undefined
  readonly bodyHtml: string
}

/** The description of a text whose author typed none: its excerpt's words, else its body's, cut short. */
export function derivedDescription(html: DescribedHtml): string {
  return truncateText(visibleText(html.excerptHtml ?? '') || visibleText(html.bodyHtml), DESCRIPTION_LENGTH)
}

/** What a post or page shows as its description (meta tags, JSON-LD, feeds): the typed one, else the derived one. */
export function descriptionOf(text: DescribedHtml & { readonly metaDescription: string }): string {
  return text.metaDescription || derivedDescription(text)
}

/**
 * Lets SQL apply the rule as `derived_description(excerpt_html, body_html)`: migrations 0007 and 0008 use it
 * to tell the descriptions Folio derived and stored before from the ones authors typed.
 */
export function defineDerivedDescriptionSql(db: Db): void {
  db.$client.function('derived_description', { deterministic: true }, (excerptHtml, bodyHtml) =>
    derivedDescription({ excerptHtml: String(excerptHtml ?? ''), bodyHtml: String(bodyHtml ?? '') }),
  )
}
