CREATE TABLE `blocked_senders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "blocked_senders_kind_check" CHECK("blocked_senders"."kind" in ('domain', 'actor'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocked_senders_value_idx` ON `blocked_senders` (`kind`,`value`);--> statement-breakpoint
CREATE TABLE `incoming_mentions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_url` text NOT NULL,
	`target_url` text NOT NULL,
	`sender_ip` text DEFAULT '' NOT NULL,
	`received_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incoming_mentions_pair_idx` ON `incoming_mentions` (`source_url`,`target_url`);--> statement-breakpoint
CREATE INDEX `incoming_mentions_due_idx` ON `incoming_mentions` (`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` integer NOT NULL,
	`source` text NOT NULL,
	`source_url` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`author_name` text DEFAULT '' NOT NULL,
	`author_url` text DEFAULT '' NOT NULL,
	`content_html` text DEFAULT '' NOT NULL,
	`published_at` integer,
	`spam_score` integer DEFAULT 0 NOT NULL,
	`spam_reasons` text DEFAULT '[]' NOT NULL,
	`received_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "responses_kind_check" CHECK("responses"."kind" in ('reply', 'like', 'repost', 'mention')),
	CONSTRAINT "responses_status_check" CHECK("responses"."status" in ('pending', 'approved', 'rejected', 'spam'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `responses_source_post_idx` ON `responses` (`source_url`,`post_id`);--> statement-breakpoint
CREATE INDEX `responses_post_idx` ON `responses` (`post_id`,`status`,`received_at`);--> statement-breakpoint
CREATE INDEX `responses_status_idx` ON `responses` (`status`,`received_at`);