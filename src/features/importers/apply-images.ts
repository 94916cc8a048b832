// Owns the images of entries an earlier import brought in: trying again the ones it could not have, and the old images' addresses leading to the library's copies.
import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { posts } from '../../db/schema.ts'
import { escapeHtml } from '../../lib/html.ts'
import { decodeOrKeep, plural } from '../../lib/text.ts'
import { findPage, renderPageHtml, savePage } from '../content/pages.ts'
import { type PostInput, renderPostHtml } from '../content/posts.ts'
import { loadPostContent, revisionAsInput, savePostWithRevision } from '../content/revisions.ts'
import { mediaUrl } from '../media/render.ts'
import type { ImageSteps } from './apply-content.ts'
import { recordImported } from './apply-items.ts'
import type { PlannedTarget, RedirectWriter } from './apply-redirects.ts'
import { earlierImport } from './images.ts'
import { type ImageReference, imageReferences } from './images-html.ts'
import type { ImportedEntry } from './model.ts'
import { addImages, type ImportReport } from './report.ts'

/** Where the library's files are served: an image there is brought in already. */
const LIBRARY_PREFIX = mediaUrl('')

/** The Markdown and HTML of an entry as Folio stores it now. */
interface Stored {
  readonly bodyMd: string
  readonly bodyHtml: string
  readonly updatedAt: Date
  /** A post whose feature image the earlier import could not have. */
  readonly lacksFeatureImage: boolean
}

function loadStored(db: Db, kind: 'post' | 'page', id: number): Stored | undefined {
  if (kind === 'page') {
    const page = findPage(db, id)
    return page && { ...page, lacksFeatureImage: false }
  }
  const post = db
    .select({
      bodyMd: posts.bodyMd,
      bodyHtml: posts.bodyHtml,
      updatedAt: posts.updatedAt,
      featureImageId: posts.featureImageId,
    })
    .from(posts)
    .where(eq(posts.id, id))
    .get()
  return post && { ...post, lacksFeatureImage: post.featureImageId === null }
}

