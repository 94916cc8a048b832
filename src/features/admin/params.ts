// Owns what counts as a row id in an admin URL or form (a positive whole number SQLite can hold),
// and finding the row a route's :id names.
import type { FastifyReply, FastifyRequest } from 'fastify'

const ID = /^[1-9]\d{0,14}$/

/** A positive whole number, or undefined: "12abc", "0", "1e3", "-1" and repeated values are not ids. */
export const parseId = (value: unknown): number | undefined =>
  typeof value === 'string' && ID.test(value) ? Number(value) : undefined

/**
 * Wraps a handler for a route with an `:id`: it gets the row `find` returns for that id, and any
 * other id (not a number, or no such row) gets `missing`, the screen's own 404.
 */
export const withRow =
  <Row>(find: (id: number) => Row | undefined, missing: (reply: FastifyReply) => unknown) =>
  (handle: (row: Row, request: FastifyRequest, reply: FastifyReply) => unknown) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const id = parseId((request.params as { id?: unknown }).id)
    const row = id === undefined ? undefined : find(id)
    return row === undefined ? missing(reply) : handle(row, request, reply)
  }
