// Owns what counts as a row id in an admin URL or form: a positive whole number SQLite can hold.

const ID = /^[1-9]\d{0,14}$/

/** A positive whole number, or undefined: "12abc", "0", "1e3", "-1" and repeated values are not ids. */
export const parseId = (value: unknown): number | undefined =>
  typeof value === 'string' && ID.test(value) ? Number(value) : undefined
