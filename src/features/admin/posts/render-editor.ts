// Owns the post editor's view model: the publishing bar and its dialog, the fields beside the text, the preview, and what it confirms.
import { formatDateTime, timeZoneLabel, toLocalInput } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { absoluteUrl, adminPostUrl, postUrl } from '../../../lib/urls.ts'
import { DESCRIPTION_LENGTH } from '../../content/descriptions.ts'
import { POST_LIMITS } from '../../content/post-rules.ts'
import type { EditablePost } from '../../content/revisions.ts'
import { type PostState, postState } from '../../content/visibility.ts'
import type { featurePicker } from './feature-image.ts'
import { POST_FIELD_LABELS, type PostFormValues } from './forms.ts'
import { type NewsletterPanel, SEND_NEWSLETTER_OFFERED } from './newsletter.ts'
import { type Intent, type PublishWhen, publishConfirmation } from './publishing.ts'
import { type PreviewView, STATUS_LABELS } from './render.ts'

// The error summary lists problems in the order the fields appear on the page.
const FIELD_ORDER: readonly string[] = [
  'post-form',
  'publish_when',
  'status',
  'published_at',
  'title',
  'kind',
  'link_url',
  'quote',
  'body',
  'slug',
  'excerpt',
  'tags',
  'series',
  'series_part',
  'feature_image',
  'meta_description',
]
const fieldOrder = (field: string): number => {
  const index = FIELD_ORDER.indexOf(field)
  return index === -1 ? FIELD_ORDER.length : index
}
/** Where the summary's link for a field goes: its input's id. */
const ANCHORS: Record<string, string> = {
  kind: 'kind-article',
  feature_image: 'feature_image-none',
  publish_when: 'publish-now',
  status: 'post-state',
}
const SUMMARY_LABELS: Record<string, string> = {
  ...POST_FIELD_LABELS,
  publish_when: 'When to publish',
  'post-form': 'Form',
}

export interface EditorState {
  readonly post?: EditablePost | undefined
  readonly values: PostFormValues
  readonly errors?: FieldErrors
  readonly preview?: PreviewView | undefined
  /** The preview as a page of the public site, for the preview frame's srcdoc. */
  readonly previewDocument?: string | undefined
  /** The page shows input that is not saved (after an error or a preview). */
  readonly unsaved?: boolean
  /** Show the publish step (now or at a time) open, with this choice made. */
  readonly publishStep?: { readonly when: PublishWhen | undefined }
  /** The `?done=` code of the redirect that led here. */
  readonly done?: unknown
}

export interface EditorContext {
  readonly timeZone: string
  readonly siteUrl: string
  readonly now: Date
  readonly seriesOptions: readonly string[]
  readonly featurePicker: ReturnType<typeof featurePicker>
  readonly newsletter: NewsletterPanel
}

interface BarAction {
  readonly intent: Intent
  readonly label: string
  readonly primary: boolean
  readonly id: string
}

/**
 * The bar's buttons. The first one is what Enter in a field does, so it never publishes or
 * unpublishes; the one primary button says what it will do.
 */
function barActions(state: PostState): BarAction[] {
  const button = (intent: Intent, label: string, primary = false): BarAction => ({
    intent,
    label,
    primary,
    id: `${intent}-button`,
  })
  const preview = button('preview', 'Preview')
  const unpublish = button('unpublish', 'Unpublish')
  if (state === 'published') return [button('save', 'Update', true), preview, unpublish]
  if (state === 'scheduled')
    return [button('save', 'Save'), preview, button('publish', 'Reschedule…', true), unpublish]
  return [button('save', 'Save draft'), preview, button('publish', 'Publish…', true)]
}

function postModel(post: EditablePost, state: PostState, context: EditorContext) {
  const date = post.publishedAt
  const publicPath = postUrl(post.slug)
  return {
    id: post.id,
    title: post.title,
    state,
    stateWord: STATUS_LABELS[state],
    // "Scheduled for 4 December 2026, 14:05", "Published 4 December 2026, 14:05", "Draft".
    dateJoin: state === 'scheduled' ? 'for' : '',
    dateLabel: state !== 'draft' && date ? formatDateTime(date, context.timeZone) : '',
    dateIso: date ? date.toISOString() : '',
    publicPath,
    publicUrl: absoluteUrl(context.siteUrl, publicPath),
    isPublic: state === 'published',
    revisionsUrl: `${adminPostUrl(post.id)}/revisions`,
    deleteUrl: `${adminPostUrl(post.id)}/delete`,
  }
}

export function editorView(state: EditorState, context: EditorContext) {
  const { post } = state
  const { timeZone, now } = context
  const errors = state.errors ?? {}
  const current: PostState = post ? postState(post, now) : 'draft'
  const model = post ? postModel(post, current, context) : null
  const zone = timeZoneLabel(timeZone, now)
  // Drafts and scheduled posts choose their time in the publish dialog; a published post's date is a setting.
  const dialog =
    current === 'published'
      ? null
      : {
          open: Boolean(state.publishStep),
          verb: current === 'scheduled' ? 'Reschedule' : 'Publish',
          postTitle: state.values.title.trim() || 'Untitled',
          confirmLabel: current === 'scheduled' ? 'Reschedule' : 'Publish',
          when: state.publishStep
            ? (state.publishStep.when ??
              (errors.publish_when ? '' : current === 'scheduled' ? 'later' : 'now'))
            : '',
          min: toLocalInput(now, timeZone),
        }
  const confirmation = model
    ? publishConfirmation(state.done, {
        state: current,
        publicUrl: model.publicUrl,
        goLive: model.dateLabel ? `${model.dateLabel} (${zone})` : '',
      })
    : undefined
  return {
    title: post ? `Edit “${post.title}”` : 'New post',
    section: 'posts',
    scripts: ['js/editor.js', 'js/media-upload.js', 'js/publish.js', 'js/feature-image.js'],
    // The editor says what publishing did itself, with the address; the layout's flash would repeat it.
    ...(confirmation ? { done: null } : {}),
    confirmation: confirmation ?? null,
    action: post ? adminPostUrl(post.id) : '/admin/posts',
    values: state.values,
    errors,
    errorList: Object.entries(errors)
      .sort(([a], [b]) => fieldOrder(a) - fieldOrder(b))
      .map(([field, message]) => ({
        anchor: ANCHORS[field] ?? field,
        label: SUMMARY_LABELS[field] ?? 'Form',
        message,
      })),
    post: model,
    state: current,
    actions: barActions(current),
    dialog,
    limits: { ...POST_LIMITS, seriesPartDigits: String(POST_LIMITS.seriesPart).length },
    descriptionLength: DESCRIPTION_LENGTH,
    seriesOptions: context.seriesOptions,
    featurePicker: context.featurePicker,
    newsletter: { ...context.newsletter, offeredField: SEND_NEWSLETTER_OFFERED },
    preview: state.preview ?? null,
    previewDocument: state.previewDocument ?? '',
    unsaved: state.unsaved ?? false,
    timeZone,
    timeZoneLabel: zone,
  }
}
