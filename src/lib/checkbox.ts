// Owns reading a posted checkbox: which values mean ticked and which unticked, the one rule every admin form follows.

/** What a ticked box (value="1", or a browser's default "on") or a script may send. */
const TICKED = new Set(['1', 'on', 'true', 'yes'])
/** What an unticked box's hidden companion, or a script, may send. */
const UNTICKED = new Set(['0', 'off', 'false', 'no', ''])

/**
 * What a posted checkbox value says: true (ticked), false (unticked), or undefined when it is
 * neither (a hand-made post with a value no form sends). Case and surrounding spaces do not matter.
 */
export function readCheckbox(value: string): boolean | undefined {
  const normalised = value.trim().toLowerCase()
  if (TICKED.has(normalised)) return true
  if (UNTICKED.has(normalised)) return false
  return undefined
}
