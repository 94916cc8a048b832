// Owns the fuzz tests' hostile input: strings, URL pieces, query strings, headers and request bodies, as fast-check arbitraries.
import fc from 'fast-check'

/**
 * Pieces that break parsers, templates, SQL, FTS5, URLs and date handling when they are not
 * treated as plain text. Each is tried alone and glued to others and to random unicode.
 */
const HOSTILE_SNIPPETS: readonly string[] = [
  // Numbers a route may parse: out of range, not integers, not numbers.
  '0',
  '-1',
  '1.5',
  '1e309',
  '-0',
  '0x1f',
  '00007',
  'NaN',
  'Infinity',
  '2147483648',
  '9007199254740993',
  '9'.repeat(40),
  // Markup and script.
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '</textarea><svg onload=alert(1)>',
  ']]><!--',
  '&amp;&#0;&#x110000;',
  // SQL, LIKE and FTS5 syntax.
  "'",
  '"',
  '`',
  '\\',
  "' OR 1=1 --",
  '"; drop table posts; --',
  '%',
  '_',
  '*',
  'a*',
  '"unterminated',
  'NEAR(',
  'NEAR(a b, 1)',
  'AND',
  'OR NOT',
  'a AND OR b',
  '(((',
  ')',
  '^a',
  'title:x',
  '{a b}:c',
  '- + : ^',
  // Template syntax (eta, mustache-likes, JS template literals).
  '<%= it.site %>',
  '<% throw new Error("x") %>',
  '<%~ include("x") %>',
  '{{constructor.constructor("return 1")()}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a JS template literal typed as text, on purpose
  '${7*7}',
  // Paths, URLs and open redirects.
  '../',
  '../../etc/passwd',
  '..%2f..%2f',
  '%2e%2e/',
  '....//',
  '/',
  '//evil.example',
  '/\\evil.example',
  'http://evil.example/',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/admin/../../x',
  // Header injection, control characters, odd unicode.
  '\r\nSet-Cookie: injected=1',
  '\r\n\r\n<h1>split</h1>',
  '\u0000',
  '\u0007\u0008',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u2028\u2029',
  '\ufeff',
  '\u202e\u2066',
  '\ufffe\uffff',
  '\ud800',
  '\udfff',
  '\udbff\udfff',
  '😀',
  '👩‍👩‍👧‍👦',
  'é',
  'ÿ',
  'Ā',
  'ﷺ',
  'Z̤͔ͧ̑̓ä͖̭̈̇',
  '日本語',
  'العربية',
  '한국어',
  // Object keys that collide with prototypes.
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  // Dates, as the editor's published_at reads them.
  '2026-02-30T10:00',
  '2026-13-01T00:00',
  '0000-00-00T00:00',
  '9999-12-31T23:59',
  '275760-09-13T00:00',
  '1970-01-01T00:00:00.999',
  '2026-03-29T02:30',
  'next tuesday',
  // Lists and separators.
  'a,b,,c',
  ',,,,',
  ';;',
  '&&==',
]

/** Inputs that have frozen or crashed Markdown parsers: deep nesting and quadratic patterns. */
const MARKDOWN_BOMBS: readonly string[] = [
  '>'.repeat(5000),
  '> '.repeat(3000),
  `${'- '.repeat(2000)}x`,
  `${'['.repeat(10000)}x`,
  `${'*a '.repeat(8000)}`,
  `${'_'.repeat(20000)}x`,
  `${'`'.repeat(10000)}`,
  `${'<div>'.repeat(5000)}`,
  `${'[a]('.repeat(5000)}`,
  `${'![a]('.repeat(3000)}`,
  `${'\\'.repeat(20000)}`,
  `${'a\n'.repeat(20000)}`,
  `${'1. '.repeat(3000)}x`,
  `${'| a '.repeat(2000)}|\n${'|---'.repeat(2000)}|`,
]

/** Single UTF-16 units that are not valid alone: lone high and low surrogates. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))

/** Control characters, NUL included. */
const controlChar = fc
  .oneof(fc.integer({ min: 0, max: 31 }), fc.constant(127), fc.integer({ min: 0x80, max: 0x9f }))
  .map((c) => String.fromCharCode(c))

