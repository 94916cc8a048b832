// Owns reading other servers' actors and keys: signed GETs through safeFetch, checked with zod, kept in memory for a day.
import { LRUCache } from 'lru-cache'
import * as z from 'zod'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { FetchRefusedError, type SafeResponse, safeFetch } from '../../lib/safe-fetch.ts'
import { ACTOR_KEY_PATH, absoluteUrl, isHttpUrl, isSameOrigin } from '../../lib/urls.ts'
import { userAgent } from '../../lib/user-agent.ts'
import { boundedKeys } from '../../lib/window-limit.ts'
import { ACTIVITY_JSON } from './activities.ts'
import { actorKeyPair } from './keys.ts'
import { type FetchKey, signRequest } from './signatures.ts'

/** An actor document is a few kilobytes; a quarter of a megabyte is already generous. */
export const REMOTE_DOCUMENT_MAX_BYTES = 256 * 1024
const FETCH_TIMEOUT_MS = 5000
const CACHE_TTL_MS = 24 * 60 * 60 * 1000
const CACHE_MAX_ENTRIES = 5000
/** What Mastodon and its peers answer with; plain JSON too, which a few servers send. */
const JSON_TYPE = /^application\/(?:activity\+json|ld\+json|json)\s*(?:;|$)/i

export interface PublicKey {
  readonly id: string
  readonly owner: string
  readonly publicKeyPem: string
}

/** The fields of an actor Folio uses, each checked; text fields are '' when the actor gives none. */
export interface RemoteActor {
  readonly id: string
  readonly type: string
  readonly preferredUsername: string
  readonly name: string
  /** Their profile page; the actor id when they name none. */
  readonly url: string
  readonly inbox: string
  /** Their server's shared inbox; '' when it has none. */
  readonly sharedInbox: string
  readonly keys: readonly PublicKey[]
}

export interface RemoteActors {
  /** The actor whose id is `id`; undefined when it cannot be fetched or is not an actor with an inbox. */
  fetchActor(id: string, options?: { refresh: true }): Promise<RemoteActor | undefined>
  /** For verifyRequest: the key a keyId names and the actor that owns it. */
  readonly fetchKey: FetchKey
  /** Whether the actor's own server says, now, that it is gone for good (410). */
  isGone(id: string): Promise<boolean>
}

const httpUrl = z.string().max(2048).refine(isHttpUrl)
const text = (max: number) =>
  z
    .string()
    .transform((value) => value.trim().slice(0, max))
    .optional()
    .catch(undefined)
// Built on first use (z.lazy), not at start-up: serving a reader never needs it (ADR 0014).
const keySchema = z.lazy(() =>
  z.object({ id: httpUrl, owner: httpUrl, publicKeyPem: z.string().min(1).max(16_384) }),
)
const actorSchema = z.lazy(() =>
  z.object({
    id: httpUrl,
    type: z.string().max(64),
    preferredUsername: text(100),
    name: text(200),
    url: z.unknown(),
    inbox: httpUrl,
    endpoints: z
      .object({ sharedInbox: httpUrl.optional().catch(undefined) })
      .optional()
      .catch(undefined),
    publicKey: z.unknown(),
  }),
)

/**
 * What a fetched document holds: its id and the keys it lists as its own, plus the actor when it
 * is a whole one (some servers answer a keyId with a stub that has no inbox), or a key object
 * that names its owner.
 */
type RemoteDocument = {
  readonly id: string
  readonly keys: readonly PublicKey[]
  readonly actor?: RemoteActor
  readonly key?: PublicKey
}
const holderSchema = z.lazy(() => z.object({ id: httpUrl, publicKey: z.unknown() }))

/** ActivityStreams lets `url` be a string, a Link or a list of either: the first http(s) one. */
function firstHref(value: unknown): string | undefined {
  for (const item of [value].flat()) {
    const href = typeof item === 'string' ? item : (item as { href?: unknown } | null)?.href
    if (typeof href === 'string' && isHttpUrl(href)) return href
  }
  return undefined
}

/** `publicKey` may be one key or several; the ones that are well formed. */
function keysOf(value: unknown): PublicKey[] {
  return [value].flat().flatMap((item) => {
    const parsed = keySchema.safeParse(item)
    return parsed.success ? [parsed.data] : []
  })
}

