// Owns reading a secret in the terminal: from a hidden prompt, or the first line of piped stdin.
import { createInterface } from 'node:readline'

async function readStdinLine(): Promise<string> {
  let data = ''
  for await (const chunk of process.stdin) data += chunk
  return data.split(/\r?\n/)[0] ?? ''
}

/** Asks for a secret without echoing it; with piped input, reads its first line instead. */
export async function promptSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) return readStdinLine()
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
  const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream }
  let muted = false
  output._writeToOutput = (s: string) => {
    if (!muted) process.stderr.write(s)
  }
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer)
    })
    muted = true
  })
}
