// Owns the contact form's fields and their limits, stated on the page and enforced here.
import * as z from 'zod'
import { dropControlCharactersKeepingLines, formatCount, replaceControlCharacters } from '../../lib/text.ts'

export const LIMITS = { name: 100, email: 254, subject: 150, message: 5000, messageMin: 10 } as const

/** Line breaks and control characters have no place in a name or a subject line. */
const singleLine = (value: string): string => replaceControlCharacters(value)

/** Keeps newlines and tabs in a message body (line endings made \n); drops the other control characters. */
const multiLine = (value: string): string => dropControlCharactersKeepingLines(value.replace(/\r\n?/g, '\n'))

// A field missing from the POST counts as empty, so it gets the same friendly message.
const text = () => z.string().default('')

// Built on the first message (z.lazy), not at start: the contact page itself needs no schema.
export const contactSchema = z.lazy(() =>
  z.object({
    name: text()
      .transform(singleLine)
      .pipe(
        z
          .string()
          .trim()
          .min(1, 'Please tell me your name.')
          .max(LIMITS.name, `Please keep your name under ${LIMITS.name} characters.`),
      ),
    email: text().pipe(
      z
        .string()
        .trim()
        .min(1, 'Please give an email address so I can reply.')
        .max(LIMITS.email, 'That email address is too long.')
        .pipe(z.email('That does not look like an email address. It should look like you@example.com.')),
    ),
    subject: text()
      .transform(singleLine)
      .pipe(
        z.string().trim().max(LIMITS.subject, `Please keep the subject under ${LIMITS.subject} characters.`),
      ),
    message: text()
      .transform(multiLine)
      .pipe(
        z
          .string()
          .trim()
          .min(LIMITS.messageMin, `Please write a little more: at least ${LIMITS.messageMin} characters.`)
          .max(
            LIMITS.message,
            `Please keep the message under ${formatCount(LIMITS.message)} characters, or send the rest by email.`,
          ),
      ),
  }),
)

export type ContactForm = z.infer<typeof contactSchema>

/** The hidden field people never see; its name invites autofilling bots. */
export const HONEYPOT_FIELD = 'website'
