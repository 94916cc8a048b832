// Owns turning titles and names into URL slugs.
import { slug as githubSlug } from 'github-slugger'

export const SLUG_PATTERN = /^[\p{Ll}\p{Lo}\p{Lm}\p{N}]+(?:-[\p{Ll}\p{Lo}\p{Lm}\p{N}]+)*$/u
const MAX_SLUG_LENGTH = 80

/**
 * "Hello, World: Part 2!" → "hello-world-part-2". Latin accents are folded ("Café" → "cafe"),
 * other scripts are kept ("日本語" stays), and the few symbols that carry meaning in technical
 * names are spelled out, so "C++" and "C#" do not both become "c".
 */
export function slugify(input: string): string {
  const spelled = input
    .replace(/\+\+/g, ' plus plus ')
    .replace(/(\p{L})\+(?![\p{L}\p{N}])/gu, '$1 plus ')
    .replace(/(\p{L})#(?![\p{L}\p{N}])/gu, '$1 sharp ')
    .replace(/&/g, ' and ')
    .replace(/[_/.\\:\s]+/g, ' ')
  // NFKD splits accents off Latin letters; NFC afterwards rebuilds scripts such as Hangul.
  const folded = spelled
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
  const slug = githubSlug(folded)
    .replace(/[^\p{L}\p{N}-]/gu, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
  return Array.from(slug).slice(0, MAX_SLUG_LENGTH).join('').replace(/-$/, '')
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
