// Owns the fuzz tests' request bodies: a form's fields mutated with hostile values, sent in every encoding a client might pick.
import fc from 'fast-check'
import { hostileString, percentEncode } from './arbitraries.ts'
import type { HarvestedForm } from './forms.ts'

export type Pairs = [string, string][]

/** Every field of the form, each kept, replaced, left out or repeated, plus a few fields the form never had. */
export function mutatedFields(form: HarvestedForm | undefined): fc.Arbitrary<Pairs> {
  const fields = (form?.fields ?? []).filter((field) => field.name !== '_csrf')
  const perField = fields.map(({ name, values, many }) => {
    const offered: fc.Arbitrary<Pairs> = many
      ? fc.subarray([...values]).map((chosen) => chosen.map((v): [string, string] => [name, v]))
      : fc.constantFrom(...(values.length > 0 ? values : [''])).map((v): Pairs => [[name, v]])
    const value = values[0] ?? ''
    return fc.oneof(
      { arbitrary: offered, weight: 4 },
      { arbitrary: hostileString().map<Pairs>((v) => [[name, v]]), weight: 4 },
      { arbitrary: hostileString({ long: true }).map<Pairs>((v) => [[name, v]]), weight: 1 },
      { arbitrary: fc.constant<Pairs>([]), weight: 1 },
      {
        arbitrary: hostileString().map<Pairs>((v) => [
          [name, value],
          [name, v],
        ]),
        weight: 1,
      },
    )
  })
  const extra = fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'id', 'ids', 'action', 'next', 'token'),
        hostileString(),
      ),
      hostileString(),
    ),
    { maxLength: form ? 2 : 6 },
  )
  return fc.tuple(fc.tuple(...perField), extra).map(([kept, more]) => [...kept.flat(), ...more] as Pairs)
}

/** Just past the 10 MB upload limit; made once, since every sample shares it. */
const OVERSIZED_FILE = Buffer.alloc(10 * 1024 * 1024 + 10, 0x61)

/** A file part for an upload: real images, images that lie about their type, scripts, nothing, too much. */
export function hostileFile(png: Buffer): fc.Arbitrary<{ name: string; type: string; data: Buffer }> {
  const data = fc.oneof(
    { arbitrary: fc.constant(png), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
        ),
        Buffer.from('<!doctype html><script>alert(document.cookie)</script>'),
        Buffer.from('GIF89a<script>alert(1)</script>'),
        Buffer.concat([png.subarray(0, 40), Buffer.from('<script>alert(1)</script>')]),
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 0x41)]),
        Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '),
        Buffer.alloc(0),
      ),
      weight: 3,
    },
    { arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
    // Past the 10 MB upload limit.
    { arbitrary: fc.constant(OVERSIZED_FILE), weight: 1 },
  )
  const name = fc.oneof(
    fc.constantFrom(
      'photo.png',
      'photo.PNG',
      'x.svg',
      'x.html',
      'x.php.png',
      '.png',
      'a"b.png',
      'a\r\nb.png',
    ),
    hostileString().map((v) => `${v}.png`),
  )
  const type = fc.constantFrom(
    'image/png',
    'image/svg+xml',
    'text/html',
    'application/octet-stream',
    '',
    'image/png; x',
  )
  return fc.record({ name, type, data })
}

export interface EncodedBody {
  readonly label: string
  readonly headers: Record<string, string>
  readonly payload: string | Buffer | undefined
}

/** Enough to take any form past the 2 MB form body limit. */
const PADDING = 'a'.repeat(2 * 1024 * 1024 + 16)

/** `a=1&b=2` with every byte that needs it percent-encoded, spaces sometimes as `+`. */
function urlencode(pairs: Pairs, plus: boolean): string {
  return pairs
    .map(([key, value]) => {
      const encode = (v: string) => (plus ? percentEncode(v).replace(/%20/g, '+') : percentEncode(v))
      return `${encode(key)}=${encode(value)}`
    })
    .join('&')
}

/** A multipart/form-data body, header values written raw as browsers do (a quote in a name stays a quote). */
function multipart(
  pairs: Pairs,
  file: { field: string; name: string; type: string; data: Buffer } | undefined,
) {
  const boundary = '----folio-fuzz-7MA4YWxkTrZu0gW'
  const parts: Buffer[] = []
  for (const [key, value] of pairs) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`),
    )
  }
  if (file) {
    const type = file.type ? `\r\nContent-Type: ${file.type}` : ''
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"${type}\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    )
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { boundary, payload: Buffer.concat(parts) }
}

/** The JSON a script might send instead of a form: repeated fields become arrays. */
function asJson(pairs: Pairs): string {
  const object: Record<string, string | string[]> = {}
  for (const [key, value] of pairs) {
    const had = Object.hasOwn(object, key) ? object[key] : undefined
    object[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value]
  }
  return JSON.stringify(object)
}

/** The fields sent in one of the encodings a browser, a script or an attacker uses. */
export function encodedBody(
  pairs: Pairs,
  form: HarvestedForm | undefined,
  png: Buffer,
): fc.Arbitrary<EncodedBody> {
  const fileField = form?.files[0] ?? 'file'
  const urlencoded = 'application/x-www-form-urlencoded'
  return fc.oneof(
    {
      arbitrary: fc.boolean().map((plus) => ({
        label: 'urlencoded',
        headers: { 'content-type': urlencoded },
        payload: urlencode(pairs, plus),
      })),
      weight: form?.multipart ? 2 : 12,
    },
    {
      arbitrary: fc.option(hostileFile(png), { freq: 2 }).map((file) => {
        const body = multipart(pairs, file ? { field: fileField, ...file } : undefined)
        return {
          label: file
            ? `multipart with file ${JSON.stringify(file.name)} (${file.data.length} bytes)`
            : 'multipart',
          headers: { 'content-type': `multipart/form-data; boundary=${body.boundary}` },
          payload: body.payload,
        }
      }),
      weight: form?.multipart ? 12 : 2,
    },
    {
      arbitrary: fc.constant({
        label: 'json',
        headers: { 'content-type': 'application/json' },
        payload: asJson(pairs),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.constant({
        label: 'text/plain',
        headers: { 'content-type': 'text/plain' },
        payload: pairs.map(([k, v]) => `${k}=${v}`).join('\r\n'),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.constant({ label: 'no content type', headers: {}, payload: urlencode(pairs, false) }),
      weight: 1,
    },
    {
      arbitrary: fc
        .constantFrom(
          `${urlencoded}; charset=utf-16`,
          `${urlencoded}; charset=latin1`,
          `${urlencoded}, application/json`,
          'application/xml',
          'multipart/form-data',
          'multipart/form-data; boundary=',
          'application/json; charset=utf-8',
          'text/html',
          'x/y',
          ';',
        )
        .map((type) => ({
          label: type,
          headers: { 'content-type': type },
          payload: urlencode(pairs, false),
        })),
      weight: 1,
    },
    {
      arbitrary: fc.constant({
        label: 'empty urlencoded',
        headers: { 'content-type': urlencoded },
        payload: '',
      }),
      weight: 1,
    },
    {
      arbitrary: fc.constant({
        label: 'urlencoded past the 2 MB form limit',
        headers: { 'content-type': urlencoded },
        payload: `${urlencode(pairs, false)}&padding=${PADDING}`,
      }),
      weight: 1,
    },
    {
      arbitrary: fc.constant({
        label: 'malformed json',
        headers: { 'content-type': 'application/json' },
        payload: '{"title": "x", "body": ',
      }),
      weight: 1,
    },
  )
}
