// Owns standing in for a Mastodon server in federation tests: its users, WebFinger, actors and inboxes on a loopback port, checking what Folio sends as Mastodon would and sending what Mastodon sends.
// Written from the specifications (ActivityPub, ActivityStreams, WebFinger RFC 7033, draft-cavage
// HTTP Signatures) and from what Mastodon is documented to send and require, never from Folio's
// code: it must not import src/, so a misreading shared by both sides cannot pass unseen.
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import {
  type PeerKeys,
  peerKeys,
  peerParseSignature,
  peerSignCavage,
  peerVerifyCavage,
} from './http-signatures.ts'

const AS = 'https://www.w3.org/ns/activitystreams'
const PUBLIC = `${AS}#Public`
const ACTIVITY_JSON = 'application/activity+json'
/** Mastodon refuses a Date further than this from its clock. */
const DATE_WINDOW_MS = 12 * 60 * 60 * 1000
/** Mastodon requires these covered on a POST; a GET needs all but digest. */
const REQUIRED_POST_HEADERS = ['(request-target)', 'host', 'date', 'digest']
const REQUIRED_GET_HEADERS = ['(request-target)', 'host', 'date']

// biome-ignore lint/suspicious/noExplicitAny: activities are JSON the tests take apart freely.
export type Json = any

export interface PeerUser {
  readonly username: string
  readonly name: string
  /** http://127.0.0.1:port/users/alice */
  readonly actorId: string
  readonly keyId: string
  readonly inbox: string
  readonly followers: string
  /** The profile page a person visits: http://127.0.0.1:port/@alice */
  readonly profileUrl: string
  /** @alice@127.0.0.1:port */
  readonly handle: string
  readonly keys: PeerKeys
}

/** One request Folio sent to an inbox, with what the peer made of it. */
export interface Received {
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
  /** The parsed activity, or undefined when the body was not JSON. */
  readonly activity: Json
  /** The signature checked out against the signer's published key, digest and date included. */
  readonly verified: boolean
  readonly keyId: string
  /** Everything Mastodon would object to (signature or content); empty when it would take it. */
  readonly problems: readonly string[]
  /** What the peer answered. */
  readonly status: number
  /** When it arrived, by the peer's clock. */
  readonly at: Date
}

/** One GET Folio sent the peer (actor and key fetches), and whether it was signed. */
export interface Fetched {
  readonly path: string
  readonly accept: string
  readonly signed: boolean
  /** Settles once the peer has fetched the signer's key, after it answered. */
  readonly verified: Promise<boolean>
}

