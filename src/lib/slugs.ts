// Owns turning titles and names into URL slugs.
import { slug as githubSlug } from 'github-slugger'

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const MAX_SLUG_LENGTH = 80

/** "Hello, World: Part 2!" → "hello-world-part-2"; accents are folded, everything else dropped. */
export function slugify(input: string): string {
  const folded = input.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
  const slug = githubSlug(folded)
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
  return slug.slice(0, MAX_SLUG_LENGTH).replace(/-$/, '')
}

/** Returns `base`, or `base-2`, `base-3`… — the first one `isTaken` says is free. */
export function uniqueSlug(base: string, isTaken: (candidate: string) => boolean): string {
  const root = base || 'untitled'
  if (!isTaken(root)) return root
  for (let n = 2; ; n++) {
    const candidate = `${root.slice(0, MAX_SLUG_LENGTH - String(n).length - 1)}-${n}`
    if (!isTaken(candidate)) return candidate
  }
}
