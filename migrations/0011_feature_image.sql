-- drizzle-kit leaves ON DELETE out of ADD COLUMN for SQLite: written here so that deleting an image from the library unsets it.
ALTER TABLE `posts` ADD `feature_image_id` integer REFERENCES media(id) ON DELETE SET NULL;--> statement-breakpoint
CREATE INDEX `posts_feature_image_idx` ON `posts` (`feature_image_id`);
