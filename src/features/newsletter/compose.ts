// Owns a post as a newsletter email: HTML with inline styles and absolute URLs, its plain-text part, and each copy's own unsubscribe link.
import { convert } from 'html-to-text'
import juice from 'juice'
import sanitizeHtml from 'sanitize-html'
import { escapeHtml } from '../../lib/html.ts'
import { SANITIZE_OPTIONS } from '../../lib/markdown.ts'
import { absoluteUrl, displayHost, postUrl } from '../../lib/urls.ts'
import { runModuleWorkerOnce } from '../../lib/worker-threads.ts'
import { headerSafe } from '../mail/outbox.ts'
import type { ComposeJob } from './compose-worker.ts'

/** What an issue is made of: the post as the feeds read it (features/feeds/queries.ts). */
export interface IssuePost {
  readonly kind: 'article' | 'link'
  readonly slug: string
  readonly title: string
  readonly bodyHtml: string
  readonly quoteHtml: string
  readonly linkUrl: string | null
  /** Root-relative or absolute; none: undefined. */
  readonly image?: { readonly url: string; readonly alt: string } | undefined
}

export interface IssueSite {
  readonly title: string
  readonly siteUrl: string
  readonly language: string
}

export interface ComposedIssue {
  readonly subject: string
  /** Both parts carry UNSUBSCRIBE_PLACEHOLDER where each copy's own link goes (see personalizeIssue). */
  readonly html: string
  readonly text: string
}

/**
 * Stands for a subscriber's unsubscribe URL in a stored issue. An `.invalid` host (RFC 2606)
 * survives juice and html-to-text as any URL does, and can never be a real link the author wrote.
 */
export const UNSUBSCRIBE_PLACEHOLDER = 'https://unsubscribe.folio.invalid/'

/**
 * A small stylesheet, inlined into every element by juice: mail clients drop <style> or the page's
 * CSS. Code blocks wrap (pre-wrap) because Gmail ignores overflow scrolling on phones.
 */
const EMAIL_CSS = `
body { margin: 0; padding: 0; background: #ffffff; color: #1f2328; }
.email { max-width: 640px; margin: 0 auto; padding: 24px 16px; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 17px; line-height: 1.6; color: #1f2328; }
.email__site { margin: 0 0 8px; font-size: 14px; color: #59636e; }
.email__site a { color: #59636e; text-decoration: none; }
h1 { font-size: 28px; line-height: 1.25; margin: 0 0 16px; }
h1 a { color: #1f2328; text-decoration: none; }
h2 { font-size: 22px; line-height: 1.3; margin: 32px 0 12px; }
h3, h4, h5, h6 { font-size: 18px; line-height: 1.35; margin: 24px 0 8px; }
p, ul, ol, dl, table, figure { margin: 0 0 16px; }
a { color: #0b57d0; }
img { max-width: 100%; height: auto; border: 0; }
figure { margin-left: 0; margin-right: 0; }
figcaption { font-size: 14px; color: #59636e; }
blockquote { margin: 0 0 16px; padding: 0 0 0 16px; border-left: 4px solid #d1d9e0; color: #3d444d; }
pre { background: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 6px; padding: 12px; margin: 0 0 16px; overflow-x: auto; white-space: pre-wrap; word-wrap: break-word; font-size: 14px; line-height: 1.45; }
code, kbd, samp { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
:not(pre) > code { background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
pre code { font-size: 14px; background: transparent; padding: 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d1d9e0; padding: 6px 10px; }
hr { border: 0; border-top: 1px solid #d1d9e0; margin: 24px 0; }
.hljs-comment, .hljs-quote { color: #59636e; font-style: italic; }
.hljs-keyword, .hljs-selector-tag, .hljs-built_in, .hljs-type { color: #cf222e; }
.hljs-string, .hljs-regexp, .hljs-attr, .hljs-symbol { color: #0a3069; }
.hljs-number, .hljs-literal, .hljs-variable, .hljs-template-variable { color: #0550ae; }
.hljs-title, .hljs-section, .hljs-name { color: #8250df; }
.email__link-host { font-size: 15px; color: #59636e; }
.email__image { margin: 0 0 24px; }
.email__footer { margin-top: 32px; padding-top: 16px; border-top: 1px solid #d1d9e0; font-size: 14px; color: #59636e; }
.email__footer a { color: #59636e; }
`

/** A URL in the post, absolute against the post's own address; undefined for one that cannot be. */
function absolute(url: string, base: string): string | undefined {
  try {
    return new URL(url.trim(), base).href
  } catch {
    return undefined
  }
}

/**
 * The stored body HTML, made to stand alone in a mailbox: every link and image absolute, no
 * srcset (clients would pick a relative candidate), no heading anchors (ids are stripped by most
 * clients), nothing lazy. The post's own allowlist, so the author's HTML means the same thing.
 */
