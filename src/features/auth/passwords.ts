// Owns password hashing: argon2id at OWASP's parameters, with a cap on hashes running at once.
import { createSemaphore } from '../../lib/semaphore.ts'

export const MIN_PASSWORD_LENGTH = 12
export const MAX_PASSWORD_LENGTH = 1024

/** OWASP's minimum for argon2id (argon2's type 2): 19 MiB, 2 iterations, 1 lane. */
const OPTIONS = { type: 2, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const

// The native module loads on the first sign-in or password change, not when the server starts.
// Its default export is the module object itself (a CommonJS module), the one `import argon2`
// gives everywhere else, so a test that watches argon2.verify sees these calls too.
type Argon2 = typeof import('argon2')
let argon2Module: Promise<Argon2> | undefined
const loadArgon2 = () =>
  (argon2Module ??= import('argon2').then((module) => (module as { default?: Argon2 }).default ?? module))

// Two hashes at once bound memory to ~40 MiB, so a burst of sign-ins cannot exhaust a small machine.
const hashing = createSemaphore(2, 32)

export function hashPassword(password: string): Promise<string> {
  return hashing.run(async () => (await loadArgon2()).hash(password, OPTIONS))
}

let dummyHash: Promise<string> | undefined

/**
 * Checks a password against a hash. With no hash (unknown email) it verifies against a dummy,
 * so a wrong email and a wrong password take the same time.
 */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  const argon2 = await loadArgon2()
  dummyHash ??= argon2.hash('folio-dummy-password-for-timing', OPTIONS)
  const target = hash ?? (await dummyHash)
  const ok = await hashing.run(() => argon2.verify(target, password))
  return ok && hash !== undefined
}