/** Very long values, up to and past the 2 MB form body limit, in 1-, 2-, 3- and 4-byte UTF-8. */
const longString = fc
  .tuple(
    fc.constantFrom('a', 'é', '日', '😀', '<', '\u0000', '> ', 'a b '),
    fc.constantFrom(501, 5_001, 70_000, 200_001, 1_100_000),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)))

/** Any string a hostile visitor might type or send, weighted towards the pieces above. */
export const hostileString = (options: { long?: boolean } = {}): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_SNIPPETS), weight: 5 },
    {
      arbitrary: fc
        .array(
          fc.oneof(
            fc.constantFrom(...HOSTILE_SNIPPETS),
            fc.string({ unit: 'binary', maxLength: 6 }),
            loneSurrogate,
            controlChar,
          ),
          { minLength: 1, maxLength: 5 },
        )
        .map((parts) => parts.join('')),
      weight: 5,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
    { arbitrary: fc.string({ unit: controlChar, maxLength: 10 }), weight: 1 },
    { arbitrary: fc.constantFrom(...MARKDOWN_BOMBS), weight: options.long ? 1 : 0 },
    { arbitrary: longString, weight: options.long ? 1 : 0 },
  )

/** Lone surrogates become U+FFFD, as a browser's encoder writes them (String#toWellFormed, Node 20). */
const wellFormed = (value: string): string =>
  value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')

/**
 * Percent-encodes a string as UTF-8. `loose` leaves printable ASCII raw (slashes, dots, quotes,
 * `%` and `&` as typed, `#` aside), the way a hand-written link or a script sends it.
 */
function percentEncode(value: string, loose = false): string {
  const encoded = encodeURIComponent(wellFormed(value))
  if (!loose) return encoded
  return encoded.replace(/%([2-7][0-9A-F])/g, (sequence, hex: string) => {
    const code = Number.parseInt(hex, 16)
    return code > 0x20 && code < 0x7f && code !== 0x23 ? String.fromCharCode(code) : sequence
  })
}

/** Percent sequences that do not decode: truncated, not hex, overlong, encoded surrogates, bytes > 0xF4. */
const BROKEN_PERCENT: readonly string[] = [
  '%',
  '%z',
  '%zz',
  '%4',
  '%C0%AF',
  '%E0%80%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%F5%80%80%80',
  '%C3',
  '%00',
  '%0D%0A',
  '%2e%2e%2f',
  '%252e',
  '%u002e',
]

/** One piece of a URL (a path segment, a query key or value) in one of the ways clients write them. */
export const urlPiece = (value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: value.map((v) => percentEncode(v)), weight: 6 },
    { arbitrary: value.map((v) => percentEncode(v, true)), weight: 2 },
    {
      arbitrary: fc
        .tuple(value, fc.constantFrom(...BROKEN_PERCENT))
        .map(([v, broken]) => `${percentEncode(v)}${broken}`),
      weight: 2,
    },
  )

/** Query parameter names the routes read, and a few that frameworks treat specially. */
const QUERY_KEYS = ['page', 'q', 'next', 'token', 'done', 'folder', 'status', 'kind', 'tag', 'series']

/** A whole query string (without `?`): known and unknown keys, repeated keys, array and object syntax. */
export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(
            { arbitrary: fc.constantFrom(...QUERY_KEYS), weight: 6 },
            { arbitrary: fc.constantFrom(...QUERY_KEYS).map((k) => `${k}[]`), weight: 1 },
            { arbitrary: fc.constantFrom(...QUERY_KEYS).map((k) => `${k}[0][a]`), weight: 1 },
            { arbitrary: fc.constantFrom('__proto__[x]', 'constructor[prototype][x]', ''), weight: 1 },
            { arbitrary: hostileString(), weight: 2 },
          ),
          fc.oneof({ arbitrary: hostileString(), weight: 6 }, { arbitrary: fc.constant(''), weight: 1 }),
          // The same key again with another value: the route gets an array.
          fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 3 },
            { arbitrary: hostileString(), weight: 1 },
          ),
        ),
        { maxLength: 6 },
      )
      .chain((pairs) =>
        fc
          .tuple(
            ...pairs.flatMap(([key, value, again]) =>
              [value, ...(again === undefined ? [] : [again])].map((v) =>
                fc.tuple(urlPiece(fc.constant(key)), urlPiece(fc.constant(v))),
              ),
            ),
          )
          .map((encoded) => encoded.map(([key, value]) => `${key}=${value}`).join('&')),
      ),
    weight: 8,
  },
  { arbitrary: fc.constantFrom('', '&', '&&=', '=', '==&=', 'a', '?', '#frag', 'a=1;b=2', '+++'), weight: 1 },
  {
    arbitrary: fc
      .constantFrom(...QUERY_KEYS)
      .map((k) => Array.from({ length: 300 }, () => `${k}=1`).join('&')),
    weight: 1,
  },
)