function emailBody(html: string, base: string): string {
  const imgAttributes = ['src', 'alt', 'title', 'width', 'height']
  return sanitizeHtml(html, {
    ...SANITIZE_OPTIONS,
    allowedAttributes: {
      ...SANITIZE_OPTIONS.allowedAttributes,
      img: imgAttributes,
      pre: [],
      table: [],
    },
    exclusiveFilter: (frame) => frame.tag === 'a' && frame.attribs.class === 'anchor',
    transformTags: {
      a: (tagName, attribs) => {
        const { href, ...rest } = attribs
        const resolved = href ? absolute(href, base) : undefined
        return { tagName, attribs: resolved ? { ...rest, href: resolved } : rest }
      },
      img: (tagName, attribs) => {
        const { src, ...rest } = attribs
        const resolved = src ? absolute(src, base) : undefined
        return { tagName, attribs: { alt: '', ...rest, ...(resolved ? { src: resolved } : {}) } }
      },
    },
  })
}

/** Plain text of the email's HTML: links as "text [url]", images left out, headings as written. */
function plainText(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
      { selector: 'h5', options: { uppercase: false } },
      { selector: 'h6', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  })
}

/** The email for one post: composed once per issue, whatever the number of subscribers. */
export function composeIssue(post: IssuePost, site: IssueSite): ComposedIssue {
  const postAddress = absoluteUrl(site.siteUrl, postUrl(post.slug))
  const title = escapeHtml(post.title)
  const head =
    `<p class="email__site"><a href="${escapeHtml(site.siteUrl)}/">${escapeHtml(site.title)}</a></p>\n` +
    `<h1><a href="${escapeHtml(postAddress)}">${title}</a></h1>`
  const parts: string[] = []
  const link = post.kind === 'link' && post.linkUrl ? absolute(post.linkUrl, postAddress) : undefined
  if (link)
    parts.push(
      `<p class="email__link-host">Link to <a href="${escapeHtml(link)}">${escapeHtml(displayHost(link))}</a></p>`,
    )
  const image = post.image ? absolute(post.image.url, postAddress) : undefined
  if (image && post.image)
    parts.push(
      `<p class="email__image"><img src="${escapeHtml(image)}" alt="${escapeHtml(post.image.alt)}"></p>`,
    )
  parts.push(emailBody(post.bodyHtml, postAddress))
  if (post.quoteHtml) parts.push(`<blockquote>${emailBody(post.quoteHtml, postAddress)}</blockquote>`)
  const content = parts.join('\n')

  const footer =
    `<p>You are getting this email because you subscribed to ${escapeHtml(site.title)} at ` +
    `<a href="${escapeHtml(site.siteUrl)}/">${escapeHtml(displayHost(site.siteUrl))}</a>. ` +
    `<a href="${escapeHtml(postAddress)}">Read this post on the site</a> · ` +
    `<a href="${UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a></p>`

  const document =
    `<!doctype html><html lang="${escapeHtml(site.language)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>` +
    `<body><div class="email">${head}\n${content}<div class="email__footer">${footer}</div></div></body></html>`

  const text = [
    post.title,
    postAddress,
    '',
    plainText(content),
    '',
    '—',
    `Read it on the site: ${postAddress}`,
    `Unsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}`,
  ].join('\n')

  return {
    subject: headerSafe(post.title, 200),
    html: juice.inlineContent(document, EMAIL_CSS, { applyWidthAttributes: false }),
    text,
  }
}

/** One subscriber's copy: the issue with their own unsubscribe link. */
export function personalizeIssue(
  issue: { readonly html: string; readonly text: string },
  unsubscribeUrl: string,
): { html: string; text: string } {
  return {
    html: issue.html.split(UNSUBSCRIBE_PLACEHOLDER).join(escapeHtml(unsubscribeUrl)),
    text: issue.text.split(UNSUBSCRIBE_PLACEHOLDER).join(unsubscribeUrl),
  }
}

/**
 * Composing costs about 1.3 ms per KB of post HTML (juice inlines a style on every highlighted
 * token): up to this size it takes under ~40 ms and runs in place; beyond, on a worker thread, so
 * a long post never holds the event loop that answers readers.
 */
export const COMPOSE_IN_PLACE_MAX_CHARS = 32 * 1024
/** A 1 MB post composes in about a second; this leaves room for a slow, busy machine. */
const COMPOSE_TIME_LIMIT_MS = 60_000
const COMPOSE_START_LIMIT_MS = 15_000
const COMPOSE_MEMORY_MB = 256

/** composeIssue, on a worker thread when the post is long. Rejects past the time or memory limit. */
export async function composeIssueBounded(post: IssuePost, site: IssueSite): Promise<ComposedIssue> {
  if (post.bodyHtml.length + post.quoteHtml.length <= COMPOSE_IN_PLACE_MAX_CHARS)
    return composeIssue(post, site)
  return runModuleWorkerOnce<ComposeJob, ComposedIssue>(
    new URL('./compose-worker.ts', import.meta.url),
    { post, site },
    {
      timeLimitMs: COMPOSE_TIME_LIMIT_MS,
      startLimitMs: COMPOSE_START_LIMIT_MS,
      memoryMb: COMPOSE_MEMORY_MB,
      task: 'composing the newsletter',
    },
  )
}
