// Owns the subscribers screen's view models: tabs and counts, rows, the add and import forms, the import report, the remove page, the flash messages, and every URL of the screen.

import type { Subscriber, SubscriberSource, SubscriberStatus } from '../../../db/schema.ts'
import { formatDate } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { formatBytes } from '../../../lib/format-bytes.ts'
import { formatCount, plural } from '../../../lib/text.ts'
import { ADMIN_SUBSCRIBERS_URL } from '../../../lib/urls.ts'
import { SUBSCRIBER_EMAIL_MAX } from '../../newsletter/email-address.ts'
import type { ImportReport } from '../../newsletter/import.ts'
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../newsletter/import-file.ts'
import { MAX_SEARCH_LENGTH, type SubscriberCounts, type SubscriberPage } from '../../newsletter/manage.ts'
import { CONFIRM_TTL_LABEL } from '../../newsletter/tokens.ts'
import { emailParts, timeView } from '../inbox/render.ts'
import type { ListState, RemoveAction } from './forms.ts'

export const SUBSCRIBERS_CSV_URL = '/admin/subscribers.csv'
export const IMPORT_URL = `${ADMIN_SUBSCRIBERS_URL}/import`
export const removeUrl = (id: number): string => `${ADMIN_SUBSCRIBERS_URL}/${id}/remove`

const STATUS_LABELS: Record<SubscriberStatus, string> = {
  confirmed: 'Confirmed',
  pending: 'Waiting to confirm',
  unsubscribed: 'Unsubscribed',
}

const SOURCE_LABELS: Record<SubscriberSource, string> = {
  form: 'Subscribed on the site',
  admin: 'Added by you',
  import: 'Imported',
}

/** The `?done=` codes of this screen and what each says (shown in the admin layout's flash). */
export const SUBSCRIBERS_DONE = {
  'subscriber-added': 'Subscriber added. They get the next post you email.',
  'subscriber-confirmed':
    'They had not confirmed their address yet; now they are subscribed and get the next post you email.',
  'subscriber-unsubscribed':
    'Unsubscribed. They get no more emails; the address is kept so an import never adds it again.',
  'subscriber-deleted': 'Deleted. The address is gone from Folio.',
} as const
export type SubscribersDone = keyof typeof SUBSCRIBERS_DONE

/** The flash for a `?done=` code of this screen, or nothing (the layout's own codes still apply). */
export function doneMessage(query: unknown): { done: string } | Record<string, never> {
  const code = (query as Record<string, unknown> | undefined)?.done
  return typeof code === 'string' && Object.hasOwn(SUBSCRIBERS_DONE, code)
    ? { done: SUBSCRIBERS_DONE[code as SubscribersDone] }
    : {}
}

/** The one place list URLs are built: defaults are left out so links stay short. */
export function subscribersUrl(state: Partial<ListState> & { done?: SubscribersDone } = {}): string {
  const params = new URLSearchParams()
  if (state.status && state.status !== 'confirmed') params.set('status', state.status)
  if (state.q) params.set('q', state.q)
  if (state.page && state.page > 1) params.set('page', String(state.page))
  if (state.done) params.set('done', state.done)
  const query = params.toString()
  return query ? `${ADMIN_SUBSCRIBERS_URL}?${query}` : ADMIN_SUBSCRIBERS_URL
}

/** When the row's state began: confirmed, asked, or left. */
function sinceOf(s: Subscriber): { label: string; date: Date } {
  if (s.status === 'unsubscribed') return { label: 'Unsubscribed', date: s.unsubscribedAt ?? s.createdAt }
  if (s.status === 'pending' && s.unsubscribedAt)
    return { label: 'Unsubscribed, then asked again', date: s.confirmationSentAt ?? s.createdAt }
  if (s.status === 'pending') return { label: 'Signed up', date: s.createdAt }
  return { label: 'Subscribed', date: s.confirmedAt ?? s.createdAt }
}

function rowView(s: Subscriber, timeZone: string) {
  const since = sinceOf(s)
  return {
    id: s.id,
    email: s.email,
    emailParts: emailParts(s.email),
    source: SOURCE_LABELS[s.source],
    sinceLabel: since.label,
    time: timeView(since.date, timeZone),
    removeUrl: removeUrl(s.id),
  }
}

/** What the screen says about sending: whether readers see the form, and what to set if not. */
export interface Sending {
  readonly smtp: boolean
  readonly formEnabled: boolean
}

export interface FormState {
  readonly add?: { errors: FieldErrors; email: string }
  readonly importError?: string
}

function emptyNote(state: ListState): string {
  if (state.q) return `No ${STATUS_LABELS[state.status].toLowerCase()} addresses contain “${state.q}”.`
  if (state.status === 'confirmed')
    return 'Nobody is subscribed yet. Readers subscribe with the form under your posts; you can also add addresses here or import a list.'
  if (state.status === 'pending')
    return `Nobody is waiting. Someone who subscribes gets an email with a link to confirm; until then they wait here, for ${CONFIRM_TTL_LABEL} at most.`
  return 'Nobody has unsubscribed.'
}

