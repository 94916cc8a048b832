// Owns /contact and /contact/thanks: the visitor's way to reach the author, with spam kept out of the way.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { recordStorageFailure, STORAGE_PROBLEM_TEXT } from '../../db/storage-health.ts'
import { fieldErrors, formFields } from '../../lib/form-errors.ts'
import { loadOrCreateSecret } from '../auth/secrets.ts'
import { elapsedSince, issueFormTimestamp } from './form-token.ts'
import { contactSchema, HONEYPOT_FIELD, LIMITS } from './forms.ts'
import {
  findRecentDuplicate,
  MESSAGES_PER_IP_PER_HOUR,
  receiveMessage,
  recentMessagesFrom,
} from './service.ts'
import { scoreMessage } from './spam.ts'

type Values = { name: string; email: string; subject: string; message: string }
const EMPTY: Values = { name: '', email: '', subject: '', message: '' }

export default async function contactRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const timestampSecret = loadOrCreateSecret(db, 'contact-form')

  async function renderForm(
    reply: FastifyReply,
    data: { values?: Values; errors?: Record<string, string>; notice?: string; timestamp?: string } = {},
    status = 200,
  ) {
    const locals = reply.siteLocals()
    // The page carries a per-visitor token, so no shared cache may keep it.
    reply.header('cache-control', 'no-store')
    return reply.page(
      'contact/form',
      {
        section: 'contact',
        meta: {
          title: 'Get in touch',
          description: `Send ${locals.site.authorName} a message.`,
          path: '/contact',
        },
        values: data.values ?? EMPTY,
        errors: data.errors ?? {},
        notice: data.notice,
        limits: LIMITS,
        honeypot: HONEYPOT_FIELD,
        csrfToken: reply.generateCsrf(),
        // A form given back keeps its first timestamp, so pressing Send again at once is not "too fast".
        timestamp: data.timestamp ?? issueFormTimestamp(timestampSecret),
      },
      status,
    )
  }

  /** The posted timestamp when it is genuine, to carry into a re-rendered form. */
  const keptTimestamp = (request: FastifyRequest): string | undefined => {
    const ts = formFields(request.body).ts
    return elapsedSince(timestampSecret, ts) === null ? undefined : ts
  }

  const valuesFrom = (request: FastifyRequest): Values => {
    const f = formFields(request.body)
    const cut = (v: string | undefined, max: number) => (v ?? '').slice(0, max * 2)
    return {
      name: cut(f.name, LIMITS.name),
      email: cut(f.email, LIMITS.email),
      subject: cut(f.subject, LIMITS.subject),
      message: cut(f.message, LIMITS.message),
    }
  }

  app.get('/contact', async (_request, reply) => renderForm(reply))

  app.post('/contact', {
    preHandler: [app.checkSameOrigin, app.csrfProtection],
    // A page left open for hours, or a cookie the browser dropped, fails the CSRF check: the
    // visitor gets the form back with every word kept and a fresh token, never a lost message.
    errorHandler: async (error: FastifyError, request, reply) => {
      if (error.code?.startsWith('FST_CSRF')) {
        request.log.info({ code: error.code }, 'contact form token expired')
        return renderForm(
          reply,
          {
            values: valuesFrom(request),
            timestamp: keptTimestamp(request),
            notice:
              'Sorry, this form had expired, so your message has not been sent yet. It is all still here: please press Send again.',
          },
          403,
        )
      }
      throw error
    },
    handler: async (request, reply) => {
      const values = valuesFrom(request)
      const fields = formFields(request.body)
      const parsed = contactSchema.safeParse(fields)
      if (!parsed.success) {
        return renderForm(
          reply,
          { values, errors: fieldErrors(parsed.error), timestamp: keptTimestamp(request) },
          422,
        )
      }
      const input = {
        name: parsed.data.name,
        email: parsed.data.email,
        subject: parsed.data.subject,
        body: parsed.data.message,
      }

      // A double-click or a resubmitted form sends the same words twice: keep the first only.
      if (findRecentDuplicate(db, request.ip, input)) return reply.redirect('/contact/thanks', 303)

      const recent = recentMessagesFrom(db, request.ip)
      if (recent.count >= MESSAGES_PER_IP_PER_HOUR) {
        reply.header('retry-after', String(recent.retryAfterSeconds))
        return renderForm(
          reply,
          {
            values,
            timestamp: keptTimestamp(request),
            notice: `You have already sent ${MESSAGES_PER_IP_PER_HOUR} messages in the last hour, which is all this form accepts. Your message is still here: please try again later, or copy it into an email.`,
          },
          429,
        )
      }

      const spam = scoreMessage(
        {
          name: parsed.data.name,
          email: parsed.data.email,
          subject: parsed.data.subject,
          body: parsed.data.message,
        },
        { honeypot: fields[HONEYPOT_FIELD] ?? '', elapsedMs: elapsedSince(timestampSecret, fields.ts) },
      )
      const site = reply.siteLocals().site
      let message: ReturnType<typeof receiveMessage>
      try {
        message = receiveMessage(
          db,
          {
            name: parsed.data.name,
            email: parsed.data.email,
            subject: parsed.data.subject,
            body: parsed.data.message,
          },
          {
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? '',
            spam,
            notify:
              config.smtpUrl && config.notifyEmail
                ? { to: config.notifyEmail, siteTitle: site.title, siteUrl: config.siteUrl }
                : undefined,
          },
        )
      } catch (err) {
        // A full or read-only disk: say so, and give every word back rather than a 500 page.
        const problem = recordStorageFailure(db, err)
        if (!problem) throw err
        request.log.error({ err }, 'contact message could not be stored')
        if (problem !== 'damaged') reply.header('retry-after', '60')
        return renderForm(
          reply,
          {
            values,
            timestamp: keptTimestamp(request),
            notice: `Sorry: ${STORAGE_PROBLEM_TEXT[problem]}, so your message was not saved or sent. It is all still here: please try again later, or copy it into an email.`,
          },
          503,
        )
      }
      request.log.info(
        { messageId: message.id, spam: spam.isSpam, score: spam.score },
        'contact message stored',
      )
      app.outbox?.wake()
      // A spammer sees exactly what a person sees.
      return reply.redirect('/contact/thanks', 303)
    },
  })

  app.get('/contact/thanks', async (_request, reply) => {
    return reply.page('contact/thanks', {
      section: 'contact',
      meta: {
        title: 'Thanks for your message',
        path: '/contact/thanks',
        noindex: true,
      },
    })
  })
}
