// Owns the sign-in, setup and password forms' validation.
import * as z from 'zod'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.ts'

// Each schema is built on first use (z.lazy): a server waking for a reader needs none of them.

const email = z.lazy(() =>
  z
    .string()
    .trim()
    .min(1, 'Enter your email address.')
    .max(254, 'That email address is too long.')
    .pipe(z.email('Enter an email address like you@example.com.')),
)

const newPassword = z.lazy(() =>
  z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters. A few random words work well.`)
    .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters.`),
)

export const loginSchema = z.lazy(() =>
  z.object({
    email: z.string().trim().min(1, 'Enter your email address.').max(254),
    password: z.string().min(1, 'Enter your password.').max(MAX_PASSWORD_LENGTH),
    next: z.string().optional(),
  }),
)

export const setupSchema = z.lazy(() =>
  z.object({
    token: z.string().min(1),
    name: z
      .string()
      .trim()
      .min(1, 'Enter your name, as readers will see it.')
      .max(80, 'Use at most 80 characters.'),
    email,
    password: newPassword,
  }),
)

export const passwordChangeSchema = z.lazy(() =>
  z
    .object({
      current_password: z.string().min(1, 'Enter your current password.').max(MAX_PASSWORD_LENGTH),
      new_password: newPassword,
      confirm_password: z.string(),
    })
    .refine((v) => v.new_password === v.confirm_password, {
      path: ['confirm_password'],
      message: 'The two new passwords are not the same.',
    }),
)

export { email as emailSchema, newPassword as newPasswordSchema }
