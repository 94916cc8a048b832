// Owns reading a WebFinger resource: which account it names, and whether that account is the blog.
import { actorId } from './activities.ts'

/** Longer than any address a server would ask about: refused before it is parsed. */
const MAX_RESOURCE_LENGTH = 500

/**
 * The subject to answer with (`acct:handle@host`, as the settings spell it) when `resource` names
 * the blog: its `acct:` address (the user part in any case, as Mastodon compares them), its
 * actor URL or its home page. 'unknown' for a well-formed resource that is someone else;
 * 'bad' for a missing, repeated or malformed one.
 */
export function findWebfingerSubject(
  resource: string | string[] | undefined,
  handle: string,
  siteUrl: string,
): string | 'bad' | 'unknown' {
  if (typeof resource !== 'string' || !resource || resource.length > MAX_RESOURCE_LENGTH) return 'bad'
  const host = new URL(siteUrl).host
  const subject = `acct:${handle}@${host}`
  if (/^acct:/i.test(resource)) {
    const match = /^@?([^@\s]+)@([^@\s/?#]+)$/.exec(resource.slice('acct:'.length))
    if (!match?.[1] || !match[2]) return 'bad'
    const sameUser = match[1].toLowerCase() === handle.toLowerCase()
    return sameUser && match[2].toLowerCase() === host.toLowerCase() ? subject : 'unknown'
  }
  if (!URL.canParse(resource)) return 'bad'
  const url = new URL(resource)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'bad'
  const ours = [actorId(siteUrl), `${siteUrl}/`].includes(url.href)
  return ours ? subject : 'unknown'
}
