// Owns how dates are shown to people and machines.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** "27 November 2026" in the site's timezone. */
export function formatDate(date: Date, timeZone = 'UTC'): string {
  return formatterFor(timeZone).format(date)
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return true
  } catch {
    return false
  }
}