function readDocument(json: unknown): RemoteDocument | undefined {
  const key = keySchema.safeParse(json)
  if (key.success) return { id: key.data.id, keys: [], key: key.data }
  const holder = holderSchema.safeParse(json)
  if (!holder.success) return undefined
  const keys = keysOf(holder.data.publicKey).filter((k) => k.owner === holder.data.id)
  const parsed = actorSchema.safeParse(json)
  if (!parsed.success) return { id: holder.data.id, keys }
  const { data } = parsed
  // Deliveries go where an actor says: only to its own server, or Folio could be made to send
  // signed posts to anyone a stranger names.
  if (!isSameOrigin(data.inbox, data.id)) return { id: holder.data.id, keys }
  const actor: RemoteActor = {
    id: data.id,
    type: data.type,
    preferredUsername: data.preferredUsername ?? '',
    name: data.name ?? '',
    url: firstHref(data.url) ?? data.id,
    inbox: data.inbox,
    sharedInbox:
      data.endpoints?.sharedInbox && isSameOrigin(data.endpoints.sharedInbox, data.id)
        ? data.endpoints.sharedInbox
        : '',
    keys,
  }
  return { id: data.id, keys, actor }
}

const withoutFragment = (url: string): string => url.replace(/#.*$/s, '')

/**
 * Fetches actors and keys for the inbox. Documents are kept for a day (at most a few thousand),
 * so a busy follower costs one fetch a day; `refresh` fetches again, for a key that was rotated.
 * Every fetch is a signed GET, for servers that require authorized fetch, and goes through
 * safeFetch: the SSRF rules, a 5 s timeout and a 256 KB cap apply to what a stranger names.
 */
export function createRemoteActors(db: Db, config: Config): RemoteActors {
  const keyId = absoluteUrl(config.siteUrl, ACTOR_KEY_PATH)

  /** A signed GET of `url` (undefined when refused: a private address, a timeout…). */
  async function get(url: string): Promise<SafeResponse | undefined> {
    let headers: Record<string, string> = { Accept: ACTIVITY_JSON, 'User-Agent': userAgent(config.siteUrl) }
    // Before the blog has a key (its first start has not finished), an unsigned GET still reads most servers.
    const keys = actorKeyPair(db)
    if (keys) headers = signRequest({ method: 'GET', url, headers, keyId, privateKeyPem: keys.privateKeyPem })
    try {
      return await safeFetch(url, {
        headers,
        allowPrivate: config.fetchAllowPrivate,
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBytes: REMOTE_DOCUMENT_MAX_BYTES,
      })
    } catch (err) {
      if (err instanceof FetchRefusedError) return undefined
      throw err
    }
  }

  async function load(url: string): Promise<RemoteDocument | undefined> {
    const response = await get(url)
    if (!response) return undefined
    if (response.status !== 200 || !JSON_TYPE.test(response.headers.get('content-type') ?? ''))
      return undefined
    // A redirect elsewhere would let one server speak for another.
    if (!isSameOrigin(response.url, url)) return undefined
    let json: unknown
    try {
      json = JSON.parse(response.body.toString('utf8'))
    } catch {
      return undefined
    }
    const document = readDocument(json)
    return document && isSameOrigin(document.id, url) ? document : undefined
  }

  const documents = new LRUCache<string, RemoteDocument>({
    ...boundedKeys(CACHE_MAX_ENTRIES),
    ttl: CACHE_TTL_MS,
    // Two activities from one stranger at once share one fetch.
    fetchMethod: (url) => load(url),
  })

  async function fetchActor(id: string, options?: { refresh: true }): Promise<RemoteActor | undefined> {
    if (!isHttpUrl(id)) return undefined
    const document = await documents.fetch(withoutFragment(id), { forceRefresh: options?.refresh === true })
    return document?.actor?.id === id ? document.actor : undefined
  }

  /**
   * A keyId is usually the actor's id with `#main-key`: its document is the actor, which lists the
   * key. Some servers give the key its own document, which names an `owner`: then the owner must
   * list that key too, or anyone could claim any actor. Either way the owner lives on the keyId's
   * server, so a server can only speak for its own actors.
   */
  const fetchKey: FetchKey = async (keyIdAsked, options) => {
    if (!isHttpUrl(keyIdAsked)) return undefined
    const document = await documents.fetch(withoutFragment(keyIdAsked), {
      forceRefresh: options?.refresh === true,
    })
    if (!document) return undefined
    if (!document.key) {
      const key = document.keys.find((k) => k.id === keyIdAsked)
      return key && { publicKeyPem: key.publicKeyPem, owner: document.id }
    }
    if (document.key.id !== keyIdAsked || !isSameOrigin(document.key.owner, keyIdAsked)) return undefined
    const owner = await fetchActor(document.key.owner, options)
    const key = owner?.keys.find((k) => k.id === keyIdAsked)
    return owner && key && { publicKeyPem: key.publicKeyPem, owner: owner.id }
  }

  const isGone = async (id: string): Promise<boolean> =>
    isHttpUrl(id) && (await get(withoutFragment(id)))?.status === 410

  return { fetchActor, fetchKey, isGone }
}
