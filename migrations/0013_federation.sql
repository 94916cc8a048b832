CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`inbox_url` text NOT NULL,
	`activity_id` text NOT NULL,
	`body` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_activity_inbox_idx` ON `deliveries` (`activity_id`,`inbox_url`);--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `federation_keys` (
	`id` integer PRIMARY KEY NOT NULL,
	`public_key_pem` text NOT NULL,
	`private_key_pem` text NOT NULL,
	`created_at` integer NOT NULL,
	`actor_version` text DEFAULT '' NOT NULL,
	CONSTRAINT "federation_keys_one_row" CHECK("federation_keys"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `followers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_id` text NOT NULL,
	`inbox_url` text NOT NULL,
	`shared_inbox_url` text DEFAULT '' NOT NULL,
	`handle` text DEFAULT '' NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`profile_url` text DEFAULT '' NOT NULL,
	`follow_activity_id` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'accepted' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "followers_status_check" CHECK("followers"."status" in ('pending', 'accepted'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `followers_actor_idx` ON `followers` (`actor_id`);--> statement-breakpoint
CREATE INDEX `followers_status_idx` ON `followers` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `outgoing_webmentions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_url` text NOT NULL,
	`target_url` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outgoing_webmentions_pair_idx` ON `outgoing_webmentions` (`source_url`,`target_url`);--> statement-breakpoint
CREATE INDEX `outgoing_webmentions_due_idx` ON `outgoing_webmentions` (`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `syndicated_posts` (
	`post_id` integer PRIMARY KEY NOT NULL,
	`version` text NOT NULL,
	`state` text DEFAULT 'live' NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL,
	`link_targets` text DEFAULT '[]' NOT NULL,
	`source_url` text DEFAULT '' NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "syndicated_posts_state_check" CHECK("syndicated_posts"."state" in ('live', 'deleted'))
);
--> statement-breakpoint
ALTER TABLE `responses` ADD `actor_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `responses` ADD `in_reply_to` text DEFAULT '' NOT NULL;