// Owns the contact form's spam score: no third party, no puzzle for humans, and nothing is ever dropped.
import { plural } from '../../lib/text.ts'

export interface SpamSignals {
  /** What the hidden honeypot field held; people never see it, so anything there is a bot. */
  readonly honeypot: string
  /** Milliseconds between the form being served and sent; null when the signed timestamp was missing or forged. */
  readonly elapsedMs: number | null
}

/** What someone wrote: a contact message, or a response from another site. */
export interface WritingInput {
  readonly name: string
  readonly subject: string
  readonly body: string
}

export interface SpamInput extends WritingInput {
  readonly email: string
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

/** Points and reasons as the checks add them up. */
class Tally {
  score = 0
  readonly reasons: string[] = []
  add(points: number, reason: string): void {
    this.score += points
    this.reasons.push(reason)
  }
  verdict(): SpamVerdict {
    return { score: this.score, reasons: this.reasons, isSpam: this.score >= SPAM_THRESHOLD }
  }
}

export function scoreMessage(input: SpamInput, signals: SpamSignals): SpamVerdict {
  const tally = new Tally()
  if (signals.honeypot.trim()) tally.add(10, 'filled in the hidden field')
  if (signals.elapsedMs === null) tally.add(5, 'form timestamp missing or forged')
  else if (signals.elapsedMs < MIN_FILL_MS)
    tally.add(5, `sent ${Math.max(0, Math.round(signals.elapsedMs / 100) / 10)} s after the form loaded`)
  scoreWords(tally, input)
  return tally.verdict()
}

/** The signs of spam in the words alone (links, phrases, markup, shouting): Webmention responses use these too. */
export function scoreWriting(input: WritingInput): SpamVerdict {
  const tally = new Tally()
  scoreWords(tally, input)
  return tally.verdict()
}

function scoreWords(tally: Tally, input: WritingInput): void {
  const text = `${input.subject}\n${input.body}`.toLowerCase()
  const links = text.match(URL_PATTERN)?.length ?? 0
  if (links >= 3) tally.add(3, `${links} links`)
  else if (links > 0) tally.add(1, plural(links, 'link'))
  if (/\bhttps?:\/\/|\bwww\./i.test(input.name)) tally.add(4, 'a link in the name')
  const phrases = PHRASES.filter((p) => text.includes(p))
  if (phrases.length > 0) tally.add(2 * phrases.length, `spam phrases: ${phrases.slice(0, 5).join(', ')}`)
  if (/\[url=|<a\s+href=/i.test(input.body)) tally.add(3, 'forum or HTML link markup')
  const letters = input.body.replace(/[^a-z]/gi, '')
  if (letters.length > 40 && letters === letters.toUpperCase()) tally.add(1, 'all capitals')
}
