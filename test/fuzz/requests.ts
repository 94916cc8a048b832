// Owns turning a declared route into generated requests: real and hostile parameters, query strings, headers and form bodies.
import fc from 'fast-check'
import type { Db } from '../../src/db/client.ts'
import type { AppRoute } from '../helpers/admin.ts'
import { hostileHeaders, hostileQuery, hostileString, percentEncode, urlPiece } from './arbitraries.ts'
import { encodedBody, mutatedFields, type Pairs } from './bodies.ts'
import type { HarvestedForm } from './forms.ts'
import type { FuzzRequest } from './harness.ts'
import { realValues } from './site.ts'

/** Paths that try to climb out of a wildcard route's folder. */
const TRAVERSALS = [
  '../../package.json',
  '..%2f..%2fpackage.json',
  '%2e%2e/%2e%2e/src/app.ts',
  '%2e%2e%2f%2e%2e%2fdata%2ffolio.db',
  'css/../../../package.json',
  '..\\..\\package.json',
  '%c0%ae%c0%ae/package.json',
  '....//....//package.json',
  '.',
  '',
  '.env',
  'a/',
  '%00.png',
  'x.png%00.html',
  '.%2e/x',
]

/** One concrete path for a declared route: each parameter a real value most of the time, else something hostile. */
export function pathFor(db: Db, routePath: string): fc.Arbitrary<string> {
  const segments = routePath.split('/')
  const pieces = segments.map((segment, i) => {
    const param = /^:([A-Za-z0-9_]+)/.exec(segment)
    if (!param && segment !== '*') return fc.constant(segment)
    const real = realValues(db, segments[i - 1] ?? '', param ? `:${param[1]}` : '*')
    const encodedReal = real.map((v) =>
      v
        .split('/')
        .map((part) => percentEncode(part))
        .join('/'),
    )
    const hostile =
      segment === '*'
        ? fc.oneof(
            fc.constantFrom(...TRAVERSALS),
            fc.array(urlPiece(hostileString()), { minLength: 1, maxLength: 3 }).map((p) => p.join('/')),
          )
        : fc.oneof(
            { arbitrary: urlPiece(hostileString()), weight: 6 },
            // Longer than any slug: the router answers these itself.
            { arbitrary: fc.constantFrom('a'.repeat(501), '%E6%97%A5'.repeat(200)), weight: 1 },
          )
    return encodedReal.length > 0
      ? fc.oneof({ arbitrary: fc.constantFrom(...encodedReal), weight: 3 }, { arbitrary: hostile, weight: 2 })
      : hostile
  })
  return fc.tuple(...pieces).map((parts) => parts.join('/') || '/')
}

/** A URL for the route, with a hostile query string most of the time and sometimes a trailing slash or fragment. */
export function urlFor(db: Db, routePath: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      pathFor(db, routePath),
      fc.option(hostileQuery, { freq: 5, nil: undefined }),
      fc.constantFrom('', '', '', '', '/', '//', '#x'),
    )
    .map(([path, query, tail]) => originForm(`${path}${tail}${query === undefined ? '' : `?${query}`}`))
}

/**
 * The URL with one leading slash: inject reads its URL as a WHATWG URL against a base, where
 * `//x` names a host (and `//` alone does not parse; a backslash counts as a slash), so a path
 * starting `//` cannot be sent.
 */
export const originForm = (url: string): string => url.replace(/^[/\\]{2,}/, '/')

const ip = fc.oneof(fc.ipV4(), fc.ipV6())

/** GETs and HEADs of a route, signed in or not, with hostile URL, headers and cookies. */
export function readRequests(
  db: Db,
  route: AppRoute,
  cookies?: Record<string, string>,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      url: urlFor(db, route.path),
      headers: hostileHeaders({ cookies: cookies === undefined }),
      remoteAddress: ip,
    })
    .map(({ url, headers, remoteAddress }) => ({
      route: route.path,
      method: route.method,
      url,
      headers,
      remoteAddress,
      ...(cookies ? { cookies } : {}),
    }))
}

/** What a browser (or not) says about where a form came from: mostly nothing or the site itself. */
const originHeaders = fc.oneof(
  { arbitrary: fc.constant<Record<string, string>>({}), weight: 6 },
  {
    arbitrary: fc.constant<Record<string, string>>({
      origin: 'https://blog.example.com',
      'sec-fetch-site': 'same-origin',
    }),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom<Record<string, string>>(
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'http://blog.example.com' },
      { origin: '%%%' },
    ),
    weight: 1,
  },
)

/**
 * POSTs to a route: the form its page offers with fields mutated, in any encoding, with a valid
 * CSRF token most of the time (so validation is reached) and a missing or wrong one sometimes.
 */
export function formRequests(
  db: Db,
  route: AppRoute,
  options: {
    form: HarvestedForm | undefined
    png: Buffer
    csrf?: string
    cookies?: Record<string, string>
    /** Fields that reach deeper code when right (real credentials, say), used some of the time. */
    good?: fc.Arbitrary<Pairs>
  },
): fc.Arbitrary<FuzzRequest> {
  const csrfPair = fc.oneof(
    { arbitrary: fc.constant<Pairs>(options.csrf ? [['_csrf', options.csrf]] : []), weight: 8 },
    { arbitrary: fc.constant<Pairs>([]), weight: 1 },
    { arbitrary: hostileString().map<Pairs>((v) => [['_csrf', v]]), weight: 1 },
  )
  const fields = options.good
    ? fc.oneof(mutatedFields(options.form), options.good)
    : mutatedFields(options.form)
  return fc
    .record({
      url: fc.tuple(pathFor(db, route.path), fc.option(hostileQuery, { freq: 4, nil: undefined })),
      pairs: fc.tuple(csrfPair, fields).map(([csrf, rest]) => [...csrf, ...rest] as Pairs),
      origin: originHeaders,
      accept: fc.constantFrom('text/html', 'text/html', '*/*', 'application/json', ''),
      remoteAddress: ip,
    })
    .chain(({ url, pairs, origin, accept, remoteAddress }) =>
      encodedBody(pairs, options.form, options.png).map(
        (body): FuzzRequest => ({
          route: route.path,
          method: route.method,
          url: originForm(`${url[0]}${url[1] === undefined ? '' : `?${url[1]}`}`),
          headers: { ...(accept ? { accept } : {}), ...origin, ...body.headers },
          ...(options.cookies ? { cookies: options.cookies } : {}),
          ...(body.payload !== undefined ? { payload: body.payload } : {}),
          label: body.label,
          remoteAddress,
        }),
      ),
    )
}
