// Owns content negotiation between HTML and ActivityPub JSON: who gets which, and how the JSON is sent.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ACTIVITY_JSON } from './activities.ts'

/** The two types an ActivityPub client asks for; ld+json counts whatever its profile says. */
const ACTIVITY_TYPES = new Set([ACTIVITY_JSON, 'application/ld+json'])

/**
 * Whether an Accept header asks for the ActivityPub representation: it names
 * application/activity+json or application/ld+json (with any profile) and does not refuse it with
 * q=0. Browsers never name either, so they keep getting HTML.
 */
export function wantsActivityJson(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    if (!ACTIVITY_TYPES.has(type)) return false
    const quality = params.find((param) => /^q\s*=/.test(param))
    return quality === undefined || Number(quality.split('=')[1]) > 0
  })
}

/** Which representation a request gets: what the page cache keys negotiated routes on. */
export const representationOf = (accept: string | undefined): 'activity+json' | 'html' =>
  wantsActivityJson(accept) ? 'activity+json' : 'html'

/** Route options for a URL answered in HTML or in ActivityPub JSON: the page cache keeps the two apart. */
export const NEGOTIATED = {
  config: { pageCacheVariant: (request: FastifyRequest) => representationOf(request.headers.accept) },
}

/**
 * Says that the response depends on Accept. The encoding is named too, always and in lower case
 * (the compression plugin then leaves it be): a shared cache keeps one copy per representation and
 * encoding, whether this response was compressed or not, and a page-cache replay says the same.
 */
export const varyOnAccept = (reply: FastifyReply): FastifyReply =>
  reply.header('vary', 'accept, accept-encoding')

/** Sends an ActivityStreams document with the content type ActivityPub servers expect. */
export const sendActivityJson = (reply: FastifyReply, document: unknown): FastifyReply =>
  reply.type(`${ACTIVITY_JSON}; charset=utf-8`).send(JSON.stringify(document))
