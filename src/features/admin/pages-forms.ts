// Owns the page editor form's validation and its translation into savePage's input.
import { z } from 'zod'
import { PAGE_STATUSES } from '../../db/schema.ts'
import type { PageInput } from '../content/pages.ts'

export const PAGE_LIMITS = {
  title: 200,
  slug: 200,
  body: 200_000,
  metaDescription: 300,
  navOrderMax: 999,
} as const

/** The editor's fields as posted (strings); a checkbox that is not ticked is simply absent. */
export const pageFormSchema = z
  .object({
    title: z
      .string({ error: 'Give the page a title, like “About”.' })
      .trim()
      .min(1, 'Give the page a title, like “About”.')
      .max(PAGE_LIMITS.title, `Keep the title under ${PAGE_LIMITS.title} characters.`),
    slug: z
      .string()
      .trim()
      .max(PAGE_LIMITS.slug, `Keep the address under ${PAGE_LIMITS.slug} characters.`)
      .default(''),
    body: z
      .string()
      .max(
        PAGE_LIMITS.body,
        `The page is too long: keep it under ${PAGE_LIMITS.body.toLocaleString('en')} characters.`,
      )
      .default(''),
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
  })

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
