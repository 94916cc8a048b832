// Owns the media screens' view models: a library entry, the library page, one image, its delete page and the editor's JSON.
import type { Media } from '../../../db/schema.ts'
import { formatDateTime } from '../../../lib/dates.ts'
import type { FieldErrors } from '../../../lib/form-errors.ts'
import { formatBytes } from '../../../lib/format-bytes.ts'
import { adminMediaUrl, listingPageUrl } from '../../../lib/urls.ts'
import { MAX_UPLOAD_LABEL } from '../../media/pipeline.ts'
import { imageInfo, markdownFor, mediaUrl, thumbnailOf } from '../../media/render.ts'
import { MAX_ALT_LENGTH, type MediaPage } from '../../media/service.ts'
import { ACCEPTED_MIME_TYPES, IMAGE_TYPES } from '../../media/sniff.ts'
import { describeUsage, type MediaUsage } from '../../media/usage.ts'

/** What a re-rendered form shows: the errors beside their fields and the alt text as typed. */
export interface FormState {
  readonly errors?: FieldErrors
  readonly values?: Record<string, string>
}

export const detailUrl = adminMediaUrl
export const deleteUrl = (id: number): string => `${detailUrl(id)}/delete`

function entryView(row: Media, timeZone: string, usage: MediaUsage) {
  return {
    id: row.id,
    url: detailUrl(row.id),
    fileUrl: mediaUrl(row.fileName),
    fileName: row.fileName,
    originalName: row.originalName,
    alt: row.alt,
    thumb: thumbnailOf(row),
    size: formatBytes(row.bytes),
    dimensions: `${row.width} × ${row.height}`,
    date: formatDateTime(row.createdAt, timeZone),
    iso: row.createdAt.toISOString(),
    usage: {
      refs: [...usage.posts, ...usage.pages, ...usage.settings],
      total: usage.total,
      summary: describeUsage(usage),
    },
  }
}

/** The library: the upload form, then a page of images, each with where it is used. */
export function libraryView(
  result: MediaPage,
  usage: ReadonlyMap<number, MediaUsage>,
  timeZone: string,
  form: FormState = {},
) {
  return {
    title: 'Media',
    section: 'media',
    items: result.items.map((row) => entryView(row, timeZone, usage.get(row.id) as MediaUsage)),
    total: result.total,
    pagination: {
      page: result.page,
      totalPages: result.totalPages,
      prevUrl: result.page > 1 ? listingPageUrl('/admin/media', result.page - 1) : null,
      nextUrl: result.page < result.totalPages ? listingPageUrl('/admin/media', result.page + 1) : null,
    },
    accept: ACCEPTED_MIME_TYPES,
    limitLabel: MAX_UPLOAD_LABEL,
    maxAltLength: MAX_ALT_LENGTH,
    errors: form.errors ?? {},
    values: { alt: '', ...form.values },
  }
}

/** One image: its sizes and copies, the Markdown to paste, and the alt text form. */
export function detailView(row: Media, usage: MediaUsage, timeZone: string, form: FormState = {}) {
  const info = imageInfo(row)
  return {
    title: row.alt ? `Image: ${row.alt}` : `Image: ${row.originalName}`,
    section: 'media',
    image: {
      ...entryView(row, timeZone, usage),
      width: info.width,
      height: info.height,
      srcset: info.srcset ?? '',
      sizes: info.sizes ?? '',
      type: Object.values(IMAGE_TYPES).find((t) => t.mimeType === row.mimeType)?.label ?? row.mimeType,
      markdown: markdownFor(row),
      deleteUrl: deleteUrl(row.id),
    },
    maxAltLength: MAX_ALT_LENGTH,
    errors: form.errors ?? {},
    values: { alt: row.alt, ...form.values },
  }
}

/** The confirmation page, saying where the image is still used. */
export function deleteView(row: Media, usage: MediaUsage, timeZone: string, errors: FieldErrors = {}) {
  return {
    title: 'Delete image',
    section: 'media',
    image: { ...entryView(row, timeZone, usage), deleteUrl: deleteUrl(row.id) },
    errors,
  }
}

/** What the post editor's script receives after an upload, to insert the image. */
export const uploadedJson = (row: Media) => ({
  id: row.id,
  url: mediaUrl(row.fileName),
  /** The smallest copy, for pickers; and where the author describes the image. */
  thumbUrl: thumbnailOf(row).src,
  detailUrl: detailUrl(row.id),
  width: row.width,
  height: row.height,
  alt: row.alt,
  markdown: markdownFor(row),
})
