// Owns the contact form's fields and their limits, stated on the page and enforced here.
import { z } from 'zod'

export const LIMITS = { name: 100, email: 254, subject: 150, message: 5000 } as const

export const contactSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Please tell me your name.')
    .max(LIMITS.name, `Please keep your name under ${LIMITS.name} characters.`),
  email: z
    .string()
    .trim()
    .min(1, 'Please give an email address so I can reply.')
    .max(LIMITS.email, 'That email address is too long.')
    .pipe(z.email('That does not look like an email address. It should look like you@example.com.')),
  subject: z
    .string()
    .trim()
    .max(LIMITS.subject, `Please keep the subject under ${LIMITS.subject} characters.`)
    .default(''),
  message: z
    .string()
    .trim()
    .min(10, 'Please write a little more: at least 10 characters.')
    .max(
      LIMITS.message,
      `Please keep the message under ${LIMITS.message.toLocaleString('en')} characters, or send the rest by email.`,
    ),
})

export type ContactForm = z.infer<typeof contactSchema>

/** The hidden field people never see; its name invites autofilling bots. */
export const HONEYPOT_FIELD = 'website'
