// Owns reading the Dockerfile and .dockerignore the way `docker build` does, for the static checks and the smoke test.
import { existsSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'

export interface Instruction {
  /** Upper-cased: FROM, COPY, RUN, ENV… */
  readonly keyword: string
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string
  /** 1-based line of the keyword, for messages. */
  readonly line: number
}

export interface Stage {
  readonly name: string | undefined
  readonly from: string
  readonly instructions: Instruction[]
}

export interface Copy {
  readonly from: string | undefined
  readonly sources: string[]
  readonly dest: string
  readonly line: number
}

/** Instructions grouped by stage; comments, parser directives and line continuations handled as Docker does. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = []
  const globalArgs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  let i = 0
  while (i < lines.length) {
    const first = lines[i] ?? ''
    const line = i + 1
    i += 1
    if (/^\s*(#|$)/.test(first)) continue
    let joined = first
    while (/\\\s*$/.test(joined) && i < lines.length) {
      joined = joined.replace(/\\\s*$/, ' ')
      const next = lines[i] ?? ''
      i += 1
      // Comment lines inside a continued instruction are dropped, not ended on.
      if (!/^\s*#/.test(next)) joined += next
    }
    const match = /^\s*(\S+)\s*(.*)$/s.exec(joined)
    if (!match) continue
    const keyword = (match[1] ?? '').toUpperCase()
    const args = (match[2] ?? '').replace(/\s+/g, ' ').trim()
    if (keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)
      const from = (m?.[1] ?? args).replace(/\$\{(\w+)\}|\$(\w+)/g, (all, a, b) => globalArgs[a ?? b] ?? all)
      stages.push({ from, name: m?.[2], instructions: [] })
      continue
    }
    const stage = stages.at(-1)
    if (!stage) {
      // An ARG before the first FROM: usable in FROM lines.
      const arg = /^(\w+)=(\S*)$/.exec(args)
      if (keyword === 'ARG' && arg)
        globalArgs[arg[1] as string] = (arg[2] as string).replace(/^"(.*)"$/, '$1')
      continue
    }
    stage.instructions.push({ keyword, args, line })
  }
  return stages
}

/** A JSON exec-form array (`["node", "x.js"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined
  const parsed: unknown = JSON.parse(args)
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
    throw new Error(`not a JSON array of strings: ${args}`)
  }
  return parsed
}

export function parseCopy(instruction: Instruction): Copy {
  const words = execForm(instruction.args) ?? instruction.args.split(' ').filter(Boolean)
  let from: string | undefined
  const rest: string[] = []
  for (const word of words) {
    if (rest.length === 0 && word.startsWith('--')) {
      const m = /^--from=(.+)$/.exec(word)
      if (m) from = m[1]
      continue
    }
    rest.push(word)
  }
  const dest = rest.pop()
  if (!dest || rest.length === 0)
    throw new Error(`line ${instruction.line}: COPY needs a source and a destination`)
  return { from, sources: rest, dest, line: instruction.line }
}

/** `ENV A=1 B="two words"` (and the old `ENV A 1`) as pairs. */
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {}
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [key, ...value] = args.split(' ')
    if (key) env[key] = value.join(' ')
    return env
  }
  const pair = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g
  for (const m of args.matchAll(pair)) {
    const raw = m[2] ?? ''
    env[m[1] ?? ''] =
      raw.startsWith('"') || raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw
  }
  return env
}

/** The command of a HEALTHCHECK instruction (its options skipped), or undefined for HEALTHCHECK NONE. */
export function healthcheckCommand(args: string): string[] | undefined {
  const m = /^(?:--\S+\s+)*CMD\s+(.*)$/i.exec(args)
  if (!m) return undefined
  const command = m[1] ?? ''
  return execForm(command) ?? ['/bin/sh', '-c', command]
}

export interface DockerIgnore {
  /** True when `path` (relative to the context, with `/`) is left out of the build context. */
  excludes(path: string): boolean
}

/** .dockerignore's rules: patterns anchored at the context root, `*`/`?`/`**`, `!` re-includes, last match wins. */
export function readDockerIgnore(contextDir: string): DockerIgnore {
  const file = join(contextDir, '.dockerignore')
  const rules = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => {
          const negate = l.startsWith('!')
          const pattern = posix.normalize((negate ? l.slice(1) : l).trim().replace(/^\/+/, ''))
          const source = pattern
            .split('/')
            .map((part) =>
              part === '**'
                ? '.*'
                : part
                    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                    .replace(/\*/g, '[^/]*')
                    .replace(/\?/g, '[^/]'),
            )
            .join('/')
          return { negate, regex: new RegExp(`^${source.replace(/\.\*\//g, '(?:.*/)?')}$`) }
        })
    : []
  return {
    excludes(path: string) {
      const parts = path.split('/')
      let excluded = false
      // A rule matching a parent directory excludes everything in it.
      for (const rule of rules) {
        for (let n = 1; n <= parts.length; n++) {
          if (rule.regex.test(parts.slice(0, n).join('/'))) {
            excluded = !rule.negate
            break
          }
        }
      }
      return excluded
    },
  }
}

/** The last instruction with `keyword` in a stage (CMD, ENTRYPOINT, WORKDIR… count only once). */
export const lastOf = (stage: Stage, keyword: string): Instruction | undefined =>
  stage.instructions.filter((i) => i.keyword === keyword).at(-1)

/** Resolves a path inside the image the way WORKDIR does: absolute stays, relative joins the working dir. */
export const inImage = (workdir: string, path: string): string =>
  posix.normalize(path.startsWith('/') ? path : posix.join(workdir, path))