const isBoundary = (char: string | undefined): boolean => char === undefined || /[\s()<>"',=]/.test(char)

/** `text` with each whole occurrence of the address `from` (not one that merely starts with it) made `to`. */
function replaceAddress(text: string, from: string, to: string): string {
  let result = ''
  let at = 0
  for (let i = text.indexOf(from); i !== -1; i = text.indexOf(from, i + from.length)) {
    if (!isBoundary(text[i - 1]) || !isBoundary(text[i + from.length])) continue
    result += `${text.slice(at, i)}${to}`
    at = i + from.length
  }
  return result + text.slice(at)
}

/** How an address read from the rendered HTML may be written in the Markdown: as it is, with its parentheses escaped, or in HTML. */
const writtenForms = (address: string): string[] => [
  ...new Set([address, address.replace(/[()]/g, '\\$&'), address.replaceAll('&', '&amp;')]),
]

const outsideLibrary = (ref: ImageReference): boolean =>
  ref.values.every((value) => !value.startsWith(LIBRARY_PREFIX))

/**
 * The body's images that still show an address outside the library, each tried again through the
 * media step; returns the Markdown pointing at what came in now (unchanged when nothing did).
 */
async function bringInAgain(images: ImageSteps, stored: Stored, report: ImportReport): Promise<string> {
  const outside = imageReferences(stored.bodyHtml).filter(outsideLibrary)
  if (outside.length === 0) return stored.bodyMd
  // One <img> per image, so the answer's images line up with these.
  const asked = outside
    .map((ref) => `<img src="${escapeHtml(ref.values.at(-1) ?? '')}" alt="${escapeHtml(ref.alt)}">`)
    .join('\n')
  const result = await images.localizeImages(asked)
  addImages(report, result)
  const answered = imageReferences(result.html)
  let bodyMd = stored.bodyMd
  outside.forEach((ref, index) => {
    const copy = answered[index]?.values[0]
    if (!copy?.startsWith(LIBRARY_PREFIX)) return
    for (const value of ref.values)
      for (const form of writtenForms(value)) bodyMd = replaceAddress(bodyMd, form, copy)
  })
  return bodyMd
}

export interface AgainContext {
  readonly db: Db
  readonly source: string
  readonly images: ImageSteps
  readonly dryRun: boolean
  readonly now: Date
}

/**
 * An entry an earlier import brought in (at `importedAt`), as Folio has it now. While it is still
 * as the import wrote it (saved at `importedAt`, not edited on Folio since), the images that
 * import could not have are tried again, and its Markdown (and a missing feature image) then
 * points at the library's copies: the returned step saves that through the editor's own services,
 * HTML rendered again, within the caller's transaction, and only if nobody edited it meanwhile.
 * An edited entry is left as it is, noted. Undefined when there is nothing to save.
 */
export async function imagesAgain(
  context: AgainContext,
  entry: ImportedEntry,
  title: string,
  target: { readonly id: number; readonly importedAt: Date },
  report: ImportReport,
): Promise<(() => void) | undefined> {
  const { db } = context
  const stored = loadStored(db, entry.kind, target.id)
  // Adopted (already here when the import found it, older than its record): the import never wrote its words.
  if (!stored || stored.updatedAt < target.importedAt) return undefined
  if (stored.updatedAt > target.importedAt) {
    const fromExport = imageReferences(stored.bodyHtml).filter(
      (ref) =>
        outsideLibrary(ref) &&
        ref.values.some((value) => entry.body.includes(value) || entry.body.includes(decodeOrKeep(value))),
    ).length
    if (fromExport > 0)
      report.entryNotes.push({
        kind: entry.kind,
        title,
        note: `${plural(fromExport, 'image')} from an earlier import still ${fromExport === 1 ? 'points' : 'point'} at the old site: edited on Folio since, so left as it is`,
      })
    return undefined
  }
  const bodyMd = await bringInAgain(context.images, stored, report)
  let featureImage: string | undefined
  if (stored.lacksFeatureImage && entry.featureImageUrl) {
    const feature = await context.images.localizeFeatureImage(entry.featureImageUrl)
    addImages(report, feature)
    featureImage = feature.reference
  }
  if (bodyMd === stored.bodyMd && featureImage === undefined) return undefined
  if (context.dryRun) return undefined
  const save = await prepareSave(db, entry.kind, target.id, { bodyMd, featureImage }, context.now)
  return () => {
    // An edit while the images came in wins: the import saves nothing over it.
    if (loadStored(db, entry.kind, target.id)?.updatedAt.getTime() !== stored.updatedAt.getTime()) return
    save()
    report.entryNotes.push({
      kind: entry.kind,
      title,
      note: 'images an earlier import missed now come from the library',
    })
    recordImported(
      db,
      { source: context.source, kind: entry.kind, sourceId: entry.sourceId, targetId: target.id },
      context.now,
    )
  }
}

/** The save of the entry as it is now, with `changes`, its HTML rendered here (off the transaction). */
async function prepareSave(
  db: Db,
  kind: 'post' | 'page',
  id: number,
  changes: { bodyMd: string; featureImage: string | undefined },
  now: Date,
): Promise<() => void> {
  if (kind === 'page') {
    const page = findPage(db, id)
    if (!page) return () => {}
    const bodyHtml = await renderPageHtml(db, changes.bodyMd)
    return () => {
      savePage(db, { ...page, bodyMd: changes.bodyMd }, { id, now, bodyHtml })
    }
  }
  const content = loadPostContent(db, id)
  if (!content) return () => {}
  const input: PostInput = {
    ...revisionAsInput(content, content),
    bodyMd: changes.bodyMd,
    featureImage: changes.featureImage,
  }
  const html = await renderPostHtml(db, input)
  return () => {
    savePostWithRevision(db, input, { id, now, html })
  }
}

const hostOf = (url: string): string | undefined =>
  URL.canParse(url) ? new URL(url).host.replace(/^www\./, '') : undefined

/**
 * Each image brought in (or already in the library from an earlier import) that lived on the old
 * site itself (`/wp-content/uploads/…`, Ghost's `/content/images/…`): its old address redirects to
 * the library's copy, for the links other sites and feeds still have. Images on other hosts (a
 * CDN, WordPress.com's file server) never reach this site by their address.
 */
export function redirectImages(
  db: Db,
  report: ImportReport,
  redirects: RedirectWriter,
  context: { readonly source: string; readonly siteUrl: string; readonly dryRun: boolean },
): void {
  const siteHost = hostOf(context.siteUrl)
  const urls = new Set([...report.images.fetched, ...report.images.reused])
  for (const url of urls) {
    const onOldSite = url.startsWith('/')
      ? !url.startsWith('//')
      : siteHost !== undefined && hostOf(url) === siteHost
    if (!onOldSite) continue
    const media = earlierImport(db, context.source, url)
    const address = media ? mediaUrl(media.fileName) : undefined
    const target: PlannedTarget | undefined = address
      ? { toPath: address }
      : context.dryRun
        ? { wouldCreate: `image ${url}` }
        : undefined
    if (target) redirects.add(report, url, target, `image ${url}`)
  }
}
