// Owns the contact form's spam score: no third party, no puzzle for humans, and nothing is ever dropped.
import { plural } from '../../lib/text.ts'

export interface SpamSignals {
  /** What the hidden honeypot field held; people never see it, so anything there is a bot. */
  readonly honeypot: string
  /** Milliseconds between the form being served and sent; null when the signed timestamp was missing or forged. */
  readonly elapsedMs: number | null
}

export interface SpamInput {
  readonly name: string
  readonly email: string
  readonly subject: string
  readonly body: string
}

export interface SpamVerdict {
  readonly score: number
  readonly reasons: readonly string[]
  readonly isSpam: boolean
}

/** Faster than a person can read the form and type a message. */
export const MIN_FILL_MS = 3000
export const SPAM_THRESHOLD = 5

const PHRASES = [
  'seo service',
  'backlink',
  'guest post',
  'rank your website',
  'first page of google',
  'crypto',
  'bitcoin',
  'casino',
  'viagra',
  'cialis',
  'loan offer',
  'web traffic',
  'increase your traffic',
  'link building',
  'buy followers',
  'whatsapp',
  'telegram',
  'forex',
  'binary option',
  'make money online',
  'dear sir/madam',
  'unsubscribe',
  'click here',
]

const URL_PATTERN = /\bhttps?:\/\/|\bwww\.[a-z0-9-]+\.[a-z]/gi

export function scoreMessage(input: SpamInput, signals: SpamSignals): SpamVerdict {
  const reasons: string[] = []
  let score = 0
  const add = (points: number, reason: string) => {
    score += points
    reasons.push(reason)
  }

  if (signals.honeypot.trim()) add(10, 'filled in the hidden field')
  if (signals.elapsedMs === null) add(5, 'form timestamp missing or forged')
  else if (signals.elapsedMs < MIN_FILL_MS)
    add(5, `sent ${Math.max(0, Math.round(signals.elapsedMs / 100) / 10)} s after the form loaded`)

  const text = `${input.subject}\n${input.body}`.toLowerCase()
  const links = text.match(URL_PATTERN)?.length ?? 0
  if (links >= 3) add(3, `${links} links`)
  else if (links > 0) add(1, plural(links, 'link'))
  if (/\bhttps?:\/\/|\bwww\./i.test(input.name)) add(4, 'a link in the name')
  const phrases = PHRASES.filter((p) => text.includes(p))
  if (phrases.length > 0) add(2 * phrases.length, `spam phrases: ${phrases.slice(0, 5).join(', ')}`)
  if (/\[url=|<a\s+href=/i.test(input.body)) add(3, 'forum or HTML link markup')
  const letters = input.body.replace(/[^a-z]/gi, '')
  if (letters.length > 40 && letters === letters.toUpperCase()) add(1, 'all capitals')

  return { score, reasons, isSpam: score >= SPAM_THRESHOLD }
}
