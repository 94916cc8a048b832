CREATE TABLE `newsletter_issues` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` integer,
	`subject` text NOT NULL,
	`recipients` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`html` text NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `newsletter_issues_post_id_unique` ON `newsletter_issues` (`post_id`);--> statement-breakpoint
CREATE TABLE `subscribers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`source` text DEFAULT 'form' NOT NULL,
	`created_at` integer NOT NULL,
	`confirmation_sent_at` integer,
	`confirmed_at` integer,
	`unsubscribed_at` integer,
	CONSTRAINT "subscribers_status_check" CHECK("subscribers"."status" in ('pending', 'confirmed', 'unsubscribed')),
	CONSTRAINT "subscribers_source_check" CHECK("subscribers"."source" in ('form', 'admin', 'import'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_email_unique` ON `subscribers` (`email`);--> statement-breakpoint
CREATE INDEX `subscribers_status_idx` ON `subscribers` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `stats_days` (
	`day` integer PRIMARY KEY NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`visitors` integer DEFAULT 0 NOT NULL,
	`bot_views` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stats_feeds` (
	`day` integer NOT NULL,
	`reader` text NOT NULL,
	`fetches` integer DEFAULT 0 NOT NULL,
	`subscribers` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `reader`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `stats_labels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stats_labels_text_unique` ON `stats_labels` (`text`);--> statement-breakpoint
CREATE TABLE `stats_paths` (
	`day` integer NOT NULL,
	`path_id` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`visitors` integer DEFAULT 0 NOT NULL,
	`reads` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `path_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `stats_paths_path_idx` ON `stats_paths` (`path_id`,`day`);--> statement-breakpoint
CREATE TABLE `stats_salt` (
	`day` integer PRIMARY KEY NOT NULL,
	`salt` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stats_sources` (
	`day` integer NOT NULL,
	`kind` integer NOT NULL,
	`value_id` integer NOT NULL,
	`path_id` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `kind`, `value_id`, `path_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `stats_visitors` (
	`day` integer NOT NULL,
	`hash` text NOT NULL,
	`path_id` integer NOT NULL,
	PRIMARY KEY(`day`, `hash`, `path_id`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `posts` ADD `send_newsletter` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `issue_id` integer REFERENCES newsletter_issues(id) ON DELETE cascade;--> statement-breakpoint
ALTER TABLE `outbox` ADD `subscriber_id` integer REFERENCES subscribers(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `outbox` ADD `html` text;--> statement-breakpoint
CREATE INDEX `outbox_unsent_kind_idx` ON `outbox` (`kind`,`id`) WHERE "sent_at" is null;--> statement-breakpoint
CREATE INDEX `outbox_subscriber_idx` ON `outbox` (`subscriber_id`) WHERE "subscriber_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_issue_subscriber_idx` ON `outbox` (`issue_id`,`subscriber_id`);