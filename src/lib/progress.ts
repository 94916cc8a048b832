// Owns showing how far a long command has got: a bar redrawn in place on a terminal, a plain line now and then elsewhere.

export interface Progress {
  /** `done` of `total` steps are finished. */
  update(done: number, total: number): void
  /** Ends the bar's line on a terminal; prints nothing elsewhere. */
  finish(): void
}

const BAR_WIDTH = 30

/** Progress shown on `stream`: stderr by default, so stdout keeps only the result. */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let drawn = false
  return {
    update(done, total) {
      if (total === 0) return
      const step = Math.max(1, Math.ceil(total / 10))
      if (stream.isTTY) {
        const filled = Math.round((done / total) * BAR_WIDTH)
        stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${done}/${total}`)
        drawn = true
      } else if (done % step === 0 || done === total) {
        stream.write(`${label}: ${done} of ${total}\n`)
      }
    },
    finish() {
      if (drawn) stream.write('\n')
    },
  }
}
