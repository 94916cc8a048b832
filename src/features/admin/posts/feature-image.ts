// Owns the editor's feature image picker: which library images it offers, and the page of older ones the script asks for.
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../db/client.ts'
import type { Media } from '../../../db/schema.ts'
import { plural } from '../../../lib/text.ts'
import { adminMediaUrl, FEATURE_PICKER_URL, featurePickerPageUrl } from '../../../lib/urls.ts'
import { thumbnailOf } from '../../media/render.ts'
import { findMediaByReference, listMedia } from '../../media/service.ts'
import { ACCEPTED_MIME_TYPES } from '../../media/sniff.ts'

/** How many of the newest images the picker shows at first; "Show older images" fetches the next as many. */
export const PICKER_PAGE_SIZE = 24

export interface PickerTile {
  readonly id: number
  readonly thumb: { src: string; width: number; height: number }
  /** What the tile says under the picture: the alt text, or the file's name when there is none. */
  readonly label: string
  readonly hasAlt: boolean
  readonly checked: boolean
}

const tileOf = (row: Media, chosenId: number | undefined): PickerTile => ({
  id: row.id,
  thumb: thumbnailOf(row),
  label: row.alt || row.originalName,
  hasAlt: row.alt !== '',
  checked: row.id === chosenId,
})

/** The next page of tiles after `page`, for the script's "Show older images"; undefined when none are left. */
const moreUrl = (page: number, totalPages: number): string | undefined =>
  page < totalPages ? featurePickerPageUrl(page + 1) : undefined

/**
 * The picker as the editor shows it: "None", the chosen image (wherever it sits in the library),
 * then the newest images. `value` is the form's feature_image: an id, a /media/ URL or empty.
 */
export function featurePicker(db: Db, value: string) {
  const chosen = value.trim() ? findMediaByReference(db, value) : undefined
  const newest = listMedia(db, { page: 1, perPage: PICKER_PAGE_SIZE })
  const rows =
    chosen && !newest.items.some((row) => row.id === chosen.id) ? [chosen, ...newest.items] : newest.items
  return {
    tiles: rows.map((row) => tileOf(row, chosen?.id)),
    // A value that names no image (deleted since) checks nothing: "None" would say something untrue.
    noneChecked: value.trim() === '',
    chosen: chosen ? { hasAlt: chosen.alt !== '', detailUrl: adminMediaUrl(chosen.id) } : null,
    total: newest.total,
    // The chosen image may be the only one past the first page: then nothing older is left to show.
    summary:
      rows.length < newest.total
        ? `The ${PICKER_PAGE_SIZE} newest of ${plural(newest.total, 'image')} in the library.`
        : '',
    moreUrl: rows.length < newest.total ? (moreUrl(1, newest.totalPages) ?? '') : '',
    /** What the script's upload button accepts: the types the library takes. */
    accept: ACCEPTED_MIME_TYPES,
  }
}

/** GET only: a page of older tiles as an HTML fragment; it reads the library and writes nothing. */
export default async function featureImageRoutes(app: FastifyInstance, options: { db: Db }) {
  const { db } = options
  app.get<{ Querystring: { page?: string } }>(FEATURE_PICKER_URL, async (request, reply) => {
    const raw = request.query.page ?? ''
    const page = /^\d{1,6}$/.test(raw) ? Math.max(1, Number(raw)) : 1
    const result = listMedia(db, { page, perPage: PICKER_PAGE_SIZE })
    const html = await reply.viewAsync('admin/posts/feature-tiles', {
      tiles: result.items.map((row) => tileOf(row, undefined)),
    })
    const next = moreUrl(page, result.totalPages)
    reply.header('cache-control', 'no-store')
    if (next) reply.header('x-next-page', next)
    return reply.type('text/html; charset=utf-8').send(html)
  })
}
