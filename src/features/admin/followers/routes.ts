// Owns the admin's /admin/followers routes: the followers by tab, approving, refusing and removing them one by one or in bulk, and blocking one's account or domain.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Db } from '../../../db/client.ts'
import type { BlockKind, Follower } from '../../../db/schema.ts'
import { ADMIN_FOLLOWERS_URL } from '../../../lib/urls.ts'
import { fullHandle } from '../../federation/objects.ts'
import { blockSender } from '../../responses/moderation.ts'
import { getSettings } from '../../settings/service.ts'
import { bulkRequestFrom, type ListExtra, refusedBulk } from '../bulk.ts'
import { withRow } from '../params.ts'
import { approveFollowers, blockValueFor, removeFollowers } from './actions.ts'
import {
  FOLLOWER_ACTIONS,
  type FollowerAction,
  isFollowerAction,
  type ListState,
  listStateFrom,
} from './forms.ts'
import { findFollower, followerCounts, followersByIds, listFollowers } from './queries.ts'
import { type BlogIdentity, FOLLOWERS_DONE, followersUrl, listView } from './render.ts'

export default async function followersRoutes(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  const { siteUrl } = config

  const blog = (): BlogIdentity => {
    const settings = getSettings(db)
    return {
      address: fullHandle(settings, siteUrl),
      manualApproval: settings.followApproval === 'manual',
    }
  }

  const renderList = (reply: FastifyReply, state: ListState, extra?: ListExtra, status = 200) => {
    const view = listView(
      state,
      listFollowers(db, state),
      followerCounts(db),
      blog(),
      getSettings(db).timezone,
      extra,
    )
    return reply.admin('admin/followers/list', view, status)
  }

  const withFollower = withRow(
    (id) => findFollower(db, id),
    (reply) =>
      reply.admin(
        'admin/followers/missing',
        {
          title: 'Follower not found',
          section: 'followers',
          heading: 'Follower not found',
          note: 'Nobody follows the blog under that address. They may have unfollowed, or been removed already.',
        },
        404,
      ),
  )

  /** Sends what was just queued now rather than at the worker's next tick; never inside this request. */
  const deliverSoon = () => app.deliveries?.wake()

  /** After an action, back to the tab and page the form was sent from, with its flash. */
  const back = (request: FastifyRequest, reply: FastifyReply, action: FollowerAction | 'block') => {
    deliverSoon()
    return reply.redirect(followersUrl({ ...listStateFrom(request.body), done: FOLLOWERS_DONE[action] }), 303)
  }

  const act = (action: FollowerAction, ids: readonly number[]) =>
    action === 'approve' ? approveFollowers(db, siteUrl, ids) : removeFollowers(db, siteUrl, ids)

  app.get(ADMIN_FOLLOWERS_URL, async (request, reply) => renderList(reply, listStateFrom(request.query)))

  app.post(`${ADMIN_FOLLOWERS_URL}/bulk`, async (request, reply) => {
    const bulk = bulkRequestFrom(request.body, {
      isAction: isFollowerAction,
      noun: { one: 'follower', many: 'followers' },
      existing: (ids) => followersByIds(db, ids).map((f) => f.id),
    })
    if ('error' in bulk) return renderList(reply, listStateFrom(request.body), refusedBulk(bulk), 422)
    act(bulk.action, bulk.found)
    return back(request, reply, bulk.action)
  })

  for (const action of FOLLOWER_ACTIONS) {
    app.post(
      `${ADMIN_FOLLOWERS_URL}/:id/${action}`,
      withFollower((follower, request, reply) => {
        act(action, [follower.id])
        return back(request, reply, action)
      }),
    )
  }

  const blockRoute = (kind: BlockKind, refusal: string) =>
    withFollower((follower: Follower, request, reply) => {
      const value = blockValueFor(follower, kind)
      if (!value) {
        return renderList(reply, listStateFrom(request.body), { formError: refusal }, 422)
      }
      // What a block ends (follows, pending responses) is blockSender's rule, the same from every screen.
      blockSender(db, { kind, value })
      return back(request, reply, 'block')
    })

  app.post(
    `${ADMIN_FOLLOWERS_URL}/:id/block-account`,
    blockRoute('actor', 'Nothing was blocked: that follower has no web address to block.'),
  )
  app.post(
    `${ADMIN_FOLLOWERS_URL}/:id/block-domain`,
    blockRoute('domain', 'Nothing was blocked: that follower’s address names no domain to block.'),
  )
}
