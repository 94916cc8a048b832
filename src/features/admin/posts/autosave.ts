// Owns the editor's autosave: its routes (save into the slot, discard it), the version and restore prompt the editor shows, and what a save based on an old version tells the author.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../../db/client.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { adminPostUrl } from '../../../lib/urls.ts'
import {
  type AutosavedFields,
  createAutosavedDraft,
  discardAutosave,
  findAutosave,
  findPostVersion,
  type PostVersion,
  readVersion,
  writeAutosave,
} from '../../content/autosave.ts'
import { atMost } from '../../content/post-rules.ts'
import { ContentInputError, type PostInput, renderPostHtml } from '../../content/posts.ts'
import type { EditablePost } from '../../content/revisions.ts'
import { getSettings } from '../../settings/service.ts'
import { withRow } from '../params.ts'
import {
  EMPTY_POST_VALUES,
  POST_FIELD_LABELS,
  POST_FIELD_LIMITS,
  POST_FIELDS,
  type PostField,
  type PostFormValues,
  parsePostForm,
  postFormValues,
  splitTags,
  valuesFromPost,
} from './forms.ts'
import type { EditorState } from './render-editor.ts'

const NEW_POST_AUTOSAVE_URL = '/admin/posts/new/autosave'
const autosaveUrl = (postId: number) => `${adminPostUrl(postId)}/autosave`
const discardUrl = (postId: number) => `${adminPostUrl(postId)}/autosave/discard`

/** Choices, dates, numbers and references to other rows: far shorter in any editor that sent them. */
const OTHER_FIELD_LIMIT = 2000

/** Fields whose empty value means "made for you" (from the title, the next part): not a change. */
const DERIVED_WHEN_EMPTY: readonly string[] = ['slug', 'series_part']

const sameLines = (value: string) => value.replace(/\r\n?/g, '\n')

/** The editor's fields as a slot keeps them: every field the form has, newlines as stored Markdown has them. */
const typedFields = (body: unknown): PostFormValues => {
  const values = postFormValues(formFields(body))
  for (const name of POST_FIELDS) values[name] = sameLines(values[name])
  return values
}

/** Why the slot refuses these fields, in words for the status line; undefined when they fit. */
function tooLong(values: PostFormValues): string | undefined {
  for (const name of POST_FIELDS) {
    const max = POST_FIELD_LIMITS[name] ?? OTHER_FIELD_LIMIT
    if (values[name].length > max) return `Not saved: ${POST_FIELD_LABELS[name]} is too long. ${atMost(max)}`
  }
  return undefined
}

/** What the editor says when a Save was based on a version another tab or window has replaced. */
export const conflictMessage = (current: PostVersion, timeZone: string) =>
  `This post was changed in another tab or window at ${formatDateTime(current.updatedAt, timeZone)}. Your text is below; saving again will replace that version.`

/** The same for the status line, when an autosave met a newer version. */
const autosaveConflictMessage = (current: PostVersion, timeZone: string) =>
  `Not saved: this post was changed in another tab or window at ${formatDateTime(current.updatedAt, timeZone)}. Your text is still here; Save will ask before replacing that version.`

/** Whether the slot holds anything the editor would not show for the post as saved. */
function differsFromPost(fields: AutosavedFields, saved: PostFormValues): boolean {
  const comparable = (name: PostField, value: string) =>
    name === 'tags' ? splitTags(value).join(',') : sameLines(value).trim()
  return POST_FIELDS.some((name) => {
    const typed = fields[name]
    if (typed === undefined || (typed === '' && DERIVED_WHEN_EMPTY.includes(name))) return false
    return comparable(name, typed) !== comparable(name, saved[name])
  })
}

const wantsRestore = (request: FastifyRequest): boolean =>
  (request.query as Record<string, unknown> | undefined)?.restore === '1'

/**
 * The editor's fields from the post's slot when the author chose Restore (GET ?restore=1, which
 * only reads); undefined otherwise. A field the slot lacks keeps its saved value.
 */
export function restoredValues(
  db: Db,
  post: EditablePost,
  request: FastifyRequest,
  saved: PostFormValues,
): PostFormValues | undefined {
  const slot = wantsRestore(request) ? findAutosave(db, post.id) : undefined
  if (!slot) return undefined
  const values = { ...saved }
  for (const name of POST_FIELDS) values[name] = slot.fields[name] ?? saved[name]
  return values
}

