# syntax=docker/dockerfile:1
# Folio's image: build with dev dependencies, run with production dependencies only, as a non-root user.

# Node 24 on Debian slim: the exact release CI tests (.ci/node24.sh reads it from this line), so the image
# runs what the suite and the smoke test passed on; better-sqlite3 is compiled for it in the build stage.
# package.json's engines also accepts Node 20.12+, which CI tests too (end of life since April 2026).
ARG NODE_VERSION=24.22.3

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Toolchain for native modules (better-sqlite3, argon2) when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# Pruning keeps @flydotio/litestream-linux-x64 (an optional dependency): it ships the Litestream binary.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS run
# MALLOC_ARENA_MAX=2: glibc's malloc keeps two arenas, not one per thread that allocates (up to
# 16 on two cores), each holding memory it has freed; about 12 MB less peak RSS, same CPU.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_PATH=/data/folio.db \
    MEDIA_DIR=/data/media \
    NODE_COMPILE_CACHE=/app/compile-cache
WORKDIR /app
RUN groupadd --system folio \
  && useradd --system --gid folio --home-dir /app --shell /usr/sbin/nologin folio \
  && mkdir -p /data /app/compile-cache \
  && chown folio:folio /data /app/compile-cache
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY views ./views
COPY static ./static
COPY deploy/docker-entrypoint.sh deploy/litestream.yml ./deploy/
USER folio
# Fly starts each machine from the image's filesystem, so a compile cache written at run time is gone on the
# next wake: the image carries a warm one. The warm-up loads what the server loads and answers `/` once
# (no port), as the user, at the path and with the Node the server runs with (Node keys its cache on all
# three). Node >= 22.1 then compiles the bundle from NODE_COMPILE_CACHE; an older Node ignores it.
RUN node dist/warm-up.js
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["./deploy/docker-entrypoint.sh"]
CMD ["node", "--max-semi-space-size=2", "dist/server.js"]
