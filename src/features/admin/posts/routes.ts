// Owns the admin's /admin/posts routes: the list, the editor and its preview, deleting, and revisions.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import { notSavedMessage, recordStorageFailure } from '../../../db/storage-health.ts'
import { formFields } from '../../../lib/form-errors.ts'
import { ContentInputError, deletePost, renderPostHtml } from '../../content/posts.ts'
import {
  type EditablePost,
  findRevision,
  listRevisions,
  loadPostContent,
  revisionAsInput,
  savePostWithRevision,
} from '../../content/revisions.ts'
import { getSettings } from '../../settings/service.ts'
import { parseId } from '../params.ts'
import { EMPTY_POST_VALUES, parsePostForm, postFormValues, readPostFilters, valuesFromPost } from './forms.ts'
import { listAdminPosts, listSeriesOptions, listTagOptions } from './queries.ts'
import {
  deleteView,
  doneCode,
  type EditorState,
  editorView,
  editUrl,
  listView,
  previewView,
  revisionsView,
  revisionView,
} from './render.ts'

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

  const renderEditor = (reply: FastifyReply, state: EditorState, status = 200) =>
    reply.admin(
      'admin/posts/edit',
      editorView(state, {
        timeZone: getSettings(db).timezone,
        siteUrl: config.siteUrl,
        now: new Date(),
        seriesOptions: listSeriesOptions(db),
      }),
      status,
    )

  /** Create (no `existing`) or update: validate, save with a revision, or show the form again. */
  async function savePostForm(request: { body: unknown }, reply: FastifyReply, existing?: EditablePost) {
    const fields = formFields(request.body)
    const values = postFormValues(fields)
    const post = existing
    if (fields.action === 'preview') {
      // The no-JavaScript preview: render what was typed, save nothing.
      const preview = await previewView(values)
      const errors = preview.errorField ? { [preview.errorField]: preview.error } : undefined
      return renderEditor(reply, { post, values, preview, errors, unsaved: true }, errors ? 422 : 200)
    }
    const now = new Date()
    const parsed = parsePostForm(values, {
      timeZone: getSettings(db).timezone,
      now,
      currentDate: existing?.publishedAt,
    })
    if (!parsed.ok) return renderEditor(reply, { post, values, errors: parsed.errors, unsaved: true }, 422)
    let id: number
    try {
      const html = await renderPostHtml(db, parsed.input)
      id = savePostWithRevision(db, parsed.input, existing ? { id: existing.id, now, html } : { now, html })
    } catch (error) {
      const storage = recordStorageFailure(db, error)
      if (storage) {
        // A full or read-only disk: keep the author's text on screen (the summary links to the form).
        reply.header('retry-after', '60')
        const errors = { 'post-form': notSavedMessage(storage) }
        return renderEditor(reply, { post, values, errors, unsaved: true }, 503)
      }
      if (!(error instanceof ContentInputError)) throw error
      if (error.field === 'id') return notFound(reply)
      const errors = { [error.field]: error.message }
      return renderEditor(reply, { post, values, errors, unsaved: true }, 422)
    }
    const saved = loadPostContent(db, id)
    const code = saved ? doneCode(existing, saved, now) : 'post-saved'
    return reply.redirect(`${editUrl(id)}?done=${code}`, 303)
  }

  /** A revision beside the post as it is now; `error` says why restoring it failed. */
  function revisionPage(reply: FastifyReply, post: EditablePost, revisionId: number, error?: string) {
    const revision = findRevision(db, post.id, revisionId)
    if (!revision) return notFound(reply)
    const view = revisionView(post, revision, { timeZone: getSettings(db).timezone, error })
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

  // The live preview: an HTML fragment that editor.js puts beside the form. Static routes win over
  // /admin/posts/:id, so this never reads as a post id.
  app.post('/admin/posts/preview', async (request, reply) => {
    const preview = await previewView(postFormValues(formFields(request.body)))
    const html = await reply.viewAsync('admin/posts/preview', { preview })
    return reply
      .code(preview.error ? 422 : 200)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html)
  })

  app.get<PostParams>('/admin/posts/:id', async (request, reply) => {
    const post = findPost(request.params.id)
    if (!post) return notFound(reply)
    const values = valuesFromPost(post, getSettings(db).timezone, new Date())
    return renderEditor(reply, { post, values })
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
      savePostWithRevision(db, input, { id: post.id, now: new Date(), html })
    } catch (error) {
      if (!(error instanceof ContentInputError)) throw error
      return revisionPage(reply, post, revision.id, `This revision could not be restored: ${error.message}`)
    }
    return reply.redirect(`${editUrl(post.id)}?done=revision-restored`, 303)
  })
}
