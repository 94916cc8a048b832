// Owns the admin's /admin/posts routes: the list, the editor and its publishing steps (the "Email this post" tick included), the preview, deleting, and revisions.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { notSavedMessage, recordStorageFailure } from '../../../db/storage-health.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { adminPostUrl } from '../../../lib/urls.ts'
import { removePostCards } from '../../cards/cards.ts'
import { readVersion, saveEditedPost, VersionConflictError } from '../../content/autosave.ts'
import { ContentInputError, deletePost, renderPostHtml, renderPostPreview } from '../../content/posts.ts'
import {
  type EditablePost,
  findRevision,
  listRevisions,
  loadPostContent,
  revisionAsInput,
} from '../../content/revisions.ts'
import { postState } from '../../content/visibility.ts'
import { findMediaByReference } from '../../media/service.ts'
import { setSendNewsletter } from '../../newsletter/issues.ts'
import { getSettings } from '../../settings/service.ts'
import { parseId } from '../params.ts'
import { readersPanel } from '../stats/panel.ts'
import autosaveRoutes, { conflictMessage, restoredValues, withAutosave } from './autosave.ts'
import featureImageRoutes, { featurePicker } from './feature-image.ts'
import {
  EMPTY_POST_VALUES,
  type PostFormValues,
  parsePostForm,
  postFormValues,
  readPostFilters,
  valuesFromPost,
} from './forms.ts'
import { newsletterPanel, readSendNewsletter } from './newsletter.ts'
import { doneCode, editorStep, type PublishWhen } from './publishing.ts'
import { listAdminPosts, listSeriesOptions, listTagOptions } from './queries.ts'
import { deleteView, listView, type PreviewView, previewView, revisionsView, revisionView } from './render.ts'
import { type EditorState, editorView } from './render-editor.ts'

type PostParams = { Params: { id: string } }
type RevisionParams = { Params: { id: string; rev: string } }

