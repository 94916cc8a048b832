// Owns the "Responses" section under a post as readers see it: likes and reposts counted, replies and mentions as a thread at most three levels deep, oldest first.
import { formatDate } from '../../lib/dates.ts'
import { REMOTE_LINK_REL } from '../../lib/html.ts'
import { plural } from '../../lib/text.ts'
import { displayHost, isHttpUrl } from '../../lib/urls.ts'
import { authorNameOf, type ShownResponse } from '../responses/queries.ts'
import type { Settings } from '../settings/service.ts'

/**
 * How deep a thread nests on the page. Deeper replies join the third level, each saying whom it
 * answers: on a phone every level costs width, and a conversation that deep reads as one list.
 */
export const MAX_THREAD_DEPTH = 3

export interface ResponseEntry {
  readonly id: number
  readonly kind: ShownResponse['kind']
  readonly name: string
  readonly initials: string
  readonly authorUrl: string | null
  readonly action: string
  /** Whom a reply flattened into the last level answers, linked to that reply on the page. */
  readonly replyingTo: { readonly name: string; readonly href: string } | null
  readonly dateIso: string
  readonly dateLabel: string
  readonly contentHtml: string
  readonly sourceUrl: string | null
  readonly sourceHost: string
  readonly replies: ResponseEntry[]
}

/** "JD" for Jane Doe: what stands in for an avatar, since a reader's browser fetches nothing from elsewhere. */
function initialsOf(name: string): string {
  const words = name.match(/[\p{L}\p{N}]+/gu) ?? []
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words
  return letters.map((word) => Array.from(word ?? '')[0]?.toUpperCase() ?? '').join('') || '?'
}

const anchorOf = (id: number): string => `response-${id}`

/**
 * Which shown response each one answers: the one whose source is its `inReplyTo`. Only approved
 * responses are shown, so a reply to one that is pending, rejected or gone has no parent here and
 * stands at the top level. A loop (two replies naming each other, by mistake or on purpose) is cut
 * where it closes, so every response is shown exactly once.
 */
function parentsOf(entries: readonly ShownResponse[]): Map<number, ShownResponse> {
  const bySource = new Map<string, ShownResponse>()
  for (const r of entries) if (r.sourceUrl && !bySource.has(r.sourceUrl)) bySource.set(r.sourceUrl, r)
  const named = (r: ShownResponse): ShownResponse | undefined => {
    const parent = r.inReplyTo ? bySource.get(r.inReplyTo) : undefined
    return parent === r ? undefined : parent
  }
  /** Whether `r` is `from` or above it, following what each answers. */
  const isAbove = (r: ShownResponse, from: ShownResponse): boolean => {
    const seen = new Set<ShownResponse>()
    for (let at: ShownResponse | undefined = from; at && !seen.has(at); at = named(at)) {
      if (at === r) return true
      seen.add(at)
    }
    return false
  }
  const parents = new Map<number, ShownResponse>()
  for (const r of entries) {
    const parent = named(r)
    if (parent && !isAbove(r, parent)) parents.set(r.id, parent)
  }
  return parents
}

/**
 * Where a response was said, to link as "on example.com". A comment imported from the author's
 * old blog was said right here, under this post (its old address is only its key); an imported
 * pingback or trackback was said on the page that linked, which the old blog kept as its author's
 * address.
 */
function sourceOf(r: ShownResponse): string {
  if (r.source !== 'import') return r.sourceUrl
  return r.kind === 'mention' ? r.authorUrl : ''
}

/**
 * The "Responses" section under a post: likes and reposts as one counted line, replies and
 * mentions as a thread, each level oldest first. Only http(s) addresses become links; null when
 * nothing shows.
 */
export function toResponsesView(shown: readonly ShownResponse[], site: Settings) {
  if (shown.length === 0) return null
  const likes = shown.filter((r) => r.kind === 'like').length
  const reposts = shown.filter((r) => r.kind === 'repost').length
  const counts = [likes > 0 ? plural(likes, 'like') : '', reposts > 0 ? plural(reposts, 'repost') : '']
  const said = shown.filter((r) => r.kind === 'reply' || r.kind === 'mention')
  const parents = parentsOf(said)
  const children = new Map<number, ShownResponse[]>()
  for (const r of said) {
    const parent = parents.get(r.id)
    if (parent) children.set(parent.id, [...(children.get(parent.id) ?? []), r])
  }

  const entryOf = (r: ShownResponse, replyingTo: ResponseEntry['replyingTo'], replies: ResponseEntry[]) => {
    const authorUrl = isHttpUrl(r.authorUrl) ? r.authorUrl : null
    const source = sourceOf(r)
    const sourceUrl = isHttpUrl(source) ? source : null
    const name = authorNameOf(r)
    const date = r.publishedAt ?? r.receivedAt
    return {
      id: r.id,
      kind: r.kind,
      name,
      initials: initialsOf(name),
      authorUrl,
      action: r.kind === 'reply' ? 'replied' : 'mentioned this',
      replyingTo,
      dateIso: date.toISOString(),
      dateLabel: formatDate(date, site.timezone),
      contentHtml: r.contentHtml,
      sourceUrl,
      sourceHost: sourceUrl ? displayHost(sourceUrl) : '',
      replies,
    }
  }

  /** A reply on the last level, then everything below it in reading order, each naming whom it answers. */
  const flattened = (r: ShownResponse, replyingTo: ResponseEntry['replyingTo']): ResponseEntry[] => [
    entryOf(r, replyingTo, []),
    ...(children.get(r.id) ?? []).flatMap((child) =>
      flattened(child, { name: authorNameOf(r), href: `#${anchorOf(r.id)}` }),
    ),
  ]

  const threadOf = (r: ShownResponse, depth: number): ResponseEntry => {
    const below = children.get(r.id) ?? []
    const replies =
      depth + 1 < MAX_THREAD_DEPTH
        ? below.map((child) => threadOf(child, depth + 1))
        : below.flatMap((child) => flattened(child, null))
    return entryOf(r, null, replies)
  }

  const entries = said.filter((r) => !parents.has(r.id)).map((r) => threadOf(r, 1))
  return { countsLabel: counts.filter(Boolean).join(' · '), entries, linkRel: REMOTE_LINK_REL }
}
