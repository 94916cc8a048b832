CREATE TABLE `message_replies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` integer NOT NULL,
	`outbox_id` integer,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`outbox_id`) REFERENCES `outbox`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `message_replies_message_idx` ON `message_replies` (`message_id`,`id`);--> statement-breakpoint
ALTER TABLE `messages` ADD `replied_at` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `kind` text DEFAULT 'notification' NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `header_message_id` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `in_reply_to` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `references` text;