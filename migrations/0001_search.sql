-- Full-text index over posts. The application writes a row (plain text of the title, body,
-- quote and tag names) whenever it saves a post, in the same transaction; rowid = posts.id.
-- Visibility is not stored here: search joins posts so scheduled posts appear on time.
CREATE VIRTUAL TABLE `posts_fts` USING fts5(
	`title`,
	`body`,
	`tags`,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
CREATE TRIGGER `posts_fts_after_delete` AFTER DELETE ON `posts` BEGIN
	DELETE FROM `posts_fts` WHERE rowid = old.id;
END;
