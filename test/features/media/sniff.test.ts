// Checks recognising images by their first bytes, whatever the file claims to be.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import sharp from 'sharp'
import { sniffImageFormat } from '../../../src/features/media/sniff.ts'

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))

/** An ISO-BMFF ftyp box: size, "ftyp", major brand, minor version, compatible brands. */
const ftyp = (major: string, ...compatible: string[]): Buffer => {
  const body = bytes('ftyp', major, [0, 0, 0, 0], compatible.join(''))
  const size = Buffer.alloc(4)
  size.writeUInt32BE(body.length + 4)
  return Buffer.concat([size, body, Buffer.alloc(16)])
}

test('each accepted format is recognised from its magic numbers alone', () => {
  assert.equal(sniffImageFormat(bytes([0xff, 0xd8, 0xff, 0xe0], 'rest')), 'jpeg')
  assert.equal(sniffImageFormat(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'IHDR')), 'png')
  assert.equal(sniffImageFormat(bytes('GIF87a', [1, 0, 1, 0])), 'gif')
  assert.equal(sniffImageFormat(bytes('GIF89a', [1, 0, 1, 0])), 'gif')
  assert.equal(sniffImageFormat(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ')), 'webp')
  assert.equal(sniffImageFormat(ftyp('avif', 'mif1', 'miaf')), 'avif')
  assert.equal(sniffImageFormat(ftyp('avis', 'msf1')), 'avif')
})

test('an AVIF that names avif only as a compatible brand is still recognised', () => {
  assert.equal(sniffImageFormat(ftyp('mif1', 'miaf', 'avif')), 'avif')
})

test('real files written by sharp are recognised', async () => {
  const base = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#c00' } })
  assert.equal(sniffImageFormat(await base().jpeg().toBuffer()), 'jpeg')
  assert.equal(sniffImageFormat(await base().png().toBuffer()), 'png')
  assert.equal(sniffImageFormat(await base().webp().toBuffer()), 'webp')
  assert.equal(sniffImageFormat(await base().gif().toBuffer()), 'gif')
  assert.equal(sniffImageFormat(await base().avif().toBuffer()), 'avif')
})

test('SVG, HTML and other text are never taken for an image, whatever they are called', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
  assert.equal(sniffImageFormat(Buffer.from(svg)), undefined)
  assert.equal(sniffImageFormat(Buffer.from(`<?xml version="1.0"?>\n${svg}`)), undefined)
  assert.equal(sniffImageFormat(Buffer.from(`\ufeff${svg}`)), undefined)
  assert.equal(sniffImageFormat(Buffer.from('<!doctype html><img src=x onerror=alert(1)>')), undefined)
  assert.equal(sniffImageFormat(Buffer.from('just some notes, saved as photo.png')), undefined)
})

test('look-alikes and fragments of signatures are refused', () => {
  assert.equal(sniffImageFormat(Buffer.alloc(0)), undefined)
  assert.equal(sniffImageFormat(bytes([0xff, 0xd8])), undefined)
  assert.equal(sniffImageFormat(bytes([0x89, 0x50, 0x4e, 0x47])), undefined)
  assert.equal(sniffImageFormat(bytes('GIF90a')), undefined)
  assert.equal(sniffImageFormat(bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt ')), undefined)
  assert.equal(sniffImageFormat(ftyp('heic', 'mif1', 'heic')), undefined)
  assert.equal(sniffImageFormat(ftyp('isom', 'iso2', 'mp41')), undefined)
  assert.equal(sniffImageFormat(bytes([0, 0, 0, 0x18], 'ftypav')), undefined)
  assert.equal(sniffImageFormat(bytes('%PDF-1.7')), undefined)
  assert.equal(sniffImageFormat(bytes('II*', [0])), undefined)
})

test('an avif brand beyond the first 32 bytes does not count', () => {
  const far = ftyp('mif1', 'miaf', 'mif2', 'msf1', 'iso8', 'heic', 'avif')
  assert.equal(sniffImageFormat(far), undefined)
})
