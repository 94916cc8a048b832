// Owns the editor's "Email this post" choice: reading the send_newsletter checkbox, and what the editor shows about emailing the post.
import type { Db } from '../../../db/client.ts'
import { readCheckbox } from '../../../lib/checkbox.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import { plural } from '../../../lib/text.ts'
import type { PostState } from '../../content/visibility.ts'
import { findIssueForPost, sendsNewsletter } from '../../newsletter/issues.ts'
import { subscriberSummary } from '../../newsletter/summary.ts'

/** The hidden field the editor sends beside the checkbox: an unticked box sends nothing, and this tells that from a script that never knew of it. */
export const SEND_NEWSLETTER_OFFERED = 'send_newsletter_offered'

/**
 * The author's choice: true or false when the form says, undefined when it does not (a plain POST
 * of the contract fields, or an editor without SMTP), which leaves the stored choice as it is.
 */
export function readSendNewsletter(fields: Record<string, string>): boolean | undefined {
  const value = fields.send_newsletter
  // A box only sends its value when ticked: any value but an explicit "unticked" one means ticked.
  if (value !== undefined) return readCheckbox(value) !== false
  return fields[SEND_NEWSLETTER_OFFERED] === '1' ? false : undefined
}

export type NewsletterPanel =
  /** SMTP_URL is not set: nothing can be emailed, and the editor says what to set. */
  | { readonly kind: 'no-smtp' }
  /** Already emailed (or being): the checkbox is gone for good. */
  | {
      readonly kind: 'sent'
      readonly recipientsLabel: string
      readonly dateLabel: string
      readonly dateIso: string
      /** "12 of 40 sent so far" while copies are still going; empty when all are done. */
      readonly progress: string
    }
  | {
      readonly kind: 'offer'
      readonly checked: boolean
      readonly label: string
      readonly help: string
    }

export interface NewsletterPanelInput {
  readonly smtp: boolean
  readonly postId: number | undefined
  readonly state: PostState
  /** The checkbox as the form just sent it; undefined: as stored. */
  readonly posted: boolean | undefined
  readonly timeZone: string
}

const WHEN: Record<PostState, string> = {
  draft: 'It goes out once, when you publish the post.',
  scheduled: 'It goes out once, when the post goes live.',
  published: 'It goes out once, within a minute of pressing Update.',
}

/** Only reads: the editor is a GET, and a GET never writes. */
export function newsletterPanel(db: Db, input: NewsletterPanelInput): NewsletterPanel {
  if (!input.smtp) return { kind: 'no-smtp' }
  const issue = input.postId === undefined ? undefined : findIssueForPost(db, input.postId)
  if (issue)
    return {
      kind: 'sent',
      recipientsLabel: plural(issue.recipients, 'subscriber'),
      dateLabel: formatDateTime(issue.createdAt, input.timeZone),
      dateIso: issue.createdAt.toISOString(),
      progress: issue.done < issue.recipients ? `${issue.done} of ${issue.recipients} sent so far.` : '',
    }
  const { confirmed } = subscriberSummary(db)
  const stored = input.postId === undefined ? false : sendsNewsletter(db, input.postId)
  return {
    kind: 'offer',
    checked: input.posted ?? stored,
    label:
      confirmed === 0
        ? 'Email this post to subscribers (none yet)'
        : `Email this post to ${plural(confirmed, 'subscriber')}`,
    help: WHEN[input.state],
  }
}
