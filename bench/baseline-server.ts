// The benchmark's yardstick: a bare Fastify server answering one static HTML string of a given size.
import Fastify from 'fastify'

const size = Number(process.env.BASELINE_BYTES ?? 20000)
const chunk = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n'
const html =
  `<!doctype html><html lang="en"><title>baseline</title><body>${chunk.repeat(Math.ceil(size / chunk.length))}`.slice(
    0,
    size,
  )

const app = Fastify({ logger: false })
app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.send?.('ready')
