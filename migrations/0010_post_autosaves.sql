CREATE TABLE `post_autosaves` (
	`post_id` integer PRIMARY KEY NOT NULL,
	`fields` text NOT NULL,
	`base_version` integer NOT NULL,
	`saved_at` integer NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `posts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `posts` ADD `version` integer DEFAULT 1 NOT NULL;