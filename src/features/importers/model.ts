// Owns what an import reads from another blog's export, whichever blog it was: the one shape the WordPress and Ghost readers produce and the writer takes.

/** Where the items came from, e.g. "wordpress https://old.example" or "ghost https://old.example". */
export type ImportSource = string

export type ImportedStatus = 'published' | 'draft' | 'scheduled'
export type ImportedCommentStatus = 'approved' | 'pending' | 'spam'

export interface ImportedTag {
  /** As shown on the old site, e.g. "Travel Notes". */
  readonly name: string
  /** The old site's slug (for redirecting its tag and category URLs). */
  readonly oldSlug: string
}

export interface ImportedComment {
  /** The comment's id on the old site. */
  readonly sourceId: string
  /** The parent comment's id, when it answers another comment. */
  readonly parentSourceId: string
  /** Pingbacks and trackbacks become mentions; the rest are replies. */
  readonly kind: 'reply' | 'mention'
  readonly status: ImportedCommentStatus
  readonly authorName: string
  /** The commenter's own site, if they gave one (never their email). */
  readonly authorUrl: string
  /** As stored on the old site; the writer sanitises it. */
  readonly html: string
  readonly publishedAt: Date | null
}

export interface ImportedEntry {
  readonly kind: 'post' | 'page'
  /** The item's id on the old site (WordPress post ID; Ghost uuid, else id). */
  readonly sourceId: string
  readonly title: string
  /** Wanted Folio slug (pages: the hierarchy flattened, "about-team"); empty: from the title. */
  readonly slug: string
  readonly status: ImportedStatus
  readonly publishedAt: Date | null
  /**
   * The body as the old site stored it. `wordpress`: raw post_content (blank lines are paragraphs,
   * shortcodes present, block comments present); `html`: ready HTML (Ghost). Either way, links to
   * the old site's own pages are already root-relative, so Folio's redirects answer them.
   */
  readonly body: string
  readonly bodyFormat: 'wordpress' | 'html'
  /** Plain text or simple HTML; empty when the author wrote none. */
  readonly excerpt: string
  readonly tags: readonly ImportedTag[]
  /** A link post's target (WordPress "link" format, a quote's source). */
  readonly linkUrl: string
  /** A quote post's quotation (HTML), shown above the link. */
  readonly quoteHtml: string
  /** Absolute URL of the feature image, if any. */
  readonly featureImageUrl: string
  readonly metaDescription: string
  /**
   * Paths on the old site that should answer 301 to this entry, without a trailing slash and with
   * their query for the `?p=` shapes: "/2019/03/slug", "/?p=123", "/about/team".
   */
  readonly oldPaths: readonly string[]
  readonly comments: readonly ImportedComment[]
  /** WordPress: URLs of the images attached to this entry (what a `[gallery]` without ids shows). */
  readonly attachedImages: readonly string[]
  /** What the report should say about this item ("sticky on the old site", "private: imported as a draft"). */
  readonly notes: readonly string[]
}

/** An item the reader saw and chose not to import (an attachment, a menu item, a trashed post…). */
export interface SkippedItem {
  readonly kind: string
  readonly sourceId: string
  readonly title: string
  readonly reason: string
}

export interface ImportBundle {
  readonly source: ImportSource
  /** The old site's address, no trailing slash: relative image URLs resolve against it. */
  readonly siteUrl: string
  readonly entries: readonly ImportedEntry[]
  /** WordPress: attachment ID → its file's URL (for `[gallery ids="…"]` and feature images). */
  readonly attachmentUrls: Readonly<Record<string, string>>
  /** Every tag and category that had a page on the old site (even unused), for redirects. */
  readonly tags: readonly (ImportedTag & { readonly oldPaths: readonly string[] })[]
  /** Other old paths and the Folio path they now mean (feeds, author pages, the old home's feed). */
  readonly pathRedirects: readonly { readonly fromPath: string; readonly toPath: string }[]
  /** About the whole file: "3 authors mapped to you: …". */
  readonly notes: readonly string[]
  readonly skipped: readonly SkippedItem[]
}

/** A file the reader cannot read at all (not XML, not a Ghost export, too large): the message says why. */
export class ImportFileError extends Error {}
