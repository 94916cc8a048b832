// Owns the editor's publishing buttons: what each `intent` does to the form's `status` and `published_at`, and what the editor confirms after.
import type { EditablePost } from '../../content/revisions.ts'
import { type PostState, postState } from '../../content/visibility.ts'
import type { PostFormValues } from './forms.ts'

/**
 * The editor's buttons, by the `intent` they send. `publish` only asks when (the no-JavaScript step;
 * with JavaScript the dialog asks instead), `confirm-publish` is the dialog's answer.
 */
export const INTENTS = ['save', 'preview', 'publish', 'confirm-publish', 'unpublish'] as const
export type Intent = (typeof INTENTS)[number]

/** The publish dialog's radio buttons: `published_at` only counts with `later`. */
export const PUBLISH_WHEN = ['now', 'later'] as const
export type PublishWhen = (typeof PUBLISH_WHEN)[number]

export const PUBLISH_WHEN_MESSAGE = 'Choose “Now” or “At a time”.'
export const UNKNOWN_INTENT_MESSAGE =
  'This form was sent by a button Folio does not know, so nothing was saved. Use the buttons at the top of the editor.'

/** What the request asks the editor to do. */
export type EditorStep =
  /**
   * Save these values: the form's `status` and `published_at`, as the intent set them. `when`: the
   * publish dialog's choice, to show it again if the time is refused.
   */
  | { readonly step: 'save'; readonly values: PostFormValues; readonly when?: PublishWhen }
  | { readonly step: 'preview' }
  /** Show the publish step (now or at a time), with this choice made if one was sent. */
  | { readonly step: 'choose'; readonly when: PublishWhen | undefined }
  | { readonly step: 'refuse'; readonly field: string; readonly message: string }

const publishWhen = (value: string | undefined): PublishWhen | undefined =>
  PUBLISH_WHEN.find((when) => when === value)

/**
 * Turns a button into the form's contract fields; the post rules (forms.ts) then judge them like any
 * other form. No `intent` at all is a plain POST of `status` and `published_at` (scripts, imports).
 * `current` is the post's state now ('draft' for a new post).
 */
export function editorStep(
  fields: Record<string, string>,
  values: PostFormValues,
  current: PostState,
): EditorStep {
  const intent = fields.intent
  const when = publishWhen(fields.publish_when)
  switch (intent) {
    case undefined:
      return { step: 'save', values }
    case 'save':
      // Save draft, Save (a scheduled post keeps its time) and Update keep the post where it is.
      return { step: 'save', values: { ...values, status: current } }
    case 'preview':
      return { step: 'preview' }
    case 'publish':
      return { step: 'choose', when }
    case 'confirm-publish':
      if (when === 'now')
        return { step: 'save', values: { ...values, status: 'published', published_at: '' }, when }
      // A time in the past is refused by the post rules (a scheduled time must be in the future): ask again.
      if (when === 'later') return { step: 'save', values: { ...values, status: 'scheduled' }, when }
      return { step: 'refuse', field: 'publish_when', message: PUBLISH_WHEN_MESSAGE }
    case 'unpublish':
      return { step: 'save', values: { ...values, status: 'draft' } }
    default:
      return { step: 'refuse', field: 'post-form', message: UNKNOWN_INTENT_MESSAGE }
  }
}

/** Codes in `?done=` after a save; the editor confirms the ones about publishing itself, with the address. */
export type DoneCode =
  | 'post-saved'
  | 'post-renamed'
  | 'post-published'
  | 'post-scheduled'
  | 'post-rescheduled'
  | 'post-unpublished'

/** What happened in a save: the confirmation's code, and whether an old address now redirects. */
export function doneCode(before: EditablePost | undefined, after: EditablePost, now: Date): DoneCode {
  const was = before ? postState(before, now) : 'draft'
  const is = postState(after, now)
  if (before && before.slug !== after.slug && was === 'published' && is === 'published') return 'post-renamed'
  if (is === 'draft' && was !== 'draft') return 'post-unpublished'
  if (
    is === 'scheduled' &&
    was === 'scheduled' &&
    before?.publishedAt?.getTime() !== after.publishedAt?.getTime()
  )
    return 'post-rescheduled'
  if (is === 'scheduled' && was !== 'scheduled') return 'post-scheduled'
  if (is === 'published' && was !== 'published') return 'post-published'
  return 'post-saved'
}

/** The confirmations the editor gives itself, each about one state: shown only while the post is still in it. */
const CONFIRMATIONS: Partial<Record<string, { readonly state: PostState; readonly headline: string }>> = {
  'post-published': { state: 'published', headline: 'Post published.' },
  'post-scheduled': { state: 'scheduled', headline: 'Post scheduled.' },
  'post-rescheduled': { state: 'scheduled', headline: 'Post rescheduled.' },
  'post-unpublished': { state: 'draft', headline: 'Post unpublished.' },
}

export interface PublishConfirmation {
  readonly state: PostState
  readonly headline: string
  readonly url: string
  /** "4 December 2026, 14:05 (Europe/Paris)" for a scheduled post. */
  readonly when: string
}

/**
 * The editor's own confirmation after publishing, scheduling or unpublishing: what happened and the
 * post's public address; undefined for other codes (the layout's flash says those).
 */
export function publishConfirmation(
  done: unknown,
  post: { state: PostState; publicUrl: string; goLive: string },
): PublishConfirmation | undefined {
  const confirmation = typeof done === 'string' ? CONFIRMATIONS[done] : undefined
  if (!confirmation || confirmation.state !== post.state) return undefined
  return { ...confirmation, url: post.publicUrl, when: post.goLive }
}
