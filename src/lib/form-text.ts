// Owns the zod shape of a form's plain text fields, filled in or optional, and the one way "too long" is said.
import * as z from 'zod'
import { formatCount } from './text.ts'

/** "Keep this under 10,000 characters." */
export const tooLong = (max: number, what = 'this'): string =>
  `Keep ${what} under ${formatCount(max)} characters.`

/** Trimmed text that must be filled in; `missing` tells the person what to type. */
export const requiredText = (max: number, missing: string, what?: string) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong(max, what))

/** Trimmed text that may be left empty. */
export const optionalText = (max: number, what?: string) =>
  z.string().trim().max(max, tooLong(max, what)).default('')

/** Markdown that may be left empty, untrimmed: leading spaces and blank lines mean something in it. */
export const optionalMarkdown = (max: number, message = tooLong(max)) =>
  z.string().max(max, message).default('')
