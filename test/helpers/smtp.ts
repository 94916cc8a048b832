// Owns a real SMTP server inside the test process: it collects what it receives and can go down and come back.
import type { TestContext } from 'node:test'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  /** The envelope: MAIL FROM and RCPT TO, which decide delivery whatever the headers say. */
  readonly mailFrom: string
  readonly rcptTo: readonly string[]
  /** The message exactly as it arrived: headers, blank line, body. */
  readonly raw: string
}

export interface TestSmtpServer {
  readonly port: number
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  readonly url: string
  readonly received: ReceivedMail[]
  /** Stops listening, as in an outage; the port stays reserved for start(). */
  stop(): Promise<void>
  /** Listens again on the same port. */
  start(): Promise<void>
}

function listen(port: number, received: ReceivedMail[]): Promise<{ server: SMTPServer; port: number }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  return new Promise((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', reject)
      const address = server.server.address()
      resolve({ server, port: typeof address === 'object' && address ? address.port : port })
    })
  })
}

/** Starts a server on a free port of 127.0.0.1 (no TLS, no auth), stopped when the test ends. */
export async function startSmtpServer(t: TestContext): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = []
  let { server, port } = await listen(0, received)
  let up = true
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!up) return resolve()
      up = false
      server.close(() => resolve())
    })
  t.after(stop)
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    stop,
    async start() {
      if (up) return
      ;({ server, port } = await listen(port, received))
      up = true
    },
  }
}

/** The header section of a raw message, folded lines joined, as "Name: value" strings. */
export function headersOf(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? ''
  return head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)
}

/** The value of the first header called `name` (case-insensitive), unfolded. */
export function headerOf(raw: string, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`
  return headersOf(raw)
    .find((line) => line.toLowerCase().startsWith(prefix))
    ?.slice(prefix.length)
    .trim()
}

/** The body of a single-part message as text, undoing quoted-printable or base64 transfer encoding. */
export function textOf(raw: string): string {
  const body = raw
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\r\n\r\n')
  const encoding = headerOf(raw, 'content-transfer-encoding')?.toLowerCase()
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8')
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .split(/(=[0-9A-F]{2})/)
      .map((part) =>
        /^=[0-9A-F]{2}$/.test(part) ? Buffer.from([Number.parseInt(part.slice(1), 16)]) : Buffer.from(part),
      )
    return Buffer.concat(bytes).toString('utf8').replace(/\r\n/g, '\n')
  }
  return body.replace(/\r\n/g, '\n')
}
