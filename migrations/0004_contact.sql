CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`body` text NOT NULL,
	`folder` text DEFAULT 'inbox' NOT NULL,
	`read_at` integer,
	`spam_score` integer DEFAULT 0 NOT NULL,
	`spam_reasons` text DEFAULT '[]' NOT NULL,
	`ip` text DEFAULT '' NOT NULL,
	`user_agent` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "messages_folder_check" CHECK("messages"."folder" in ('inbox', 'archived', 'spam'))
);
--> statement-breakpoint
CREATE INDEX `messages_folder_idx` ON `messages` (`folder`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_ip_idx` ON `messages` (`ip`,`created_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` integer,
	`to` text NOT NULL,
	`reply_to` text,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`sent_at`,`next_attempt_at`);