/** A header value: Node refuses to send control characters and non-Latin-1 in headers, so only those Node allows. */
const hostileAsciiValue = (v: string): string =>
  Array.from(v)
    .map((ch) => (/^[\x20-\x7e\x80-\xff\t]$/.test(ch) ? ch : percentEncode(ch)))
    .join('')
    .slice(0, 8000)

const hostileAscii: fc.Arbitrary<string> = fc
  .oneof(fc.constantFrom(...HOSTILE_SNIPPETS), fc.string({ unit: 'binary', maxLength: 30 }))
  .map(hostileAsciiValue)

/** Accept headers a browser, a crawler, a script or an attacker sends (JSON ones included). */
const ACCEPTS = [
  'text/html',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  '*/*',
  'application/json',
  'application/json, text/plain, */*',
  'application/activity+json',
  'application/atom+xml',
  'text/plain',
  'image/avif,image/webp,*/*',
  ';;;,,q=x',
  '',
]

/** Request headers beyond the URL: content negotiation, caching, ranges, cookies and origin. */
export const hostileHeaders = (options: { cookies?: boolean } = {}): fc.Arbitrary<Record<string, string>> =>
  fc
    .record(
      {
        accept: fc.oneof({ arbitrary: fc.constantFrom(...ACCEPTS), weight: 4 }, hostileAscii),
        'accept-encoding': fc.constantFrom(
          'gzip, deflate, br',
          'br',
          'identity',
          '*;q=0',
          'gzip;q=x',
          'zstd',
        ),
        'accept-language': fc.oneof(fc.constantFrom('en', 'fr-CA,fr;q=0.9', '*'), hostileAscii),
        'if-none-match': fc.oneof(fc.constantFrom('*', 'W/"x"', '"', 'W/'), hostileAscii),
        'if-modified-since': fc.oneof(
          fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'yesterday'),
          hostileAscii,
        ),
        range: fc.constantFrom(
          'bytes=0-0',
          'bytes=-1',
          'bytes=5-1',
          'bytes=0-1,2-3,4-5',
          'bytes=x',
          'lines=1-2',
        ),
        'user-agent': hostileAscii,
        referer: hostileAscii,
        cookie: options.cookies
          ? fc.oneof(
              fc.constantFrom(
                'folio_session=x',
                'folio_session=',
                `folio_session=${'a'.repeat(5000)}`,
                'folio_csrf=garbage.sig',
                'folio_session=%E0%A4%A',
                '=;=;;',
              ),
              hostileAscii.map((v) => `folio_session=${v}`),
            )
          : fc.constant(''),
        host: fc.constantFrom(
          'blog.example.com',
          'evil.example',
          'blog.example.com:99999',
          '[::1]:3000',
          'a b',
          '_',
        ),
        'x-forwarded-for': fc.constantFrom('1.2.3.4', 'unknown', '::1, 10.0.0.1', '999.999.1.1'),
        'x-forwarded-proto': fc.constantFrom('http', 'https', 'gopher'),
      },
      { requiredKeys: [] },
    )
    .map((headers) => {
      const out: Record<string, string> = {}
      for (const [name, value] of Object.entries(headers))
        if (value !== undefined && value !== '') out[name] = value
      return out
    })

/** A value's printable form for a failure report: long runs shortened to "unit"×count. */
export function shorten(value: string, max = 160): string {
  const printable = JSON.stringify(value)
  if (printable.length <= max) return printable
  const runs = /^"(.{1,8}?)\1{20,}/.exec(printable)
  const unit = runs?.[1]
  if (unit) return `${JSON.stringify(unit)}×${Math.round(value.length / unit.length)}…(${value.length} chars)`
  return `${printable.slice(0, max)}…(${value.length} chars)`
}

export { percentEncode }
