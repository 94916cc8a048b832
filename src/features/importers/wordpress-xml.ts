// Owns turning a WordPress export's XML into plain objects, safely: no DOCTYPE entities, a clear message with the line for broken XML.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { ImportFileError } from './model.ts'
import { lineAt } from './reader-common.ts'

/** One parsed element: its children by qualified name ("wp:post_id"), its attributes, its text under "#text". */
export type XmlNode = { readonly [name: string]: unknown }

/** Elements that may repeat, always read as lists even when the file has one. */
const REPEATED = new Set([
  'item',
  'category',
  'wp:author',
  'wp:category',
  'wp:tag',
  'wp:term',
  'wp:postmeta',
  'wp:comment',
  'wp:commentmeta',
])

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // The five XML entities and character references only: a DOCTYPE may not define more.
  processEntities: { enabled: true, maxEntityCount: 1, maxEntitySize: 1 },
  htmlEntities: false,
  isArray: (name) => REPEATED.has(name),
})

/** Where a section that runs to `terminator` ends (just past it); -1 when it never does. */
function sectionEnd(xml: string, terminator: string, from: number): number {
  const at = xml.indexOf(terminator, from)
  return at < 0 ? -1 : at + terminator.length
}

/** Where a tag that started before `from` ends (just past its `>`), a `>` inside a quoted value not counting. */
function tagEnd(xml: string, from: number): number {
  const special = /["'>]/g
  special.lastIndex = from
  for (let m = special.exec(xml); m; m = special.exec(xml)) {
    if (m[0] === '>') return m.index + 1
    const closing = xml.indexOf(m[0], m.index + 1)
    if (closing < 0) return -1
    special.lastIndex = closing + 1
  }
  return -1
}

/**
 * Whether the file declares a DOCTYPE anywhere the parser would read one: in the prolog, or
 * further in (not well-formed, yet fast-xml-parser reads its entities there too). The file is
 * walked as the parser walks it: CDATA sections, comments, processing instructions and quoted
 * attribute values are only text, so a post about HTML showing `<!DOCTYPE html>` is no DOCTYPE,
 * and `<!-- <a> -->` before one hides nothing. Linear: every end is found with indexOf. Past a
 * section that never ends, any DOCTYPE at all counts.
 */
export function declaresDoctype(xml: string): boolean {
  for (let at = xml.indexOf('<'); at >= 0; ) {
    let end: number
    if (xml.startsWith('<![CDATA[', at)) end = sectionEnd(xml, ']]>', at + 9)
    else if (xml.startsWith('<!--', at)) end = sectionEnd(xml, '-->', at + 4)
    else if (xml.startsWith('<?', at)) end = sectionEnd(xml, '?>', at + 2)
    else if (xml.startsWith('<!', at) && /^<!doctype/i.test(xml.slice(at, at + 9))) return true
    else end = tagEnd(xml, at + 1)
    if (end < 0) return /<!doctype/i.test(xml.slice(at))
    at = xml.indexOf('<', end)
  }
  return false
}

/**
 * The export's <channel>. Refuses a DOCTYPE (WordPress never writes one; its entities are how
 * "billion laughs" files exhaust memory), XML that is not well-formed (with the line), and XML
 * that is not a WordPress export.
 */
export function parseWxrChannel(xml: string): XmlNode {
  if (declaresDoctype(xml)) {
    throw new ImportFileError(
      'The file declares a DOCTYPE, which a WordPress export never has; it is refused because its entities could expand without limit. Export the site again from WordPress (Tools → Export).',
    )
  }
  if (xml.trim() === '') throw new ImportFileError('The file is empty: export the site again from WordPress.')
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw new ImportFileError(`${xmlProblem(xml, valid.err)} ${EXPORT_AGAIN}`)
  let document: XmlNode
  try {
    document = parser.parse(xml) as XmlNode
  } catch (error) {
    throw new ImportFileError(`The file cannot be read as XML: ${(error as Error).message}.`)
  }
  const channel = child(child(document, 'rss'), 'channel')
  if (!isWordPressChannel(channel)) {
    throw new ImportFileError(
      'This is not a WordPress export: expected an <rss> file with a <channel> holding wp: elements (WordPress writes one under Tools → Export → All content).',
    )
  }
  return channel
}

const EXPORT_AGAIN =
  'A WordPress export is the XML file from Tools → Export; one that stops short was cut off while downloading: export it again.'

/** Where and how the XML breaks, as the validator says; elements left open at the end mean the file stops short. */
function xmlProblem(xml: string, err: { line: number; col: number; msg: string }): string {
  const open = err.msg.startsWith("Invalid '[") ? [...err.msg.matchAll(/"([^"]+)"/g)].map((m) => m[1]) : []
  if (open.length > 0) {
    return `The file stops at line ${lineAt(xml, xml.length)} with elements still open (${open.join(' › ')}).`
  }
  const where = err.col ? `line ${err.line}, column ${err.col}` : `line ${err.line}`
  return `The file is not well-formed XML (${where}: ${err.msg.replace(/\.$/, '')}).`
}

function isWordPressChannel(channel: XmlNode): boolean {
  if (text(channel, 'wp:wxr_version') || text(channel, 'wp:base_blog_url')) return true
  return list(channel, 'item').some((item) => text(item, 'wp:post_id') !== '')
}

/** A child element (or {} when it is missing or is text only). */
export function child(node: XmlNode, name: string): XmlNode {
  const value = node[name]
  if (Array.isArray(value)) return isNode(value[0]) ? value[0] : {}
  return isNode(value) ? value : {}
}

/** Every child element of that name. */
export function list(node: XmlNode, name: string): XmlNode[] {
  const value = node[name]
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return values.map((v) => (isNode(v) ? v : { '#text': typeof v === 'string' ? v : '' }))
}

/** A child's text (CDATA included), or an attribute's value; '' when absent. */
export function text(node: XmlNode, name: string): string {
  const value = node[name]
  return textOf(Array.isArray(value) ? value[0] : value)
}

/** An element's own text (for repeated elements read with `list`). */
export function ownText(node: XmlNode): string {
  return textOf(node['#text'])
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (isNode(value)) return textOf(value['#text'])
  return ''
}

const isNode = (value: unknown): value is XmlNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
