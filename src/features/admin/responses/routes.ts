// Owns the admin's /admin/responses routes: the moderation queue by status, actions one by one or in bulk, and blocking and unblocking senders.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../../db/client.ts'
import {
  blockSender,
  isModerationAction,
  MODERATION_ACTIONS,
  moderateResponses,
  senderAddress,
  unblockSender,
} from '../../responses/moderation.ts'
import {
  existingResponseIds,
  findBlockedSender,
  findResponse,
  listBlockedSenders,
  listResponses,
  statusCounts,
} from '../../responses/queries.ts'
import { getSettings } from '../../settings/service.ts'
import { bulkRequestFrom, type ListExtra, refusedBulk } from '../bulk.ts'
import { withRow } from '../params.ts'
import { domainFrom, type ListState, listStateFrom } from './forms.ts'
import { DONE_CODES, listView, RESPONSES_URL, responsesUrl } from './render.ts'

export default async function responsesRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  const timeZone = () => getSettings(db).timezone

  const renderList = (reply: FastifyReply, state: ListState, extra?: ListExtra, status = 200) =>
    reply.admin(
      'admin/responses/list',
      listView(state, listResponses(db, state), statusCounts(db), listBlockedSenders(db), timeZone(), extra),
      status,
    )

  /** An unknown id gets the screen's own 404 page, saying what was not found. */
  const missing = (heading: string, note: string) => (reply: FastifyReply) =>
    reply.admin('admin/responses/missing', { title: heading, section: 'responses', heading, note }, 404)

  const withResponse = withRow(
    (id) => findResponse(db, id),
    missing('Response not found', 'There is no response with that address. It may have been deleted.'),
  )
  const withBlock = withRow(
    (id) => findBlockedSender(db, id),
    missing('Block not found', 'That sender is not blocked. The block may have been lifted already.'),
  )

  /** After an action, back to the tab and page the form was sent from, with its flash. */
  const back = (request: FastifyRequest, reply: FastifyReply, done: string) =>
    reply.redirect(responsesUrl({ ...listStateFrom(request.body), done }), 303)

  /** A form that cannot be done: the list again, from where it was sent, saying why. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, formError: string) =>
    renderList(reply, listStateFrom(request.body), { formError }, 422)

  app.get(RESPONSES_URL, async (request, reply) => renderList(reply, listStateFrom(request.query)))

  app.post(`${RESPONSES_URL}/bulk`, async (request, reply) => {
    const state = listStateFrom(request.body)
    const bulk = bulkRequestFrom(request.body, {
      isAction: isModerationAction,
      noun: { one: 'response', many: 'responses' },
      existing: (ids) => existingResponseIds(db, ids),
    })
    if ('error' in bulk) return renderList(reply, state, refusedBulk(bulk), 422)
    moderateResponses(db, bulk.action, bulk.found)
    return reply.redirect(responsesUrl({ ...state, done: DONE_CODES[bulk.action] }), 303)
  })

  app.post(
    `${RESPONSES_URL}/blocked/:id/unblock`,
    withBlock((block, request, reply) => {
      unblockSender(db, block.id)
      return back(request, reply, DONE_CODES.unblock)
    }),
  )

  for (const action of MODERATION_ACTIONS) {
    app.post(
      `${RESPONSES_URL}/:id/${action}`,
      withResponse((response, request, reply) => {
        moderateResponses(db, action, [response.id])
        return back(request, reply, DONE_CODES[action])
      }),
    )
  }

  app.post(
    `${RESPONSES_URL}/:id/block-domain`,
    withResponse((response, request, reply) => {
      const domain = domainFrom(request.body, response)
      if (!domain) {
        return refuse(
          request,
          reply,
          'Nothing was blocked: choose one of the domains that response came from.',
        )
      }
      blockSender(db, { kind: 'domain', value: domain })
      return back(request, reply, DONE_CODES.block)
    }),
  )

  app.post(
    `${RESPONSES_URL}/:id/block-sender`,
    withResponse((response, request, reply) => {
      const address = senderAddress(response)
      if (!address) {
        return refuse(request, reply, 'Nothing was blocked: that response has no web address to block.')
      }
      blockSender(db, { kind: 'actor', value: address })
      return back(request, reply, DONE_CODES.block)
    }),
  )
}
