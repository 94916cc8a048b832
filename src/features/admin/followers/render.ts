// Owns the followers screen's view models: the blog's address, the tabs, rows with their actions, the bulk buttons, the flash messages, and every URL of the screen.
import type { Follower, FollowerStatus } from '../../../db/schema.ts'
import { REMOTE_LINK_REL } from '../../../lib/html.ts'
import { ADMIN_FOLLOWERS_URL, displayHost, isHttpUrl } from '../../../lib/urls.ts'
import type { ListExtra } from '../bulk.ts'
import { timeView } from '../inbox/render.ts'
import { blockValueFor } from './actions.ts'
import type { FollowerAction, ListState } from './forms.ts'
import type { FollowerCounts, FollowerPage } from './queries.ts'

const STATUS_LABELS: Record<FollowerStatus, string> = { accepted: 'Accepted', pending: 'Pending' }

/** The buttons each tab offers, one by one and in bulk. */
const ACTIONS: Record<FollowerStatus, { action: FollowerAction; label: string }[]> = {
  accepted: [{ action: 'remove', label: 'Remove' }],
  pending: [
    { action: 'approve', label: 'Approve' },
    { action: 'reject', label: 'Refuse' },
  ],
}

/** The `?done=` code after each action; its flash is in admin/context.ts with every screen's. */
export const FOLLOWERS_DONE: Record<FollowerAction | 'block', string> = {
  approve: 'followers-approved',
  reject: 'followers-refused',
  remove: 'followers-removed',
  block: 'followers-blocked',
}

/** The one place list URLs are built: defaults are left out so links stay short. */
export function followersUrl(state: Partial<ListState> & { done?: string } = {}): string {
  const params = new URLSearchParams()
  if (state.status && state.status !== 'accepted') params.set('status', state.status)
  if (state.page && state.page > 1) params.set('page', String(state.page))
  if (state.done) params.set('done', state.done)
  const query = params.toString()
  return query ? `${ADMIN_FOLLOWERS_URL}?${query}` : ADMIN_FOLLOWERS_URL
}

export const followerActionUrl = (id: number, action: string): string =>
  `${ADMIN_FOLLOWERS_URL}/${id}/${action}`

/** What the screen says about the blog itself: its address and how new followers are let in. */
export interface BlogIdentity {
  readonly address: string
  readonly manualApproval: boolean
}

function rowView(f: Follower, timeZone: string, checked: ReadonlySet<number>) {
  const profileHref = [f.profileUrl, f.actorId].find(isHttpUrl) ?? null
  const name = f.name.trim() || f.handle || displayHost(f.actorId) || 'Someone'
  return {
    id: f.id,
    name,
    handle: f.handle && f.handle !== name ? f.handle : '',
    profileHref,
    time: timeView(f.createdAt, timeZone),
    since: f.status === 'accepted' ? 'Following since' : 'Asked on',
    checked: checked.has(f.id),
    actions: ACTIONS[f.status].map(({ action, label }) => ({
      label,
      url: followerActionUrl(f.id, action),
    })),
    blockAccountUrl: followerActionUrl(f.id, 'block-account'),
    blockDomainUrl: followerActionUrl(f.id, 'block-domain'),
    domain: blockValueFor(f, 'domain') ?? null,
  }
}

function emptyNote(status: FollowerStatus, blog: BlogIdentity): string {
  if (status === 'accepted') {
    return `No one follows the blog yet. People on Mastodon and other fediverse servers can search for ${blog.address} and press Follow.`
  }
  return blog.manualApproval
    ? 'Nobody is waiting. New follow requests wait here until you approve or refuse them.'
    : 'Nobody is waiting: new followers are accepted at once. To approve each one yourself, choose manual approval in Settings.'
}

/** Everything the list template shows: the blog's address, tabs with counts, rows, bulk buttons and pages. */
export function listView(
  state: ListState,
  result: FollowerPage,
  counts: FollowerCounts,
  blog: BlogIdentity,
  timeZone: string,
  extra: ListExtra = {},
) {
  const checked = new Set(extra.checked ?? [])
  const label = STATUS_LABELS[state.status]
  return {
    title: `Followers: ${label}`,
    section: 'followers',
    linkRel: REMOTE_LINK_REL,
    address: blog.address,
    manualApproval: blog.manualApproval,
    status: state.status,
    statusLabel: label,
    page: result.page,
    tabs: (['accepted', 'pending'] as const).map((status) => ({
      label: STATUS_LABELS[status],
      url: followersUrl({ status }),
      current: status === state.status,
      count: counts[status],
    })),
    followers: result.followers.map((f) => rowView(f, timeZone, checked)),
    emptyNote: emptyNote(state.status, blog),
    bulkUrl: `${ADMIN_FOLLOWERS_URL}/bulk`,
    buttons: ACTIONS[state.status],
    pagination: {
      page: result.page,
      totalPages: result.totalPages,
      prevUrl: result.page > 1 ? followersUrl({ ...state, page: result.page - 1 }) : null,
      nextUrl: result.page < result.totalPages ? followersUrl({ ...state, page: result.page + 1 }) : null,
    },
    formError: extra.formError ?? null,
  }
}
