// Owns reading HTTP signature headers: draft-cavage's Signature, RFC 9421's Signature-Input and Content-Digest.
// What a valid signature must cover, and the crypto, live in signatures.ts.

/** Signature headers are a few hundred bytes; anything longer is refused before it is parsed. */
export const MAX_SIGNATURE_HEADER_LENGTH = 4096

export type SignatureParams = {
  keyId: string
  algorithm?: string
  headers: string[]
  signature: Buffer
  created?: number
  expires?: number
}

/** One `name="quoted value"` or `name=token` parameter, then a comma or the end. */
const PARAM = /[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))[ \t]*(?:,|$)/y
const SECONDS = /^\d{1,12}$/

/**
 * Reads a draft-cavage-12 Signature header. Parameter names are matched case-insensitively and
 * unknown ones ignored; undefined when it is malformed, repeats a parameter, or is too long.
 */
export function parseSignatureHeader(value: string): SignatureParams | undefined {
  if (value.length > MAX_SIGNATURE_HEADER_LENGTH) return undefined
  const params = new Map<string, string>()
  PARAM.lastIndex = 0
  while (PARAM.lastIndex < value.length) {
    const match = PARAM.exec(value)
    if (!match?.[1]) return undefined
    const name = match[1].toLowerCase()
    if (params.has(name)) return undefined // two keyIds or two signatures: ambiguous, so refused
    params.set(name, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? ''))
  }
  const { keyid, algorithm, headers, signature, created, expires } = Object.fromEntries(params)
  if (!keyid || !signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return undefined
  if ((created && !SECONDS.test(created)) || (expires && !SECONDS.test(expires))) return undefined
  return {
    keyId: keyid,
    algorithm: algorithm?.toLowerCase(),
    // Draft 12's default when `headers` is absent; it never covers enough for Folio anyway.
    headers: (headers ?? '(created)').toLowerCase().split(/\s+/).filter(Boolean),
    signature: Buffer.from(signature, 'base64'),
    created: created ? Number(created) : undefined,
    expires: expires ? Number(expires) : undefined,
  }
}

export type Rfc9421Params = {
  keyId: string
  alg?: string
  created?: number
  expires?: number
  /** Covered component names, in order: "@method", "@target-uri", "content-digest"… */
  components: string[]
  /** The inner list and parameters exactly as sent: signed as "@signature-params". */
  raw: string
  signature: Buffer
}

/**
 * Reads RFC 9421 Signature-Input and Signature. A proxy may add its own signature next to the
 * sender's, so this takes the first label present in both. Component parameters (;sf, ;key,
 * ;req, ;bs) change what is signed and Folio needs none of them: such inputs are refused.
 */
export function parseRfc9421(signatureInput: string, signature: string): Rfc9421Params | undefined {
  const inputs = parseDictionary(signatureInput)
  const signatures = parseDictionary(signature)
  const label = [...(inputs?.keys() ?? [])].find((name) => Buffer.isBuffer(signatures?.get(name)?.value))
  const entry = label === undefined ? undefined : inputs?.get(label)
  const bytes = label === undefined ? undefined : signatures?.get(label)?.value
  if (!entry || !Array.isArray(entry.value) || !Buffer.isBuffer(bytes)) return undefined
  const components = entry.value.map((item) => (item.params.size === 0 ? item.value : undefined))
  const { keyid, alg, created, expires } = Object.fromEntries(entry.params)
  if (components.length === 0 || !components.every((name) => typeof name === 'string')) return undefined
  if (typeof keyid !== 'string' || (alg !== undefined && typeof alg !== 'string')) return undefined
  return {
    keyId: keyid,
    alg,
    created: typeof created === 'number' ? created : undefined,
    expires: typeof expires === 'number' ? expires : undefined,
    components: components as string[],
    raw: entry.raw,
    signature: bytes,
  }
}

/** RFC 9530 `Content-Digest: sha-256=:<base64>:, sha-512=:…:` as [algorithm, bytes] pairs. */
export function parseContentDigest(value: string): [string, unknown][] | undefined {
  const members = parseDictionary(value)
  return members && [...members].map(([name, member]) => [name, member.value])
}

type Bare = string | number | boolean | Buffer
type Item = { value: Bare; params: Map<string, Bare> }
type Member = { value: Bare | Item[]; params: Map<string, Bare>; raw: string }

const KEY = /[a-z*][a-z0-9_\-.*]*/y

/**
 * Just enough of RFC 8941 for these headers: dictionaries of items and inner lists, with
 * parameters, strings, tokens, integers, booleans and byte sequences. Undefined on any syntax
 * error, on a repeated key (ambiguous, so refused rather than "last one wins"), and on input
 * longer than a signature header may be. Every pattern is linear in the input.
 */
function parseDictionary(text: string): Map<string, Member> | undefined {
  if (text.length > MAX_SIGNATURE_HEADER_LENGTH) return undefined
  let at = 0
  const take = (pattern: RegExp): string => {
    pattern.lastIndex = at
    const found = pattern.exec(text)?.[0]
    if (found === undefined) throw new SyntaxError('not a structured field')
    at = pattern.lastIndex
    return found
  }
  const bare = (): Bare => {
    const first = text[at] ?? ''
    if (first === '"')
      return take(/"(?:[ !#-[\]-~]|\\["\\])*"/y)
        .slice(1, -1)
        .replace(/\\(.)/g, '$1')
    if (first === ':') return Buffer.from(take(/:[A-Za-z0-9+/]*={0,2}:/y).slice(1, -1), 'base64')
    if (first === '?') return take(/\?[01]/y) === '?1'
    if (/[-\d]/.test(first)) return Number(take(/-?\d{1,15}(?:\.\d{1,3})?/y))
    return take(/[A-Za-z*][!#$%&'*+\-.^_`|~\w:/]*/y)
  }
  const params = (): Map<string, Bare> => {
    const found = new Map<string, Bare>()
    while (text[at] === ';') {
      at++
      take(/ */y)
      const key = take(KEY)
      const hasValue = text[at] === '='
      if (hasValue) at++
      found.set(key, hasValue ? bare() : true)
    }
    return found
  }
  const innerList = (): Item[] => {
    const items: Item[] = []
    at++ // the "("
    for (;;) {
      const spaces = take(/ */y)
      if (text[at] === ')') break
      if (at >= text.length || (items.length > 0 && spaces === '')) throw new SyntaxError('not a list')
      items.push({ value: bare(), params: params() })
    }
    at++
    return items
  }

  const members = new Map<string, Member>()
  try {
    take(/ */y)
    while (at < text.length) {
      const key = take(KEY)
      if (members.has(key)) return undefined
      const start = at + 1
      let value: Bare | Item[] = true
      if (text[at] === '=') {
        at++
        value = text[at] === '(' ? innerList() : bare()
      }
      members.set(key, { value, params: params(), raw: text.slice(start, at) })
      take(/[ \t]*/y)
      if (at >= text.length) break
      take(/,[ \t]*/y)
      if (at >= text.length) return undefined // a trailing comma
    }
  } catch {
    return undefined
  }
  return members
}
