// Owns the responses screen's view models: status tabs, rows with their actions, the bulk buttons, the blocked list, and every URL of the screen.
import type { ResponseKind, ResponseSource, ResponseStatus } from '../../../db/schema.ts'
import { REMOTE_LINK_REL } from '../../../lib/html.ts'
import { adminPostUrl, isHttpUrl, postUrl } from '../../../lib/urls.ts'
import { parseSpamReasons } from '../../inbox/queries.ts'
import type { ModerationAction } from '../../responses/moderation.ts'
import { senderAddress, senderDomains } from '../../responses/moderation.ts'
import {
  authorNameOf,
  type BlockedSender,
  type ResponsePage,
  type ResponseRow,
  type StatusCounts,
} from '../../responses/queries.ts'
import type { ListExtra } from '../bulk.ts'
import { timeView } from '../inbox/render.ts'
import type { ListState } from './forms.ts'

const STATUS_LABELS: Record<ResponseStatus, string> = {
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  spam: 'Spam',
}

const KIND_LABELS: Record<ResponseKind, string> = {
  reply: 'Reply',
  like: 'Like',
  repost: 'Repost',
  mention: 'Mention',
}

const SOURCE_LABELS: Record<ResponseSource, string> = {
  webmention: 'Webmention',
  activitypub: 'ActivityPub',
  import: 'Imported comment',
}

/** The flash shown after each action (the messages live in admin/context.ts's DONE_MESSAGES). */
export const DONE_CODES: Record<ModerationAction | 'block' | 'unblock', string> = {
  approve: 'responses-approved',
  reject: 'responses-rejected',
  spam: 'responses-spam',
  delete: 'responses-deleted',
  block: 'responses-blocked',
  unblock: 'responses-unblocked',
}

/** The moderation buttons, in the order they appear; a response is never offered the status it has. */
const MODERATE: { action: Exclude<ModerationAction, 'delete'>; label: string; status: ResponseStatus }[] = [
  { action: 'approve', label: 'Approve', status: 'approved' },
  { action: 'reject', label: 'Reject', status: 'rejected' },
  { action: 'spam', label: 'Mark spam', status: 'spam' },
]

const EMPTY_NOTES: Record<ResponseStatus, string> = {
  pending: 'Nothing waiting. Replies, mentions, likes and reposts arrive here before they show on the site.',
  approved: 'Nothing approved yet. Approved responses show under their posts.',
  rejected: 'Nothing rejected. Rejected responses are kept here and never shown on the site.',
  spam: 'No spam. Responses the spam filter suspects land here, never deleted, so you can check them.',
}

export const RESPONSES_URL = '/admin/responses'

/** The one place list URLs are built: defaults are left out so links stay short. */
export function responsesUrl(state: Partial<ListState> & { done?: string } = {}): string {
  const params = new URLSearchParams()
  if (state.status && state.status !== 'pending') params.set('status', state.status)
  if (state.page && state.page > 1) params.set('page', String(state.page))
  if (state.done) params.set('done', state.done)
  const query = params.toString()
  return query ? `${RESPONSES_URL}?${query}` : RESPONSES_URL
}

const responseActionUrl = (id: number, action: string): string => `${RESPONSES_URL}/${id}/${action}`
const unblockUrl = (id: number): string => `${RESPONSES_URL}/blocked/${id}/unblock`

function rowView(r: ResponseRow, timeZone: string, checked: ReadonlySet<number>) {
  const authorHref = isHttpUrl(r.authorUrl) ? r.authorUrl : null
  const sourceHref = isHttpUrl(r.sourceUrl) ? r.sourceUrl : null
  const name = authorNameOf(r)
  const address = senderAddress(r)
  return {
    id: r.id,
    kindLabel: KIND_LABELS[r.kind],
    sourceLabel: SOURCE_LABELS[r.source],
    name,
    authorHref,
    post: { title: r.postTitle, url: postUrl(r.postSlug), editUrl: adminPostUrl(r.postId) },
    sourceUrl: r.sourceUrl,
    sourceHref,
    time: timeView(r.receivedAt, timeZone),
    contentHtml: r.contentHtml,
    spamScore: r.spamScore,
    spamReasons: parseSpamReasons(r.spamReasons),
    checked: checked.has(r.id),
    moderate: MODERATE.filter((m) => m.status !== r.status).map((m) => ({
      label: m.label,
      url: responseActionUrl(r.id, m.action),
    })),
    deleteUrl: responseActionUrl(r.id, 'delete'),
    blockDomainUrl: responseActionUrl(r.id, 'block-domain'),
    blockSenderUrl: responseActionUrl(r.id, 'block-sender'),
    domains: senderDomains(r),
    sender: address ?? null,
  }
}

function blockedView(block: BlockedSender, timeZone: string) {
  return {
    id: block.id,
    kindLabel: block.kind === 'domain' ? 'Domain' : 'Sender',
    value: block.value,
    note: block.kind === 'domain' ? 'and its subdomains' : '',
    time: timeView(block.createdAt, timeZone),
    unblockUrl: unblockUrl(block.id),
  }
}

/** Everything the list template shows: tabs with counts, rows, bulk buttons, pages and the blocked list. */
export function listView(
  state: ListState,
  result: ResponsePage,
  counts: StatusCounts,
  blocked: readonly BlockedSender[],
  timeZone: string,
  extra: ListExtra = {},
) {
  const checked = new Set(extra.checked ?? [])
  const label = STATUS_LABELS[state.status]
  return {
    title: `Responses: ${label}`,
    section: 'responses',
    linkRel: REMOTE_LINK_REL,
    status: state.status,
    statusLabel: label,
    page: result.page,
    tabs: (['pending', 'approved', 'rejected', 'spam'] as const).map((status) => ({
      label: STATUS_LABELS[status],
      url: responsesUrl({ status }),
      current: status === state.status,
      count: counts[status],
    })),
    responses: result.responses.map((r) => rowView(r, timeZone, checked)),
    emptyNote: EMPTY_NOTES[state.status],
    bulkUrl: `${RESPONSES_URL}/bulk`,
    buttons: MODERATE.filter((m) => m.status !== state.status).map(({ action, label }) => ({
      action,
      label,
    })),
    pagination: {
      page: result.page,
      totalPages: result.totalPages,
      prevUrl: result.page > 1 ? responsesUrl({ ...state, page: result.page - 1 }) : null,
      nextUrl: result.page < result.totalPages ? responsesUrl({ ...state, page: result.page + 1 }) : null,
    },
    blocked: blocked.map((b) => blockedView(b, timeZone)),
    formError: extra.formError ?? null,
    confirmChecked: extra.confirmChecked ?? false,
  }
}
