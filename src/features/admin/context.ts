// Owns what every admin request knows: who is signed in, and how admin pages are rendered.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import type { Session, User } from '../../db/schema.ts'
import { recordStorageFailure } from '../../db/storage-health.ts'
import { hasControlCharacters } from '../../lib/text.ts'
import { findSession, SESSION_COOKIE, touchSession } from '../auth/sessions.ts'
import { countUnread } from '../contact/service.ts'
import { countPendingResponses } from '../responses/queries.ts'
import { getSettings } from '../settings/service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    auth: { user: User; session: Session } | null
  }
  interface FastifyReply {
    /** Renders an admin page in the admin layout, never cached, with a fresh CSRF token. */
    admin(template: string, data?: Record<string, unknown>, status?: number): Promise<FastifyReply>
  }
}

/** Messages shown after a redirect, chosen by a short code in `?done=`, so no visitor text is ever echoed. */
export const DONE_MESSAGES: Record<string, string> = {
  'signed-in': 'Welcome back.',
  'signed-out': 'You are signed out.',
  'set-up': 'Your account is ready. Welcome to Folio.',
  'password-changed': 'Password changed. Every other session has been signed out.',
  'session-ended': 'That session has been signed out.',
  'passkey-added': 'Passkey added. Every other session has been signed out.',
  'passkey-removed': 'Passkey removed. Every other session has been signed out.',
  'sign-in-expired': 'That sign-in was not finished within five minutes. Sign in again.',
  'two-factor-off':
    'Two-step sign-in is off. Your password alone signs in now, and every other session has been signed out.',
  'post-saved': 'Post saved.',
  'post-published': 'Post published.',
  'post-scheduled': 'Post scheduled.',
  'post-deleted': 'Post deleted.',
  'post-renamed': 'Post saved. Its address changed, and the old address now redirects to the new one.',
  'revision-restored': 'Revision restored. Save again to keep editing from here.',
  'page-saved': 'Page saved.',
  'page-deleted': 'Page deleted.',
  'page-saved-new-slug':
    'Page saved. The address you chose is reserved or used by another page, so it got a different one (see Address).',
  'settings-saved': 'Settings saved. They show on the site now.',
  'media-uploaded': 'Image uploaded.',
  'media-deleted': 'Image deleted.',
  'media-saved': 'Image details saved.',
  'inbox-read': 'Marked as read.',
  'inbox-unread': 'Marked as unread.',
  'inbox-archived': 'Archived. Archived messages are under the Archived tab.',
  'inbox-moved': 'Moved to the inbox.',
  'inbox-spam': 'Moved to Spam.',
  'inbox-not-spam': 'Marked as not spam and moved to the inbox.',
  'inbox-deleted': 'Deleted for good.',
  'inbox-reply-queued': 'Reply queued. Folio sends it in the background; its state shows under the message.',
  'inbox-replied': 'Marked as replied.',
  'responses-approved': 'Approved. It shows under its post now.',
  'responses-rejected': 'Rejected. It is kept under the Rejected tab and never shown on the site.',
  'responses-spam': 'Marked as spam. Spam is kept under the Spam tab and never shown on the site.',
  'responses-deleted':
    'Deleted for good. If it is sent again it comes back as pending; block the sender to stop that.',
  'responses-blocked':
    'Blocked. What they send from now on is refused, and what they had waiting was rejected.',
  'responses-unblocked':
    'Unblocked. What they send from now on waits under Pending; what was rejected stays rejected.',
  'followers-approved': 'Approved. Their server is told, and new posts reach their timeline from now on.',
  'followers-refused': 'Refused. Their server is told; they can ask again unless you block them.',
  'followers-removed':
    'Removed. Their server is told they no longer follow the blog; they can follow again unless you block them.',
  'followers-blocked':
    'Blocked. They no longer follow the blog and what they send is refused. Blocks are listed, and lifted, under Responses.',
}

export const isUnsafeMethod = (method: string): boolean =>
  method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS'

/** Longer than any admin address a person follows; a longer `next` is someone's experiment. */
const MAX_NEXT_LENGTH = 2048
const LOCAL = 'http://folio.invalid'

/**
 * Where to go after signing in: only ever a local /admin path, never another site, and always in
 * printable ASCII (non-ASCII percent-encoded as UTF-8 by the WHATWG URL parser), so it can be sent
 * as a Location header as it is.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > MAX_NEXT_LENGTH) return '/admin'
  if (!/^\/admin(?:[/?#]|$)/.test(next)) return '/admin'
  // Checked before parsing: the URL parser turns `\` into `/` and silently drops tabs and newlines.
  if (next.includes('\\') || hasControlCharacters(next)) return '/admin'
  const url = parseLocal(next)
  // The parser resolves `..` and `%2e%2e`, so look at the path it ends with, not the one given.
  if (!url || url.origin !== LOCAL || !/^\/admin(?:\/|$)/.test(url.pathname)) return '/admin'
  const location = `${url.pathname}${url.search}${url.hash}`
  return /^[\x21-\x7e]+$/.test(location) && location.length <= MAX_NEXT_LENGTH ? location : '/admin'
}

function parseLocal(path: string): URL | null {
  try {
    return new URL(path, LOCAL)
  } catch {
    return null
  }
}

export function installAdminContext(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db } = options
  app.decorateRequest('auth', null)

  // Identify the author from the cookie; this only reads.
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE]
    request.auth = token ? (findSession(db, token) ?? null) : null
  })

  app.decorateReply(
    'admin',
    async function admin(
      this: FastifyReply,
      template: string,
      data: Record<string, unknown> = {},
      status = 200,
    ) {
      const request = this.request
      const doneCode = (request.query as Record<string, unknown> | undefined)?.done
      const html = await this.viewAsync(template, {
        site: getSettings(db),
        user: request.auth?.user ?? null,
        csrfToken: this.generateCsrf(),
        currentPath: request.url.split('?')[0],
        done: typeof doneCode === 'string' ? (DONE_MESSAGES[doneCode] ?? null) : null,
        unreadCount: countUnread(db),
        pendingResponses: countPendingResponses(db),
        section: '',
        title: 'Admin',
        ...data,
      })
      return this.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html)
    },
  )
}

/**
 * preHandler for everything behind sign-in. An unsigned GET goes to the login page with a
 * `next` back here; anything else is refused outright and changes nothing.
 */
export async function requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.auth) return
  if (request.method === 'GET' || request.method === 'HEAD') {
    const next = encodeURIComponent(safeNext(request.url))
    await reply.header('cache-control', 'no-store').redirect(`/admin/login?next=${next}`, 303)
    return
  }
  await reply
    .header('cache-control', 'no-store')
    .code(401)
    .type('text/html; charset=utf-8')
    .send(
      '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in first</title><h1>Sign in first</h1><p>You are not signed in, so nothing was changed. <a href="/admin/login">Sign in</a>.</p>',
    )
}

/** After a state-changing request passes CSRF, record that the session was used. */
export function recordActivity(db: Db) {
  return async (request: FastifyRequest) => {
    if (!request.auth || !isUnsafeMethod(request.method)) return
    try {
      touchSession(db, request.auth.session.id, { ip: request.ip })
    } catch (err) {
      // On a full or read-only disk the save itself must fail and say so, with the author's text kept.
      if (!recordStorageFailure(db, err)) throw err
      request.log.warn({ err }, 'session activity not recorded')
    }
  }
}