export default async function postsRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options

  const findPost = (id: string): EditablePost | undefined => {
    const postId = parseId(id)
    return postId ? loadPostContent(db, postId) : undefined
  }

  const notFound = (reply: FastifyReply) =>
    reply.admin('admin/posts/missing', { title: 'Post not found', section: 'posts' }, 404)

  /** The "Email this post" part: the checkbox as just posted (a form shown again), else as stored. */
  const newsletterOf = (reply: FastifyReply, state: EditorState, now: Date) => {
    const request = reply.request
    return newsletterPanel(db, {
      smtp: Boolean(config.smtpUrl),
      postId: state.post?.id,
      state: state.post ? postState(state.post, now) : 'draft',
      posted: request.method === 'POST' ? readSendNewsletter(formFields(request.body)) : undefined,
      timeZone: getSettings(db).timezone,
    })
  }

  const renderEditor = (reply: FastifyReply, state: EditorState, status = 200, now = new Date()) =>
    reply.admin(
      'admin/posts/edit',
      withAutosave(db, reply, state, status, {
        ...editorView(state, {
          timeZone: getSettings(db).timezone,
          siteUrl: config.siteUrl,
          now,
          seriesOptions: listSeriesOptions(db),
          featurePicker: featurePicker(db, state.values.feature_image),
          newsletter: newsletterOf(reply, state, now),
        }),
        readers: readersPanel(db, state.post?.id, now, getSettings(db).timezone),
      }),
      status,
    )

  const previewOf = (values: PostFormValues) =>
    previewView(
      values,
      (markdown) => renderPostPreview(db, markdown),
      values.feature_image.trim() ? findMediaByReference(db, values.feature_image) : undefined,
    )

  /** The preview as a page of the public site, with its stylesheet: what the preview frame shows. */
  const previewDocument = (reply: FastifyReply, preview: PreviewView): Promise<string> =>
    reply.viewAsync('admin/posts/preview', { preview, language: getSettings(db).language })

  /** Create (no `existing`) or update: the button's intent sets status and published_at; validate, save with a revision, or show the form again. */
  async function savePostForm(request: { body: unknown }, reply: FastifyReply, existing?: EditablePost) {
    const fields = formFields(request.body)
    const values = postFormValues(fields, existing)
    const post = existing
    const now = new Date()
    const next = editorStep(fields, values, existing ? postState(existing, now) : 'draft')
    if (next.step === 'preview') {
      // The no-JavaScript preview: render what was typed, save nothing.
      const preview = await previewOf(values)
      const errors = preview.errorField ? { [preview.errorField]: preview.error } : undefined
      const state = { post, values, preview, previewDocument: await previewDocument(reply, preview) }
      return renderEditor(reply, { ...state, errors, unsaved: true }, errors ? 422 : 200)
    }
    // The no-JavaScript publish step: the same choice as the dialog, on the page; nothing is saved yet.
    if (next.step === 'choose')
      return renderEditor(reply, { post, values, publishStep: { when: next.when }, unsaved: true })
    if (next.step === 'refuse') {
      const publishStep = next.field === 'publish_when' ? { when: undefined } : undefined
      const errors = { [next.field]: next.message }
      return renderEditor(reply, { post, values, errors, publishStep, unsaved: true }, 422)
    }
    // A refused time goes back to the step where it was chosen, with the same choice made.
    const refused = (errors: FieldErrors, status: number) => {
      const when: PublishWhen | undefined = errors.published_at || errors.status ? next.when : undefined
      const publishStep = when ? { when } : undefined
      return renderEditor(reply, { post, values, errors, publishStep, unsaved: true }, status)
    }
    const parsed = parsePostForm(next.values, {
      timeZone: getSettings(db).timezone,
      now,
      currentDate: existing?.publishedAt,
    })
    if (!parsed.ok) return refused(parsed.errors, 422)
    let id: number
    try {
      const html = await renderPostHtml(db, parsed.input)
      const baseVersion = readVersion(fields.version)
      const sendNewsletter = readSendNewsletter(fields)
      // One transaction (the inner one is a savepoint): the tick is never saved without the post.
      id = db.transaction(() => {
        const saved = saveEditedPost(db, parsed.input, { id: existing?.id, now, html, baseVersion })
        if (sendNewsletter !== undefined) setSendNewsletter(db, saved, sendNewsletter)
        return saved
      })
    } catch (error) {
      const storage = recordStorageFailure(db, error)
      if (storage) {
        // A full or read-only disk: keep the author's text on screen (the summary links to the form).
        reply.header('retry-after', '60')
        return refused({ 'post-form': notSavedMessage(storage) }, 503)
      }
      // Another tab or window saved since this form was loaded: show its warning, keep the text.
      if (error instanceof VersionConflictError)
        return refused({ 'post-form': conflictMessage(error.current, getSettings(db).timezone) }, 409)
      if (!(error instanceof ContentInputError)) throw error
      if (error.field === 'id') return notFound(reply)
      return refused({ [error.field]: error.message }, 422)
    }
    // A post ticked "Email this post" and public now goes out at once rather than at the next tick.
    app.newsletter?.wake()
    const saved = loadPostContent(db, id)
    const code = saved ? doneCode(existing, saved, now) : 'post-saved'
    return reply.redirect(`${adminPostUrl(id)}?done=${code}`, 303)
  }

  /** A revision beside the post as it is now; `error` says why restoring it failed. */
  async function revisionPage(reply: FastifyReply, post: EditablePost, revisionId: number, error?: string) {
    const revision = findRevision(db, post.id, revisionId)
    if (!revision) return notFound(reply)
    const view = await revisionView(post, revision, { timeZone: getSettings(db).timezone, error })
    return reply.admin('admin/posts/revision', view, error ? 422 : 200)
  }

  app.get('/admin/posts', async (request, reply) => {
    const filters = readPostFilters(request.query)
    const result = listAdminPosts(db, filters, new Date())
    const context = { timeZone: getSettings(db).timezone, tagOptions: listTagOptions(db) }
    return reply.admin('admin/posts/list', listView(result, filters, context))
  })

  app.get('/admin/posts/new', async (_request, reply) =>
    renderEditor(reply, { values: { ...EMPTY_POST_VALUES } }),
  )

  app.post('/admin/posts', async (request, reply) => savePostForm(request, reply))

  // The live preview: a page of the public site that editor.js shows in the frame beside the text. Static routes win over
  // /admin/posts/:id, so this never reads as a post id.
  app.post('/admin/posts/preview', async (request, reply) => {
    const preview = await previewOf(postFormValues(formFields(request.body)))
    const html = await previewDocument(reply, preview)
    return reply
      .code(preview.error ? 422 : 200)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html)
  })

  app.get<PostParams>('/admin/posts/:id', async (request, reply) => {
    const post = findPost(request.params.id)
    if (!post) return notFound(reply)
    const saved = valuesFromPost(post, getSettings(db).timezone, new Date())
    const values = restoredValues(db, post, request, saved) ?? saved
    return renderEditor(reply, { post, values, done: (request.query as Record<string, unknown>).done })
  })

  app.post<PostParams>('/admin/posts/:id', async (request, reply) => {
    const post = findPost(request.params.id)
    if (!post) return notFound(reply)
    return savePostForm(request, reply, post)
  })

  app.get<PostParams>('/admin/posts/:id/delete', async (request, reply) => {
    const post = findPost(request.params.id)
    if (!post) return notFound(reply)
    return reply.admin('admin/posts/delete', deleteView(post, new Date()))
  })

  app.post<PostParams>('/admin/posts/:id/delete', async (request, reply) => {
    const post = findPost(request.params.id)
    if (!post) return notFound(reply)
    deletePost(db, post.id)
    await removePostCards(config.mediaDir, post.id)
    return reply.redirect('/admin/posts?done=post-deleted', 303)
  })

  app.get<PostParams>('/admin/posts/:id/revisions', async (request, reply) => {
    const post = findPost(request.params.id)
    if (!post) return notFound(reply)
    const view = revisionsView(post, listRevisions(db, post.id), getSettings(db).timezone)
    return reply.admin('admin/posts/revisions', view)
  })

  app.get<RevisionParams>('/admin/posts/:id/revisions/:rev', async (request, reply) => {
    const post = findPost(request.params.id)
    const revisionId = parseId(request.params.rev)
    if (!post || !revisionId) return notFound(reply)
    return revisionPage(reply, post, revisionId)
  })

  app.post<RevisionParams>('/admin/posts/:id/revisions/:rev/restore', async (request, reply) => {
    const post = findPost(request.params.id)
    const revisionId = parseId(request.params.rev)
    const revision = post && revisionId ? findRevision(db, post.id, revisionId) : undefined
    if (!post || !revision) return notFound(reply)
    try {
      const input = revisionAsInput(revision, post)
      const html = await renderPostHtml(db, input)
      saveEditedPost(db, input, { id: post.id, now: new Date(), html })
    } catch (error) {
      if (!(error instanceof ContentInputError)) throw error
      return revisionPage(reply, post, revision.id, `This revision could not be restored: ${error.message}`)
    }
    return reply.redirect(`${adminPostUrl(post.id)}?done=revision-restored`, 303)
  })

  // Autosave into the slot beside each post, and discarding it.
  await app.register(autosaveRoutes, { db })
  // The feature image picker's older images.
  await app.register(featureImageRoutes, { db })
}
