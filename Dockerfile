# syntax=docker/dockerfile:1
# Folio's image: build with dev dependencies, run with production dependencies only, as a non-root user.

# Node's current LTS line on Debian slim; better-sqlite3 is compiled for this exact Node in the build stage.
# Any Node that package.json's engines accepts runs Folio; CI tests on Node 20.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Toolchain for native modules (better-sqlite3, argon2) when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Pruning keeps @flydotio/litestream-linux-x64 (an optional dependency): it ships the Litestream binary.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS run
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_PATH=/data/folio.db \
    MEDIA_DIR=/data/media
WORKDIR /app
RUN groupadd --system folio \
  && useradd --system --gid folio --home-dir /app --shell /usr/sbin/nologin folio \
  && mkdir -p /data \
  && chown folio:folio /data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY views ./views
COPY static ./static
COPY deploy/docker-entrypoint.sh deploy/litestream.yml ./deploy/
USER folio
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["./deploy/docker-entrypoint.sh"]
CMD ["node", "dist/server.js"]
