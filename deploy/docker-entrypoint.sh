#!/bin/sh
# Runs Folio, under Litestream's continuous replication when LITESTREAM_REPLICA_URL is set.
#
#   deploy/docker-entrypoint.sh node --max-semi-space-size=2 dist/server.js
#
# Without LITESTREAM_REPLICA_URL it execs the command as it is. With it:
#   1. when the database file is missing (a new or emptied volume) and the replica holds a backup,
#      `litestream restore` brings the database back first;
#   2. it execs `litestream replicate -exec "<command>"`: Litestream starts the server as its child,
#      ships every commit to the replica (within its 1 s sync interval), forwards SIGTERM/SIGINT to
#      the server, and once the server has exited it syncs the last changes and exits too.
#
# `deploy/docker-entrypoint.sh litestream SUBCOMMAND [ARG...]` runs Litestream itself with the same
# configuration, for an operator's checks:
#   deploy/docker-entrypoint.sh litestream generations /data/folio.db
#   deploy/docker-entrypoint.sh litestream restore -o /tmp/check.db /data/folio.db
#
# Environment: LITESTREAM_REPLICA_URL (s3://bucket/path, file:///path, ...), DATABASE_PATH, MEDIA_DIR;
# optional LITESTREAM_ACCESS_KEY_ID / LITESTREAM_SECRET_ACCESS_KEY (or AWS_*), LITESTREAM_ENDPOINT and
# LITESTREAM_REGION (default to AWS_ENDPOINT_URL_S3 / AWS_REGION, as `fly storage create` sets them),
# LITESTREAM_BIN (the litestream executable) and LITESTREAM_CONFIG (default: litestream.yml beside this
# script).
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]   (for example: $0 node dist/server.js)" >&2
  exit 64
fi

# The image's defaults (see the Dockerfile), exported so that the server and litestream.yml agree.
DATABASE_PATH="${DATABASE_PATH:-/data/folio.db}"
MEDIA_DIR="${MEDIA_DIR:-/data/media}"
export DATABASE_PATH MEDIA_DIR

if [ -z "${LITESTREAM_REPLICA_URL:-}" ]; then
  if [ "$1" = litestream ]; then
    echo "LITESTREAM_REPLICA_URL is not set: there is no replica to talk to" >&2
    exit 1
  fi
  exec "$@"
fi

# The app folder is the one above this script's: /app in the image, the clone in a checkout.
APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
LITESTREAM_CONFIG="${LITESTREAM_CONFIG:-$APP_DIR/deploy/litestream.yml}"
LITESTREAM_ENDPOINT="${LITESTREAM_ENDPOINT:-${AWS_ENDPOINT_URL_S3:-}}"
LITESTREAM_REGION="${LITESTREAM_REGION:-${AWS_REGION:-}}"
export LITESTREAM_REPLICA_URL LITESTREAM_ENDPOINT LITESTREAM_REGION

# The real executable from @flydotio/litestream's platform package. Not node_modules/.bin/litestream:
# that is a Node wrapper which neither forwards signals nor passes on the exit status.
if [ -z "${LITESTREAM_BIN:-}" ]; then
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) os=unknown ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=unknown ;;
  esac
  LITESTREAM_BIN="$APP_DIR/node_modules/@flydotio/litestream-$os-$arch/litestream"
  if [ ! -x "$LITESTREAM_BIN" ]; then
    LITESTREAM_BIN="$(command -v litestream || true)"
  fi
fi
if [ -z "$LITESTREAM_BIN" ] || [ ! -x "$LITESTREAM_BIN" ]; then
  echo "LITESTREAM_REPLICA_URL is set but no litestream executable was found" \
    "(install @flydotio/litestream-linux-x64, or set LITESTREAM_BIN)" >&2
  exit 1
fi

if [ "$1" = litestream ]; then
  shift
  case "${1:-}" in
    databases | generations | restore | snapshots | wal)
      subcommand="$1"
      shift
      exec "$LITESTREAM_BIN" "$subcommand" -config "$LITESTREAM_CONFIG" "$@"
      ;;
    *) exec "$LITESTREAM_BIN" "$@" ;;
  esac
fi

mkdir -p "$(dirname "$DATABASE_PATH")" "$MEDIA_DIR"

if [ ! -e "$DATABASE_PATH" ]; then
  # A -wal or -shm file left without its database belongs to a database that is gone: SQLite would
  # replay that WAL over the restored file. Keep them aside rather than delete anything.
  for leftover in "$DATABASE_PATH-wal" "$DATABASE_PATH-shm"; do
    if [ -e "$leftover" ]; then
      mv "$leftover" "$leftover.orphaned-$(date +%Y%m%d%H%M%S)"
    fi
  done
  # A failure here (an unreachable bucket, bad credentials) stops the start: starting on an empty
  # database would make it the replica's newest generation, which the next restore would pick.
  "$LITESTREAM_BIN" restore -config "$LITESTREAM_CONFIG" -if-db-not-exists -if-replica-exists "$DATABASE_PATH"
fi

# Litestream parses -exec with shell-like word splitting (no variable expansion): quote every argument
# in single quotes, an embedded ' written as '\''.
command_line=""
for arg in "$@"; do
  quoted="$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")"
  command_line="$command_line '$quoted'"
done

exec "$LITESTREAM_BIN" replicate -config "$LITESTREAM_CONFIG" -exec "${command_line# }"
