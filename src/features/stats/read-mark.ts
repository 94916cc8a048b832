// Owns which posts carry the end-of-article read mark: the one rule the post page, the /hit/read beacon's readers and the stats page share.

/** An article this long (or longer) ends with the read mark; shorter ones are read at a glance. */
export const READ_MARK_MINUTES = 3

/** Whether a post ends with the read mark (views/partials/read-mark.eta): an article, not a link post, of READ_MARK_MINUTES or more. */
export const carriesReadMark = (post: { readonly kind: string; readonly readingMinutes: number }): boolean =>
  post.kind === 'article' && post.readingMinutes >= READ_MARK_MINUTES
