// Owns the operator's CLI help: every command, its options, one line or two on what it does.

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate              apply pending database migrations
  seed --posts N       add N realistic demo posts (and, on an empty site, demo pages and settings)
  seed --remove        remove what seed added (posts you edited since are kept), settings back as before
  create-user --email E --name N
                       create an author account; the password is read from stdin or a hidden prompt
  set-password --email E
                       set a new password (ends every session and clears failed sign-ins)
  unlock               forget every failed sign-in, lifting all sign-in throttling
  setup-link           print a new link to create the first account (the one printed before stops working)
  backup [FILE] [--force]
                       copy the database, while the server runs, to FILE and MEDIA_DIR to FILE.media/;
                       without FILE: backups/folio-<date>-<time>.db
  restore FILE --yes   put a backup in place of the database and its media (stop the server first)
  export [DIR] [--force]
                       write every post and page as Markdown with YAML front matter, plus settings and
                       media; without DIR: backups/folio-export-<date>-<time>/
  import DIR           read an export back: posts and pages matched by slug are updated, others created
  rerender             render every stored post, page, series description and Markdown setting again
  import-wordpress FILE.xml [--media-dir D] [--dry-run] [--report F] [--old-url U]
  import-ghost FILE.json [--media-dir D] [--dry-run] [--report F] [--old-url U]
                       bring in a WordPress or Ghost export: posts, pages, tags, comments, images (read
                       from D, a copy of the old uploads, else fetched) and every old URL as a redirect;
                       safe to repeat; --dry-run only reports; --report F also writes the report as JSON;
                       --old-url is the old site's address (Ghost exports do not say it)
  reset-2fa --email E  remove the account's passkeys, authenticator app and recovery codes (lost phone)
  help                 show this message

The database is DATABASE_PATH (default ./data/folio.db).`