export interface SentResponse {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** Ways to spoil a signed POST, one at a time: what the inbox must refuse with 401. */
export interface Tamper {
  /** A signature over something else (the right key, the wrong bytes). */
  readonly badSignature?: boolean
  /** A Date this far from now (and signed as such). */
  readonly dateOffsetMs?: number
  /** A Digest that does not match the body (signed as sent). */
  readonly wrongDigest?: boolean
  /** Sign with this user's key while the activity names another actor. */
  readonly signAs?: PeerUser
  /** No Signature header at all. */
  readonly unsigned?: boolean
}

export interface Discovered {
  readonly actorId: string
  readonly inbox: string
  readonly sharedInbox: string
  readonly actor: Json
}

export interface MastodonPeer {
  /** http://127.0.0.1:port */
  readonly origin: string
  /** 127.0.0.1:port */
  readonly host: string
  readonly sharedInbox: string
  readonly users: readonly PeerUser[]
  user(username: string): PeerUser
  /** Every POST to an inbox so far, in order. */
  readonly received: Received[]
  readonly fetched: Fetched[]
  /** The next inbox POSTs are answered with these statuses, in order; after them the default. */
  answerNext(...statuses: number[]): void
  /** What inbox POSTs get once the queue of answers is used up (202 to begin with). */
  answerAlways(status: number): void
  /** Polls `received` until `found` returns something truthy; fails after `ms`. */
  waitFor<T>(found: (received: Received[]) => T | undefined | false | null, ms?: number): Promise<T>
  /** What Mastodon does with `@user@host` typed in its search box: WebFinger, then the actor. */
  discover(handle: string): Promise<Discovered>
  /** A signed GET (authorized fetch), as Mastodon fetches objects. */
  fetch(url: string, accept?: string, as?: PeerUser): Promise<SentResponse>
  /** Signs and POSTs `activity` to `inboxUrl` as `as` (the first user by default). */
  send(inboxUrl: string, activity: Json, as?: PeerUser, tamper?: Tamper): Promise<SentResponse>
  /** Follows `handle` (`@blog@host`) after discovering it; returns the Follow and the answer. */
  follow(handle: string, as?: PeerUser): Promise<{ follow: Json; response: SentResponse; target: Discovered }>
  undo(activity: Json, target: Discovered, as?: PeerUser): Promise<SentResponse>
  /** A public reply (Create Note with inReplyTo), addressed as Mastodon addresses it. */
  reply(
    target: Discovered,
    inReplyTo: string,
    html: string,
    as?: PeerUser,
  ): Promise<{ note: Json; activity: Json; response: SentResponse }>
  update(target: Discovered, note: Json, html: string, as?: PeerUser): Promise<SentResponse>
  delete(target: Discovered, note: Json, as?: PeerUser): Promise<SentResponse>
  like(
    target: Discovered,
    objectId: string,
    as?: PeerUser,
  ): Promise<{ activity: Json; response: SentResponse }>
  announce(
    target: Discovered,
    objectId: string,
    as?: PeerUser,
  ): Promise<{ activity: Json; response: SentResponse }>
}

/** A request over node:http, so every header (Host included) goes out exactly as signed. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SentResponse> {
  return new Promise((resolve, reject) => {
    // IPv4: a server started with SITE_URL http://localhost:port listens on 127.0.0.1 only.
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, family: 4 },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.setTimeout(15_000, () => req.destroy(new Error(`${url} did not answer within 15 s`)))
    req.end(options.body)
  })
}

const idOf = (value: Json): string | undefined =>
  typeof value === 'string' ? value : typeof value?.id === 'string' ? value.id : undefined

const asList = (value: Json): Json[] => (Array.isArray(value) ? value : value === undefined ? [] : [value])

const hostOf = (url: unknown): string | undefined => {
  try {
    return typeof url === 'string' ? new URL(url).host : undefined
  } catch {
    return undefined
  }
}

/** What Mastodon checks in the objects of the activities it receives from a blog. */
function contentProblems(activity: Json, followsSent: ReadonlyMap<string, Json>): string[] {
  const problems: string[] = []
  if (typeof activity !== 'object' || activity === null) return ['the body is not a JSON object']
  if (typeof activity.id !== 'string' || !hostOf(activity.id)) problems.push('the activity has no id URL')
  const actor = idOf(activity.actor)
  const blogHost = hostOf(actor)
  if (!blogHost) problems.push('the activity has no actor URL')
  const object = activity.object
  switch (activity.type) {
    case 'Accept':
    case 'Reject': {
      const followId = idOf(object)
      if (!followId || !followsSent.has(followId))
        problems.push(`${activity.type} names a Follow we never sent`)
      break
    }
    case 'Create':
    case 'Update': {
      if (object?.type !== 'Article') problems.push(`the object is a ${object?.type}, not an Article`)
      if (hostOf(object?.id) !== blogHost) problems.push('the object id is not on the actor’s host')
      if (idOf(object?.attributedTo) !== actor) problems.push('the object is not attributed to the actor')
      if (typeof object?.content !== 'string' || !/<[a-z][^>]*>/i.test(object.content))
        problems.push('the object has no HTML content')
      if (typeof object?.published !== 'string' || Number.isNaN(Date.parse(object.published)))
        problems.push('the object has no published date')
      for (const tag of asList(object?.tag)) {
        if (tag?.type === 'Hashtag' && !(typeof tag.name === 'string' && /^#[\p{L}\p{N}_]+$/u.test(tag.name)))
          problems.push(`a Hashtag Mastodon cannot read: ${JSON.stringify(tag)}`)
        if (tag?.type === 'Hashtag' && !hostOf(tag.href))
          problems.push(`a Hashtag without an href: ${tag.name}`)
      }
      if (!asList(activity.to).concat(asList(object?.to)).includes(PUBLIC))
        problems.push('the post is not public')
      break
    }
    case 'Delete': {
      const objectId = idOf(object)
      if (hostOf(objectId) !== blogHost) problems.push('Delete names an object that is not the actor’s')
      if (typeof object === 'object' && object !== null && object.type !== 'Tombstone')
        problems.push(`Delete carries a ${object.type}, not a Tombstone`)
      break
    }
    default:
      break
  }
  return problems
}

/** A Mastodon-like server on 127.0.0.1 with the given users (alice by default); closed when the test ends. */
export async function startMastodonPeer(
  t: TestContext,
  usernames: readonly string[] = ['alice'],
): Promise<MastodonPeer> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const host = `127.0.0.1:${port}`
  const origin = `http://${host}`
  t.after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const users: PeerUser[] = usernames.map((username) => {
    const actorId = `${origin}/users/${username}`
    return {
      username,
      name: `${username[0]?.toUpperCase()}${username.slice(1)} Example`,
      actorId,
      keyId: `${actorId}#main-key`,
      inbox: `${actorId}/inbox`,
      followers: `${actorId}/followers`,
      profileUrl: `${origin}/@${username}`,
      handle: `@${username}@${host}`,
      keys: peerKeys(),
    }
  })
  const firstUser = users[0]
  if (!firstUser) throw new Error('a peer needs at least one user')
  const first: PeerUser = firstUser
  const byName = new Map(users.map((u) => [u.username, u]))
  const received: Received[] = []
  const fetched: Fetched[] = []
  const answers: number[] = []
  let defaultAnswer = 202
  const followsSent = new Map<string, Json>()
  const notes = new Map<string, Json>()
  const keyCache = new Map<string, Promise<{ pem: string; owner: string } | string>>()

  const actorDocument = (u: PeerUser) => ({
    '@context': [AS, 'https://w3id.org/security/v1'],
    id: u.actorId,
    type: 'Person',
    preferredUsername: u.username,
    name: u.name,
    summary: '<p>Writes about the web.</p>',
    url: u.profileUrl,
    inbox: u.inbox,
    outbox: `${u.actorId}/outbox`,
    followers: u.followers,
    following: `${u.actorId}/following`,
    endpoints: { sharedInbox: `${origin}/inbox` },
    publicKey: { id: u.keyId, owner: u.actorId, publicKeyPem: u.keys.publicKeyPem },
  })

  const signedGetHeaders = (url: string, accept: string, as: PeerUser) => ({
    ...peerSignCavage({ method: 'GET', url, keyId: as.keyId, privateKeyPem: as.keys.privateKeyPem }),
    accept,
    'user-agent': 'MastodonPeer/4.3 (test)',
  })

  const peerFetch = (url: string, accept = ACTIVITY_JSON, as: PeerUser = first) =>
    rawRequest(url, { headers: signedGetHeaders(url, accept, as) })

  /** The signer's key, fetched from its keyId the way Mastodon does (a signed GET of the actor). */
  function keyFor(keyId: string, fresh = false): Promise<{ pem: string; owner: string } | string> {
    const cached = keyCache.get(keyId)
    if (cached && !fresh) return cached
    // One fetch at a time per key: verifying a signed GET of our own actor would otherwise recurse.
    const fetching = fetchKey(keyId)
    keyCache.set(keyId, fetching)
    fetching.then((key) => typeof key === 'string' && keyCache.delete(keyId))
    return fetching
  }

  async function fetchKey(keyId: string): Promise<{ pem: string; owner: string } | string> {
    const res = await peerFetch(keyId.replace(/#.*$/, '')).catch((err: Error) => ({
      status: 0,
      body: err.message,
    }))
    if (res.status !== 200) return `fetching the key ${keyId} answered ${res.status}`
    let doc: Json
    try {
      doc = JSON.parse(res.body)
    } catch {
      return `the key document at ${keyId} is not JSON`
    }
    const key = [doc, doc.publicKey, ...asList(doc.publicKey)].find((k) => k?.id === keyId && k?.publicKeyPem)
    if (!key) return `no key ${keyId} in the document it points to`
    return { pem: String(key.publicKeyPem), owner: idOf(key.owner) ?? doc.id }
  }

  /** Mastodon's signature check: required headers covered, Date in the window, Digest, then the key. */
  async function verify(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<{ verified: boolean; keyId: string; owner: string; problems: string[] }> {
    if (!headers.signature) return { verified: false, keyId: '', owner: '', problems: ['unsigned'] }
    const problems: string[] = []
    let params: Record<string, string>
    try {
      params = peerParseSignature(headers.signature)
    } catch {
      return { verified: false, keyId: '', owner: '', problems: ['unreadable Signature header'] }
    }
    const keyId = params.keyId ?? ''
    const covered = (params.headers ?? 'date').split(' ')
    for (const name of method === 'POST' ? REQUIRED_POST_HEADERS : REQUIRED_GET_HEADERS) {
      if (!covered.includes(name)) problems.push(`the signature does not cover ${name}`)
    }
    if (params.algorithm && !['rsa-sha256', 'hs2019'].includes(params.algorithm))
      problems.push(`unknown algorithm ${params.algorithm}`)
    if (headers.host !== host) problems.push(`signed for host ${headers.host}, not ${host}`)
    const date = Date.parse(headers.date ?? '')
    if (Number.isNaN(date) || Math.abs(Date.now() - date) > DATE_WINDOW_MS)
      problems.push('Date outside 12 hours')
    let key = await keyFor(keyId)
    const check = (pem: string) => {
      try {
        return peerVerifyCavage({ method, url: `${origin}${path}`, headers, body, publicKeyPem: pem }).valid
      } catch {
        return false // a covered header the request does not carry
      }
    }
    if (typeof key !== 'string' && !check(key.pem)) key = await keyFor(keyId, true)
    if (typeof key === 'string') problems.push(key)
    else if (!check(key.pem)) problems.push('the signature or the digest does not match')
    const owner = typeof key === 'string' ? '' : key.owner
    return { verified: problems.length === 0, keyId, owner, problems }
  }

  async function onInbox(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    headers: Record<string, string>,
  ) {
    const at = new Date()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let activity: Json
    try {
      activity = JSON.parse(body)
    } catch {
      activity = undefined
    }
    const signature = await verify('POST', path, headers, body)
    const problems = [...signature.problems]
    const ownerMatches = idOf(activity?.actor) === signature.owner
    if (signature.owner && !ownerMatches)
      problems.push(`the key belongs to ${signature.owner}, not the activity's actor`)
    if (!/^application\/(activity|ld)\+json/.test(headers['content-type'] ?? ''))
      problems.push(`content-type ${headers['content-type']}`)
    problems.push(...contentProblems(activity, followsSent))
    const scripted = answers.shift()
    const status = scripted ?? (signature.verified && ownerMatches ? defaultAnswer : 401)
    received.push({
      path,
      headers,
      body,
      activity,
      verified: signature.verified,
      keyId: signature.keyId,
      problems,
      status,
      at,
    })
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(status < 300 ? '{}' : '{"error":"refused"}')
  }

  async function onGet(res: ServerResponse, url: URL, headers: Record<string, string>) {
    const accept = headers.accept ?? ''
    const json = (status: number, doc: Json, type = `${ACTIVITY_JSON}; charset=utf-8`) =>
      res.writeHead(status, { 'content-type': type }).end(JSON.stringify(doc))
    if (url.pathname === '/.well-known/webfinger') {
      const m = /^acct:([^@]+)@(.+)$/.exec(url.searchParams.get('resource') ?? '')
      const u = m && m[2] === host ? byName.get(m[1] ?? '') : undefined
      if (!u) return json(404, { error: 'not found' }, 'application/json')
      return json(
        200,
        {
          subject: `acct:${u.username}@${host}`,
          aliases: [u.profileUrl, u.actorId],
          links: [
            { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: u.profileUrl },
            { rel: 'self', type: ACTIVITY_JSON, href: u.actorId },
          ],
        },
        'application/jrd+json; charset=utf-8',
      )
    }
    // Checked after answering, as the key fetch it needs may be a GET of this very server.
    const verified = headers.signature
      ? new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
          verify('GET', url.pathname + url.search, headers, undefined).then(
            (v) => v.verified,
            () => false,
          ),
        )
      : Promise.resolve(false)
    fetched.push({ path: url.pathname, accept, signed: Boolean(headers.signature), verified })
    const actorMatch = /^\/users\/([^/]+)$/.exec(url.pathname)
    const u = actorMatch ? byName.get(actorMatch[1] ?? '') : undefined
    if (u) {
      if (!/activity\+json|ld\+json/.test(accept)) return res.writeHead(302, { location: u.profileUrl }).end()
      return json(200, actorDocument(u))
    }
    const note = notes.get(`${origin}${url.pathname}`)
    if (note) return json(200, { '@context': AS, ...note })
    const profile = /^\/@([^/]+)$/.exec(url.pathname)
    const owner = profile ? byName.get(profile[1] ?? '') : undefined
    if (owner) {
      return res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>${owner.name}</title><h1>${owner.name}</h1>`)
    }
    return json(404, { error: 'not found' }, 'application/json')
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin)
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    const isInbox = url.pathname === '/inbox' || /^\/users\/[^/]+\/inbox$/.test(url.pathname)
    const handled =
      req.method === 'POST' && isInbox
        ? onInbox(req, res, url.pathname + url.search, headers)
        : req.method === 'GET'
          ? onGet(res, url, headers)
          : Promise.resolve(res.writeHead(405).end())
    handled.catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500).end(err.message)
    })
  })

  async function send(inboxUrl: string, activity: Json, as: PeerUser = first, tamper: Tamper = {}) {
    const body = JSON.stringify(activity)
    if (tamper.unsigned) {
      return rawRequest(inboxUrl, {
        method: 'POST',
        headers: { 'content-type': ACTIVITY_JSON, date: new Date().toUTCString() },
        body,
      })
    }
    const signer = tamper.signAs ?? as
    const date = new Date(Date.now() + (tamper.dateOffsetMs ?? 0))
    const extra: Record<string, string> = { 'content-type': ACTIVITY_JSON }
    if (tamper.wrongDigest) extra.digest = `SHA-256=${Buffer.alloc(32, 7).toString('base64')}`
    const headers = peerSignCavage({
      method: 'POST',
      url: inboxUrl,
      body: tamper.badSignature ? `${body} ` : body,
      keyId: signer.keyId,
      privateKeyPem: signer.keys.privateKeyPem,
      date,
      extra,
    })
    if (tamper.badSignature) {
      // The signature covers the digest of other bytes; send the body's true digest so only the signature is wrong.
      const honest = peerSignCavage({
        method: 'POST',
        url: inboxUrl,
        body,
        keyId: signer.keyId,
        privateKeyPem: signer.keys.privateKeyPem,
        date,
      })
      headers.digest = honest.digest ?? ''
    }
    return rawRequest(inboxUrl, {
      method: 'POST',
      headers: { ...headers, 'user-agent': 'MastodonPeer/4.3 (test)' },
      body,
    })
  }

  const inboxOf = (target: Discovered) => target.sharedInbox || target.inbox
  const newId = (as: PeerUser, kind: string) => `${as.actorId}#${kind}/${randomUUID()}`
  let statusCounter = 100

  const peer: MastodonPeer = {
    origin,
    host,
    sharedInbox: `${origin}/inbox`,
    users,
    user(username) {
      const u = byName.get(username)
      if (!u) throw new Error(`the peer has no user ${username}`)
      return u
    },
    received,
    fetched,
    answerNext(...statuses) {
      answers.push(...statuses)
    },
    answerAlways(status) {
      defaultAnswer = status
    },
    async waitFor(found, ms = 15_000) {
      const deadline = Date.now() + ms
      for (;;) {
        const result = found(received)
        if (result) return result
        if (Date.now() > deadline) {
          const seen = received.map(
            (r) => `${r.status} ${r.activity?.type}(${r.activity?.object?.type ?? ''})`,
          )
          throw new Error(
            `the peer did not receive what the test waits for within ${ms} ms; it got: ${seen.join(', ') || 'nothing'}`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
    async discover(handle) {
      const m = /^@?([^@]+)@(.+)$/.exec(handle)
      if (!m) throw new Error(`not a handle: ${handle}`)
      const [, name, domain] = m
      const finger = await rawRequest(
        `http://${domain}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${name}@${domain}`)}`,
        { headers: { accept: 'application/jrd+json' } },
      )
      if (finger.status !== 200)
        throw new Error(`WebFinger for ${handle} answered ${finger.status}: ${finger.body}`)
      const self = asList(JSON.parse(finger.body).links).find(
        (link: Json) => link?.rel === 'self' && /activity\+json|ld\+json/.test(link?.type ?? ''),
      )
      if (!self?.href) throw new Error(`WebFinger for ${handle} has no self link: ${finger.body}`)
      const res = await peerFetch(self.href)
      if (res.status !== 200) throw new Error(`the actor ${self.href} answered ${res.status}`)
      const actor = JSON.parse(res.body)
      return { actorId: actor.id, inbox: actor.inbox, sharedInbox: actor.endpoints?.sharedInbox ?? '', actor }
    },
    fetch: (url, accept = ACTIVITY_JSON, as = first) => peerFetch(url, accept, as),
    send,
    async follow(handle, as = first) {
      const target = await peer.discover(handle)
      const follow = {
        '@context': AS,
        id: newId(as, 'follows'),
        type: 'Follow',
        actor: as.actorId,
        object: target.actorId,
      }
      followsSent.set(follow.id, follow)
      // A Follow goes to the account's own inbox, as Mastodon sends it.
      const response = await send(target.inbox, follow, as)
      return { follow, response, target }
    },
    undo(activity, target, as = first) {
      const { '@context': _context, ...object } = activity
      return send(
        target.inbox,
        { '@context': AS, id: `${activity.id}/undo`, type: 'Undo', actor: as.actorId, object },
        as,
      )
    },
    async reply(target, inReplyTo, html, as = first) {
      statusCounter += 1
      const id = `${as.actorId}/statuses/${statusCounter}`
      const published = new Date().toISOString()
      const note = {
        id,
        type: 'Note',
        summary: null,
        inReplyTo,
        published,
        url: `${as.profileUrl}/${statusCounter}`,
        attributedTo: as.actorId,
        to: [PUBLIC],
        cc: [as.followers, target.actorId],
        sensitive: false,
        content: html,
        tag: [{ type: 'Mention', href: target.actorId, name: `@${target.actor.preferredUsername}` }],
      }
      notes.set(id, note)
      const activity = {
        '@context': AS,
        id: `${id}/activity`,
        type: 'Create',
        actor: as.actorId,
        published,
        to: note.to,
        cc: note.cc,
        object: note,
      }
      const response = await send(inboxOf(target), activity, as)
      return { note, activity, response }
    },
    update(target, note, html, as = first) {
      const updated = { ...note, content: html, updated: new Date().toISOString() }
      notes.set(note.id, updated)
      return send(
        inboxOf(target),
        {
          '@context': AS,
          id: `${note.id}#updates/${Date.now()}`,
          type: 'Update',
          actor: as.actorId,
          to: note.to,
          cc: note.cc,
          object: updated,
        },
        as,
      )
    },
    delete(target, note, as = first) {
      notes.delete(note.id)
      return send(
        inboxOf(target),
        {
          '@context': AS,
          id: `${note.id}#delete`,
          type: 'Delete',
          actor: as.actorId,
          to: [PUBLIC],
          object: { id: note.id, type: 'Tombstone', atomUri: note.id },
        },
        as,
      )
    },
    async like(target, objectId, as = first) {
      const activity = {
        '@context': AS,
        id: newId(as, 'likes'),
        type: 'Like',
        actor: as.actorId,
        object: objectId,
      }
      return { activity, response: await send(target.inbox, activity, as) }
    },
    async announce(target, objectId, as = first) {
      statusCounter += 1
      const activity = {
        '@context': AS,
        id: `${as.actorId}/statuses/${statusCounter}/activity`,
        type: 'Announce',
        actor: as.actorId,
        published: new Date().toISOString(),
        to: [PUBLIC],
        cc: [target.actorId, as.followers],
        object: objectId,
      }
      return { activity, response: await send(inboxOf(target), activity, as) }
    },
  }
  return peer
}
