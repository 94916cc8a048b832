-- posts.meta_description now holds what the author typed, '' for nothing; the description shown is
-- derived from the text when a page or feed is rendered (src/features/content/descriptions.ts).
-- Until now an empty field was stored as the derived text: a description equal to what the rule
-- derives from the post's own HTML was not typed, so it becomes ''. derived_description() is that
-- rule, defined on the connection by migrateDatabase; SQL alone cannot read text out of HTML.
UPDATE `posts` SET `meta_description` = ''
	WHERE `meta_description` != '' AND `meta_description` = derived_description(`excerpt_html`, `body_html`);
