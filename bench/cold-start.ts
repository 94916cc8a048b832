// Owns timing cold starts: a fresh process from spawn to its first 200 on `/`, Folio and the bare baseline in alternating pairs.
import { readMemory } from './memory.ts'
import { type NodeServer, spawnNode, stopServer, untilOk } from './servers.ts'
import { median } from './stats.ts'

export interface ServerSpec {
  readonly script: string
  readonly env: Record<string, string>
}

interface Start {
  /** Spawn to the first 200 on `/`, in ms. */
  readonly ms: number
  /** Peak resident memory right after that first response, in MB. */
  readonly peakMb: number
}

export interface ColdStarts {
  readonly starts: number
  readonly folio: { readonly ms: number; readonly peakMb: number }
  readonly bare: { readonly ms: number; readonly peakMb: number }
  /** The median of each pair's Folio/bare ratio: a pair shares the machine's mood of the moment. */
  readonly ratio: number
}

async function startOnce(spec: ServerSpec): Promise<Start> {
  let server: NodeServer | undefined
  try {
    server = await spawnNode(spec.script, spec.env)
    const answeredAt = await untilOk(server, '/', 5)
    return { ms: answeredAt - server.spawnedAt, peakMb: readMemory(server.pid).peakMb }
  } finally {
    if (server) await stopServer(server)
  }
}

/** `starts` pairs; the order within a pair alternates so neither side always runs on a machine just woken. */
export async function measureColdStarts(
  folio: ServerSpec,
  bare: ServerSpec,
  starts: number,
): Promise<ColdStarts> {
  const folioStarts: Start[] = []
  const bareStarts: Start[] = []
  const ratios: number[] = []
  for (let i = 0; i < starts; i++) {
    let f: Start
    let b: Start
    if (i % 2 === 0) {
      f = await startOnce(folio)
      b = await startOnce(bare)
    } else {
      b = await startOnce(bare)
      f = await startOnce(folio)
    }
    folioStarts.push(f)
    bareStarts.push(b)
    ratios.push(f.ms / b.ms)
  }
  const summary = (list: Start[]) => ({
    ms: median(list.map((s) => s.ms)),
    peakMb: median(list.map((s) => s.peakMb)),
  })
  return { starts, folio: summary(folioStarts), bare: summary(bareStarts), ratio: median(ratios) }
}