/** Everything the list page shows: counts, tabs, search, rows, pages, and the add and import forms. */
export function listView(
  state: ListState,
  result: SubscriberPage,
  counts: SubscriberCounts,
  sending: Sending,
  timeZone: string,
  form: FormState = {},
) {
  const label = STATUS_LABELS[state.status]
  return {
    title: `Subscribers: ${label}`,
    section: 'subscribers',
    sending,
    confirmedCount: counts.confirmed,
    confirmedLabel: plural(counts.confirmed, 'confirmed subscriber'),
    csvUrl: SUBSCRIBERS_CSV_URL,
    status: state.status,
    statusLabel: label,
    q: state.q,
    maxSearchLength: MAX_SEARCH_LENGTH,
    total: result.total,
    clearUrl: subscribersUrl({ status: state.status }),
    tabs: (['confirmed', 'pending', 'unsubscribed'] as const).map((status) => ({
      label: STATUS_LABELS[status],
      url: subscribersUrl({ status, q: state.q }),
      current: status === state.status,
      count: counts[status],
    })),
    subscribers: result.subscribers.map((s) => rowView(s, timeZone)),
    emptyNote: emptyNote(state),
    pagination: {
      page: result.page,
      totalPages: result.totalPages,
      prevUrl: result.page > 1 ? subscribersUrl({ ...state, page: result.page - 1 }) : null,
      nextUrl: result.page < result.totalPages ? subscribersUrl({ ...state, page: result.page + 1 }) : null,
    },
    addUrl: ADMIN_SUBSCRIBERS_URL,
    addErrors: form.add?.errors ?? {},
    addEmail: form.add?.email ?? '',
    maxEmailLength: SUBSCRIBER_EMAIL_MAX,
    importUrl: IMPORT_URL,
    importErrors: form.importError ? { file: form.importError } : {},
    importLimit: `${formatBytes(MAX_IMPORT_BYTES)} and ${formatCount(MAX_IMPORT_ROWS)} addresses`,
  }
}

/** Why the author cannot add an address back: its owner left, and only they can undo that. */
export function unsubscribedNote(s: Subscriber, timeZone: string): string {
  const when = s.unsubscribedAt ? ` on ${formatDate(s.unsubscribedAt, timeZone)}` : ''
  const again =
    s.status === 'pending'
      ? ' They have asked to subscribe again: they are subscribed once they press the link in the email they were sent.'
      : ' Only they can subscribe again, with the form on your site.'
  return `${s.email} unsubscribed${when}.${again}`
}

/** The import's result page: what became of the file's lines, in sentences, and the lines not imported. */
export function importedView(report: ImportReport, fileName: string) {
  const more = (shown: number, total: number) => (total > shown ? total - shown : 0)
  const was = (n: number) => (n === 1 ? 'was' : 'were')
  const summary = [
    { count: plural(report.added, 'new subscriber'), text: 'added, subscribed from now on.' },
    report.confirmed > 0 && {
      count: plural(report.confirmed, 'address', 'addresses'),
      text: `${was(report.confirmed)} waiting to confirm and ${report.confirmed === 1 ? 'is' : 'are'} subscribed now.`,
    },
    report.already > 0 && {
      count: plural(report.already, 'address', 'addresses'),
      text: `${was(report.already)} on the list already (or listed twice in the file), left as they were.`,
    },
    report.unsubscribedCount > 0 && {
      count: plural(report.unsubscribedCount, 'address', 'addresses'),
      text: 'skipped: they unsubscribed, and only they can subscribe again.',
    },
    report.notSubscribedInFile > 0 && {
      count: plural(report.notSubscribedInFile, 'row'),
      text: 'skipped: the file marks them as unsubscribed or unconfirmed.',
    },
    report.invalidCount > 0 && {
      count: plural(report.invalidCount, 'line'),
      text: `${report.invalidCount === 1 ? 'was not an email address' : 'were not email addresses'}.`,
    },
  ].filter((line): line is { count: string; text: string } => Boolean(line))
  return {
    title: 'Subscribers imported',
    section: 'subscribers',
    fileName,
    summary,
    unsubscribed: report.unsubscribed,
    unsubscribedMore: more(report.unsubscribed.length, report.unsubscribedCount),
    invalid: report.invalid,
    invalidMore: more(report.invalid.length, report.invalidCount),
    backUrl: ADMIN_SUBSCRIBERS_URL,
  }
}

/** The remove page: the address, and the ways to take it off the list that apply to it. */
export function removeView(s: Subscriber, timeZone: string, error?: string) {
  const actions: RemoveAction[] = s.status === 'unsubscribed' ? ['delete'] : ['unsubscribe', 'delete']
  return {
    title: 'Remove a subscriber',
    section: 'subscribers',
    subscriber: { ...rowView(s, timeZone), statusLabel: STATUS_LABELS[s.status] },
    canUnsubscribe: actions.includes('unsubscribe'),
    actionUrl: removeUrl(s.id),
    backUrl: subscribersUrl({ status: s.status }),
    formError: error ?? null,
  }
}

export const exportFileName = (stamp: string): string => `subscribers-${stamp}.csv`
