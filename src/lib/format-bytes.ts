// Owns writing a file size for people: "512 bytes", "5.2 KB", "14 MB".
import { plural } from './text.ts'

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const

/** Binary units, as file managers show them; one decimal below 10, where it still says something. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return plural(bytes, 'byte')
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}
