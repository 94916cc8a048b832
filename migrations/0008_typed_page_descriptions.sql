-- pages.meta_description now holds what the author typed, '' for nothing, as posts' does since 0007:
-- the description shown is derived from the page's text when it is rendered
-- (src/features/content/descriptions.ts). A stored description equal to what the rule derives from
-- the page's own HTML was filled in by Folio, not typed, so it becomes ''. Pages have no excerpt.
UPDATE `pages` SET `meta_description` = ''
	WHERE `meta_description` != '' AND `meta_description` = derived_description('', `body_html`);
