// Owns reading a benchmark process's memory from Linux's /proc: resident now and at its peak.
import { readFileSync } from 'node:fs'

export interface Memory {
  /** VmRSS: resident set size now, in MB. */
  readonly rssMb: number
  /** VmHWM: the highest resident set size the process has reached, in MB. */
  readonly peakMb: number
}

const field = (status: string, name: string): number => {
  const kb = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]
  return kb === undefined ? Number.NaN : Number(kb) / 1024
}

/** NaN where /proc is not there (not Linux) or the process is gone, so the report says "n/a" rather than stopping. */
export function readMemory(pid: number): Memory {
  let status = ''
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    // Reported as n/a.
  }
  return { rssMb: field(status, 'VmRSS'), peakMb: field(status, 'VmHWM') }
}
