// Owns what an embedded player from another blog becomes in Folio: a link to the page it played, since readers need no script.
import { escapeHtml } from '../../lib/html.ts'
import { decodeOrKeep } from '../../lib/text.ts'

const YOUTUBE_EMBED = /^\/embed\/([\w-]{6,})/
const VIMEO_PLAYER = /^\/video\/(\d+)/

/**
 * The page a reader should open for an embed or player address: a YouTube player becomes its watch
 * URL, a Vimeo player its video page; anything else stays as it is. Undefined when it is not an
 * http(s) address (a `javascript:` frame, a bare id).
 */
export function embedTarget(address: string): string | undefined {
  const trimmed = address.trim().replace(/^\/\//, 'https://')
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) return undefined
  const url = new URL(trimmed)
  const host = url.hostname.replace(/^www\./, '')
  const youtube = YOUTUBE_EMBED.exec(url.pathname)
  if (youtube && (host === 'youtube.com' || host === 'youtube-nocookie.com'))
    return `https://www.youtube.com/watch?v=${youtube[1]}`
  const vimeo = VIMEO_PLAYER.exec(url.pathname)
  if (vimeo && host === 'player.vimeo.com') return `https://vimeo.com/${vimeo[1]}`
  return url.href
}

/** A paragraph holding a link to `url`, labelled `label` (the URL itself when none is given). */
export function linkParagraph(url: string, label = url): string {
  return `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`
}

/** The last part of a file's URL ("song.mp3"), to label a link to it. */
export function fileLabel(url: string): string {
  const path = URL.canParse(url) ? new URL(url).pathname : url
  return decodeOrKeep(path.split('/').filter(Boolean).pop() ?? url)
}
