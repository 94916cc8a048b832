#!/bin/sh
# Runs Folio, under Litestream's continuous replication when LITESTREAM_REPLICA_URL is set.
set -eu

DATABASE_PATH="${DATABASE_PATH:-/data/folio.db}"
mkdir -p "$(dirname "$DATABASE_PATH")" "${MEDIA_DIR:-/data/media}"

if [ -n "${LITESTREAM_REPLICA_URL:-}" ]; then
  LITESTREAM="./node_modules/.bin/litestream"
  # On an empty volume, bring the database back from the replica if one exists.
  if [ ! -f "$DATABASE_PATH" ]; then
    "$LITESTREAM" restore -config ./deploy/litestream.yml -if-replica-exists "$DATABASE_PATH"
  fi
  # Litestream supervises the server and replicates every commit until it exits.
  exec "$LITESTREAM" replicate -config ./deploy/litestream.yml -exec "$*"
fi

exec "$@"
