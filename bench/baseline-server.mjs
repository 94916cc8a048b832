// Owns the benchmark's yardstick: a bare Fastify server, plain JavaScript run by node, answering HTML strings of given sizes.
import Fastify from 'fastify'

// BASELINE_BYTES: comma-separated sizes; `/` answers the first, `/<size>` each one, so every
// Folio page is compared with a string exactly as large as itself.
const sizes = String(process.env.BASELINE_BYTES ?? 20000)
  .split(',')
  .map(Number)
const chunk = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n'
const htmlOf = (size) =>
  `<!doctype html><html lang="en"><title>baseline</title><body>${chunk.repeat(Math.ceil(size / chunk.length))}`.slice(
    0,
    size,
  )

// BASELINE_HEADERS: a JSON object of headers sent with every answer (Folio's security and cache
// headers, for the run that asks how much of the gap is headers that Folio must send).
const headers = JSON.parse(process.env.BASELINE_HEADERS ?? '{}')

const app = Fastify({ logger: false })
const first = htmlOf(sizes[0])
app.get('/', async (_request, reply) => reply.headers(headers).type('text/html; charset=utf-8').send(first))
for (const size of new Set(sizes)) {
  const html = htmlOf(size)
  app.get(`/${size}`, async (_request, reply) =>
    reply.headers(headers).type('text/html; charset=utf-8').send(html),
  )
}
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
