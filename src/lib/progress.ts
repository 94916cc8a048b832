// Owns showing how far a long command has got: a cli-progress bar with counts and an ETA on a terminal, a plain line now and then elsewhere.
// A CommonJS module whose named exports Node cannot detect: only its default import works in ESM.
import cliProgress, { type TimeFormatter } from 'cli-progress'

export interface Progress {
  /** `done` of `total` steps are finished. */
  update(done: number, total: number): void
  /** Ends the bar's line on a terminal (call it on failure too); prints nothing elsewhere. */
  finish(): void
}

/** What the long functions take: called with how far they have got. */
export type OnProgress = (done: number, total: number) => void

/** Where progress goes: a terminal gets the bar, anything else (a file, a pipe, a CI log) lines. */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number }

export interface ProgressOptions {
  /** The clock for plain lines, in ms (tests). */
  readonly now?: () => number
}

/** Without a terminal, a line at every tenth of the way or after this long, whichever comes first. */
const PLAIN_LINE_INTERVAL_MS = 5000

/** Seconds as cli-progress shows them; its estimate is a word ("NULL", "INF"), not a number, until it can tell. */
const formatEta: TimeFormatter = (seconds, options, round) =>
  typeof seconds === 'number' && Number.isFinite(seconds)
    ? cliProgress.Format.TimeFormat(seconds, options, round)
    : '?'

/**
 * cli-progress redraws from a timer; a command that fails without calling finish() must still
 * exit, so the timer never keeps the process alive.
 */
class CommandBar extends cliProgress.SingleBar {
  override render(): void {
    super.render()
    ;(this as unknown as { timer?: NodeJS.Timeout | null }).timer?.unref()
  }
}

function terminalProgress(label: string, stream: ProgressStream): Progress {
  const bar = new CommandBar({
    stream,
    format: '{label} [{bar}] {value}/{total} ({percentage}%) · ETA {eta_formatted}',
    formatTime: formatEta,
    barsize: 30,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    // Cut to the terminal's width rather than turn its wrapping off: a crash then leaves the terminal as it was.
    linewrap: true,
  })
  let started = false
  return {
    update(done, total) {
      if (total === 0) return
      if (!started) {
        bar.start(total, done, { label })
        started = true
        return
      }
      if (total !== bar.getTotal()) bar.setTotal(total)
      bar.update(done)
    },
    finish() {
      if (started) bar.stop()
      started = false
    },
  }
}

function plainProgress(label: string, stream: ProgressStream, now: () => number): Progress {
  let lastTenth = -1
  let lastAt = 0
  let lastDone = -1
  return {
    update(done, total) {
      if (total === 0 || done === lastDone) return
      const tenth = Math.floor((done / total) * 10)
      const at = now()
      if (tenth === lastTenth && at - lastAt < PLAIN_LINE_INTERVAL_MS && done < total) return
      lastTenth = tenth
      lastAt = at
      lastDone = done
      stream.write(`${label}: ${done} of ${total} (${Math.floor((done / total) * 100)}%)\n`)
    },
    finish() {},
  }
}

/** Progress shown on `stream`: stderr by default, so stdout keeps only the result. */
export function createProgress(
  label: string,
  stream: ProgressStream = process.stderr,
  options: ProgressOptions = {},
): Progress {
  return stream.isTTY === true
    ? terminalProgress(label, stream)
    : plainProgress(label, stream, options.now ?? Date.now)
}

/** Runs `work` with a progress display that is finished whatever happens, so an error starts on its own line. */
export async function withProgress<T>(
  label: string,
  work: (onProgress: OnProgress) => T | Promise<T>,
  stream?: ProgressStream,
): Promise<T> {
  const progress = createProgress(label, stream)
  try {
    return await work((done, total) => progress.update(done, total))
  } finally {
    progress.finish()
  }
}
