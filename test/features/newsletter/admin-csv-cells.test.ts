// Checks that a CSV cell made safe for spreadsheets (as the subscriber export writes it) reads back as it was (as the import reads it).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { neutraliseFormula, restoreFormula } from '../../../src/lib/csv-cells.ts'

test('every cell a spreadsheet would run gets an apostrophe, and loses it again on the way back', () => {
  for (const risky of ['=1+1', '+x@example.com', '-dash@example.com', '@sum', '\t=cmd', '\r=cmd']) {
    assert.equal(neutraliseFormula(risky), `'${risky}`, JSON.stringify(risky))
    assert.equal(restoreFormula(neutraliseFormula(risky)), risky, JSON.stringify(risky))
  }
  for (const plain of ['ada@example.com', "'quoted", "o'brien@example.com", '', ' =1']) {
    assert.equal(neutraliseFormula(plain), plain, JSON.stringify(plain))
    assert.equal(restoreFormula(plain), plain, JSON.stringify(plain))
  }
})
