// Owns making CSV cells safe to open in a spreadsheet, and reading such a cell back as it was.

/** A cell a spreadsheet would run as a formula: it starts with =, +, -, @, or a tab or carriage return before one. */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * Spreadsheets run a cell that starts with =, +, -, @ (or a tab or carriage return before one)
 * as a formula, so a visitor could plant `=HYPERLINK(...)` in the author's Excel. A leading
 * apostrophe makes the cell plain text in every spreadsheet.
 */
export function neutraliseFormula(field: string): string {
  return FORMULA_START.test(field) ? `'${field}` : field
}

/** The inverse, for a file Folio (or a spreadsheet) exported: `'-dash@…` reads back as `-dash@…`. */
export function restoreFormula(field: string): string {
  return field.startsWith("'") && FORMULA_START.test(field.slice(1)) ? field.slice(1) : field
}
