// Checks random tokens: 256 bits, URL-safe, never repeated, and stored as their SHA-256.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { hashToken, newToken } from '../../../src/features/auth/tokens.ts'

test('a new token carries 256 random bits in URL-safe characters', () => {
  const token = newToken()
  assert.match(token, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(Buffer.from(token, 'base64url').length, 32)
})

test('tokens do not repeat', () => {
  const seen = new Set(Array.from({ length: 1000 }, newToken))
  assert.equal(seen.size, 1000)
})

test('the stored form of a token is its SHA-256 in hex, and does not contain the token', () => {
  const token = newToken()
  const stored = hashToken(token)
  assert.equal(stored, createHash('sha256').update(token).digest('hex'))
  assert.match(stored, /^[0-9a-f]{64}$/)
  assert.ok(!stored.includes(token))
})
