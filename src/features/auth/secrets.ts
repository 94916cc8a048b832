// Owns application secrets made on first start and kept in the database (so every process and replica agrees).
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { secrets } from '../../db/schema.ts'

/** Returns the named secret, creating it the first time; a read-only replica must find it already there. */
export function loadOrCreateSecret(db: Db, name: string): string {
  const existing = db.select({ value: secrets.value }).from(secrets).where(eq(secrets.name, name)).get()
  if (existing) return existing.value
  const value = randomBytes(32).toString('base64url')
  db.insert(secrets).values({ name, value, createdAt: new Date() }).onConflictDoNothing().run()
  return db.select({ value: secrets.value }).from(secrets).where(eq(secrets.name, name)).get()?.value ?? value
}