/** Autosave's part of the editor page: where to send, the version the form's text is based on, the restore prompt. */
function autosaveModel(
  db: Db,
  request: FastifyRequest,
  post: EditablePost | undefined,
  status: number,
  timeZone: string,
) {
  const current = post ? findPostVersion(db, post.id) : undefined
  if (!post || !current) return { url: NEW_POST_AUTOSAVE_URL, version: '', restore: null, restored: null }
  const when = (date: Date) => ({ when: formatDateTime(date, timeZone), iso: date.toISOString() })
  const base = { url: autosaveUrl(post.id), version: String(current.version), restore: null, restored: null }
  if (request.method !== 'GET') {
    // A form sent back keeps the version its text was based on, except the warning that another tab
    // saved: after it, saving again is meant to replace that version.
    const posted = readVersion(formFields(request.body).version)
    return status === 409 || posted === undefined ? base : { ...base, version: String(posted) }
  }
  const slot = findAutosave(db, post.id)
  if (!slot) return base
  if (wantsRestore(request))
    return { ...base, version: String(slot.baseVersion), restored: when(slot.savedAt) }
  if (!differsFromPost(slot.fields, valuesFromPost(post, timeZone, new Date()))) return base
  const restore = {
    ...when(slot.savedAt),
    url: `${adminPostUrl(post.id)}?restore=1`,
    discardUrl: discardUrl(post.id),
  }
  return { ...base, restore }
}

/** The editor's view with autosave added: its script and its part of the page. */
export function withAutosave<View extends { scripts: string[]; timeZone: string }>(
  db: Db,
  reply: FastifyReply,
  state: EditorState,
  status: number,
  view: View,
) {
  return {
    ...view,
    scripts: [...view.scripts, 'js/autosave.js'],
    autosave: autosaveModel(db, reply.request, state.post, status, view.timeZone),
  }
}

/**
 * A new post's first autosave as a draft row: what was typed, as far as it makes a valid draft
 * (an empty title becomes "Untitled"); otherwise just the title. The slot keeps everything as typed.
 */
async function createDraft(db: Db, values: PostFormValues, now: Date): Promise<number> {
  const title = values.title.trim() || 'Untitled'
  const parsed = parsePostForm(
    { ...values, title, status: 'draft', published_at: '' },
    { timeZone: getSettings(db).timezone, now },
  )
  const bare: PostInput = { title, kind: 'article', bodyMd: '', status: 'draft' }
  const input = parsed.ok ? parsed.input : bare
  try {
    return createAutosavedDraft(db, input, values, { now, html: await renderPostHtml(db, input) })
  } catch (error) {
    if (!(error instanceof ContentInputError) || input === bare) throw error
    // An image deleted from the library since it was picked: the row goes without it, the rest is kept.
    if (error.field === 'feature_image') {
      const withoutImage = { ...input, featureImage: '' }
      const html = await renderPostHtml(db, withoutImage)
      return createAutosavedDraft(db, withoutImage, values, { now, html })
    }
    // Text the pipeline refuses (too deep, too slow) stays in the slot, never lost.
    return createAutosavedDraft(db, bare, values, { now, html: await renderPostHtml(db, bare) })
  }
}

/** Whether the author has typed anything worth a draft row yet (a choice of kind or status alone is not). */
const hasContent = (values: PostFormValues) =>
  POST_FIELDS.some((name) => EMPTY_POST_VALUES[name] === '' && values[name].trim() !== '')

/** Plain words for the editor's script to show: never JSON, never cached. */
const answer = (reply: FastifyReply, status: number, text: string) =>
  reply.code(status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(text)

export default async function autosaveRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  const timeZone = () => getSettings(db).timezone
  const exists = (id: number) => (findPostVersion(db, id) ? id : undefined)
  const missing = (reply: FastifyReply) => answer(reply, 404, 'Not saved: this post no longer exists.')
  const missingPage = (reply: FastifyReply) =>
    reply.admin('admin/posts/missing', { title: 'Post not found', section: 'posts' }, 404)

  // A static route, so "new" never reads as a post id.
  app.post(NEW_POST_AUTOSAVE_URL, async (request, reply) => {
    const values = typedFields(request.body)
    const problem = tooLong(values)
    if (problem) return answer(reply, 422, problem)
    if (!hasContent(values)) return answer(reply, 200, 'Nothing to save yet.')
    const id = await createDraft(db, values, new Date())
    const created = findPostVersion(db, id)
    return answer(
      reply.header('location', adminPostUrl(id)).header('x-post-version', String(created?.version ?? 1)),
      201,
      'Saved as a draft.',
    )
  })

  app.post(
    '/admin/posts/:id/autosave',
    withRow(
      exists,
      missing,
    )(async (postId, request, reply) => {
      const values = typedFields(request.body)
      const problem = tooLong(values)
      if (problem) return answer(reply, 422, problem)
      const version = readVersion(formFields(request.body).version)
      if (version === undefined)
        return answer(
          reply,
          422,
          'Not saved: this page did not say which version of the post it shows. Reload the page.',
        )
      const result = writeAutosave(db, postId, values, version, new Date())
      if (result.ok) return answer(reply, 200, 'Saved.')
      if (result.reason === 'missing') return missing(reply)
      return answer(reply, 409, autosaveConflictMessage(result.current, timeZone()))
    }),
  )

  app.post(
    '/admin/posts/:id/autosave/discard',
    withRow(
      exists,
      missingPage,
    )(async (postId, _request, reply) => {
      discardAutosave(db, postId)
      return reply.redirect(adminPostUrl(postId), 303)
    }),
  )
}
