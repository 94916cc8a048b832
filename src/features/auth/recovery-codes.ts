// Owns recovery codes: ten single-use codes for when the authenticator app is gone, kept only as SHA-256 hashes.
import { randomInt } from 'node:crypto'
import { and, count, eq, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { recoveryCodes } from '../../db/schema.ts'
import { hashToken } from './tokens.ts'

export const RECOVERY_CODE_COUNT = 10
/** Lowercase letters without i, l and o, which are easily misread: 23^10 ≈ 2^45 per code. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz'
const CODE_LETTERS = 10
const RECOVERY_SHAPE = new RegExp(`^[${ALPHABET}]{${CODE_LETTERS}}$`)

/** "abcd-efgh-jk": grouped so it is easy to copy by hand. */
const groupCode = (letters: string): string =>
  `${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8)}`

function newRecoveryCode(): string {
  let letters = ''
  for (let i = 0; i < CODE_LETTERS; i++) letters += ALPHABET[randomInt(ALPHABET.length)]
  return groupCode(letters)
}

/**
 * The letters of a recovery code as the author typed it (any case, with or without dashes or
 * spaces), or undefined when it cannot be one. Only this form is hashed.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const letters = input.toLowerCase().replace(/[\s-]/g, '')
  return RECOVERY_SHAPE.test(letters) ? letters : undefined
}

/**
 * Replaces the account's recovery codes with ten new ones and returns them: the only time they
 * exist in clear. Call it inside the transaction that makes the change it belongs to.
 */
export function replaceRecoveryCodes(db: Db, userId: number, now = new Date()): string[] {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
  db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run()
  db.insert(recoveryCodes)
    .values(
      codes.map((code) => ({
        userId,
        codeHash: hashToken(code.replace(/-/g, '')),
        createdAt: now,
      })),
    )
    .run()
  return codes
}

/**
 * Spends one recovery code: true when `letters` (from normalizeRecoveryCode) was an unused code of
 * this account, which is now used. One UPDATE, so two requests with the same code cannot both win.
 */
export function useRecoveryCode(db: Db, userId: number, letters: string, now = new Date()): boolean {
  const result = db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, hashToken(letters)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .run()
  return result.changes === 1
}

export function countUnusedRecoveryCodes(db: Db, userId: number): number {
  return (
    db
      .select({ n: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
      .get()?.n ?? 0
  )
}

export function deleteRecoveryCodes(db: Db, userId: number): number {
  return db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run().changes
}
