-- 0000_content (column order, posts_public_idx) and 0001_search (no stemmer) were edited after a
-- database could already have been made from their first text. This brings such a database to
-- today's shape, keeping every row, and rebuilds the same shape on any other: posts is copied,
-- dropped and made again from 0000's text, and the search index is refilled under 0001's
-- tokenizer. migrateDatabase runs migrations with foreign keys off, so dropping posts does not
-- cascade into post_tags, post_redirects or post_revisions; the check below stops it otherwise.
CREATE TABLE `_migration_0006_guard` (
	`foreign_keys` integer NOT NULL,
	CONSTRAINT "migration_0006_needs_foreign_keys_off" CHECK(`foreign_keys` = 0)
);
--> statement-breakpoint
INSERT INTO `_migration_0006_guard` SELECT `foreign_keys` FROM pragma_foreign_keys;
--> statement-breakpoint
DROP TABLE `_migration_0006_guard`;
--> statement-breakpoint
CREATE TABLE `_migration_0006_posts` AS SELECT * FROM `posts`;
--> statement-breakpoint
CREATE TABLE `_migration_0006_sequence` AS SELECT `seq` FROM `sqlite_sequence` WHERE `name` = 'posts';
--> statement-breakpoint
CREATE TABLE `_migration_0006_search` AS SELECT `rowid` AS `id`, `title`, `body`, `tags` FROM `posts_fts`;
--> statement-breakpoint
DROP TABLE `posts_fts`;
--> statement-breakpoint
DROP TABLE `posts`;
--> statement-breakpoint
CREATE TABLE `posts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text DEFAULT 'article' NOT NULL,
	`title` text NOT NULL,
	`slug` text NOT NULL,
	`link_url` text,
	`status` text DEFAULT 'draft' NOT NULL,
	`published_at` integer,
	`meta_description` text DEFAULT '' NOT NULL,
	`reading_minutes` integer DEFAULT 1 NOT NULL,
	`series_id` integer,
	`series_part` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`has_more` integer DEFAULT false NOT NULL,
	`excerpt_html` text DEFAULT '' NOT NULL,
	`quote_html` text DEFAULT '' NOT NULL,
	`excerpt_md` text DEFAULT '' NOT NULL,
	`quote_md` text DEFAULT '' NOT NULL,
	`body_html` text DEFAULT '' NOT NULL,
	`body_md` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "posts_kind_check" CHECK("posts"."kind" in ('article', 'link')),
	CONSTRAINT "posts_status_check" CHECK("posts"."status" in ('draft', 'published', 'scheduled'))
);
--> statement-breakpoint
INSERT INTO `posts` (`id`, `kind`, `title`, `slug`, `link_url`, `status`, `published_at`, `meta_description`, `reading_minutes`, `series_id`, `series_part`, `created_at`, `updated_at`, `has_more`, `excerpt_html`, `quote_html`, `excerpt_md`, `quote_md`, `body_html`, `body_md`)
	SELECT `id`, `kind`, `title`, `slug`, `link_url`, `status`, `published_at`, `meta_description`, `reading_minutes`, `series_id`, `series_part`, `created_at`, `updated_at`, `has_more`, `excerpt_html`, `quote_html`, `excerpt_md`, `quote_md`, `body_html`, `body_md`
	FROM `_migration_0006_posts` ORDER BY `id`;
--> statement-breakpoint
-- Dropping posts forgot its AUTOINCREMENT high-water mark: ids of deleted posts are never reused.
INSERT INTO `sqlite_sequence` (`name`, `seq`)
	SELECT 'posts', `seq` FROM `_migration_0006_sequence`
	WHERE NOT EXISTS (SELECT 1 FROM `sqlite_sequence` WHERE `name` = 'posts');
--> statement-breakpoint
UPDATE `sqlite_sequence` SET `seq` = max(`seq`, coalesce((SELECT `seq` FROM `_migration_0006_sequence`), 0))
	WHERE `name` = 'posts';
--> statement-breakpoint
CREATE UNIQUE INDEX `posts_slug_unique` ON `posts` (`slug`);--> statement-breakpoint
CREATE INDEX `posts_visibility_idx` ON `posts` (`status`,`published_at`);--> statement-breakpoint
CREATE INDEX `posts_public_idx` ON `posts` (`published_at`,`id`) WHERE "posts"."status" != 'draft';--> statement-breakpoint
CREATE INDEX `posts_series_idx` ON `posts` (`series_id`,`series_part`);--> statement-breakpoint
CREATE VIRTUAL TABLE `posts_fts` USING fts5(
	`title`,
	`body`,
	`tags`,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
INSERT INTO `posts_fts` (`rowid`, `title`, `body`, `tags`)
	SELECT `id`, `title`, `body`, `tags` FROM `_migration_0006_search` ORDER BY `id`;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_after_delete` AFTER DELETE ON `posts` BEGIN
	DELETE FROM `posts_fts` WHERE rowid = old.id;
END;
--> statement-breakpoint
DROP TABLE `_migration_0006_search`;
--> statement-breakpoint
DROP TABLE `_migration_0006_sequence`;
--> statement-breakpoint
DROP TABLE `_migration_0006_posts`;
