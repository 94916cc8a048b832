// Owns the page editor's form: the values its inputs show, their validation, and their translation into savePage's input.
import * as z from 'zod'
import { PAGE_STATUSES } from '../../../db/schema.ts'
import { optionalMarkdown, optionalText, requiredText } from '../../../lib/form-text.ts'
import { formatCount } from '../../../lib/text.ts'
import { PAGE_LIMITS, type PageInput, type PageRow } from '../../content/pages.ts'

/** What the editor's inputs show, keyed by form field name. */
export interface PageValues {
  title: string
  slug: string
  body: string
  meta_description: string
  status: string
  in_nav: boolean
  nav_order: string
}

export const emptyPageValues = (navOrder: number): PageValues => ({
  title: '',
  slug: '',
  body: '',
  meta_description: '',
  status: 'draft',
  in_nav: false,
  nav_order: String(navOrder),
})

export function valuesFromRow(row: PageRow, defaultNavOrder: number): PageValues {
  return {
    title: row.title,
    slug: row.slug,
    body: row.bodyMd,
    meta_description: row.metaDescription,
    status: row.status,
    in_nav: row.navOrder !== null,
    nav_order: String(row.navOrder ?? defaultNavOrder),
  }
}

export function valuesFromForm(fields: Record<string, string>): PageValues {
  return {
    title: fields.title ?? '',
    slug: fields.slug ?? '',
    body: fields.body ?? '',
    meta_description: fields.meta_description ?? '',
    status: fields.status ?? 'draft',
    in_nav: Boolean(fields.in_nav),
    nav_order: fields.nav_order ?? '',
  }
}

// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
/** The editor's fields as posted (strings); a checkbox that is not ticked is simply absent. */
export const pageFormSchema = z.lazy(() =>
  z
    .object({
      title: requiredText(PAGE_LIMITS.title, 'Give the page a title, like “About”.', 'the title'),
      slug: optionalText(PAGE_LIMITS.slug, 'the address'),
      body: optionalMarkdown(
        PAGE_LIMITS.body,
        `The page is too long: keep it under ${formatCount(PAGE_LIMITS.body)} characters.`,
      ),
      meta_description: z
        .string()
        .trim()
        .max(
          PAGE_LIMITS.metaDescription,
          `Keep the description under ${PAGE_LIMITS.metaDescription} characters; search engines cut it at about 155.`,
        )
        .default(''),
      status: z.enum(PAGE_STATUSES, { message: 'Choose Draft or Published.' }),
      in_nav: z.string().optional(),
      nav_order: z.string().trim().default(''),
    })
    .superRefine((form, ctx) => {
      // The position only matters, and is only checked, when the page goes in the navigation.
      if (!form.in_nav) return
      const n = /^\d{1,3}$/.test(form.nav_order) ? Number(form.nav_order) : Number.NaN
      if (!Number.isInteger(n) || n < 0 || n > PAGE_LIMITS.navOrderMax)
        ctx.addIssue({
          code: 'custom',
          path: ['nav_order'],
          message: `Enter a whole number from 0 to ${PAGE_LIMITS.navOrderMax}; lower numbers come first.`,
        })
    }),
)

export type PageForm = z.infer<typeof pageFormSchema>

export function toPageInput(form: PageForm): PageInput {
  return {
    title: form.title,
    slug: form.slug || undefined,
    bodyMd: form.body,
    status: form.status,
    metaDescription: form.meta_description || undefined,
    navOrder: form.in_nav ? Number(form.nav_order) : null,
  }
}

/** savePage's field names → the form's, so a service error lands beside the right input. */
const SERVICE_FIELDS: Record<string, keyof PageValues> = {
  title: 'title',
  slug: 'slug',
  bodyMd: 'body',
  metaDescription: 'meta_description',
  status: 'status',
  navOrder: 'nav_order',
}

export const formFieldOf = (serviceField: string): string => SERVICE_FIELDS[serviceField] ?? '_form'
