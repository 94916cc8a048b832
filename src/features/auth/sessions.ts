// Owns sign-in sessions: created at sign-in, looked up by cookie, ended at sign-out or expiry.
import { and, desc, eq, lt, or } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type Session, sessions, type User, users } from '../../db/schema.ts'
import { hashToken, newToken } from './tokens.ts'

export const SESSION_COOKIE = 'folio_session'
/** Without a state-changing request for this long, a session ends. */
export const IDLE_TIMEOUT_MS = 14 * 24 * 60 * 60 * 1000
/** No session lives longer than this, however active. */
export const ABSOLUTE_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000

export function createSession(
  db: Db,
  userId: number,
  client: { userAgent: string; ip: string },
  now = new Date(),
): { token: string; session: Session } {
  const token = newToken()
  // Expired sessions are swept here, on a write path, never on a read.
  db.delete(sessions)
    .where(
      or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, new Date(now.getTime() - IDLE_TIMEOUT_MS))),
    )
    .run()
  const session = db
    .insert(sessions)
    .values({
      tokenHash: hashToken(token),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
      userAgent: client.userAgent.slice(0, 300),
      ip: client.ip.slice(0, 64),
    })
    .returning()
    .get()
  return { token, session }
}

/** The live session for a cookie value, with its user; undefined when unknown, idle or expired. Reads only. */
export function findSession(
  db: Db,
  token: string,
  now = new Date(),
): { session: Session; user: User } | undefined {
  if (!token || token.length > 100) return undefined
  const row = db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, hashToken(token)))
    .get()
  if (!row) return undefined
  if (row.session.expiresAt <= now) return undefined
  if (now.getTime() - row.session.lastSeenAt.getTime() > IDLE_TIMEOUT_MS) return undefined
  return row
}

/** Records activity; called only from state-changing requests, so GET never writes. */
export function touchSession(db: Db, sessionId: number, client: { ip: string }, now = new Date()): void {
  db.update(sessions)
    .set({ lastSeenAt: now, ip: client.ip.slice(0, 64) })
    .where(eq(sessions.id, sessionId))
    .run()
}

export function deleteSession(db: Db, sessionId: number): void {
  db.delete(sessions).where(eq(sessions.id, sessionId)).run()
}

export function deleteUserSession(db: Db, userId: number, sessionId: number): boolean {
  return (
    db
      .delete(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
      .run().changes > 0
  )
}

export function listSessions(db: Db, userId: number): Session[] {
  return db
    .select()
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(desc(sessions.lastSeenAt))
    .all()
}
