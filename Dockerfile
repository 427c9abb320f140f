# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies, then keep only production ones.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm ci's prepare builds the console, whose mapping editor bundles the mapping schema and its messages
# (schemas/, adapters/kit/mapping/ and the canonical types in src/): the sources come first.
COPY scripts/console-build.ts ./scripts/
COPY console ./console
COPY src ./src
COPY adapters ./adapters
COPY schemas ./schemas
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
RUN npm run build && npm prune --omit=dev

# Runtime stage: Node 22 LTS, non-root, data on a volume.
FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 HUB_DATA_DIR=/data HUB_CONFIG_DIR=/app/config
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY config ./config
RUN mkdir -p /data /secrets && chown node:node /data /secrets && chmod 0700 /data /secrets
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/server.js"]
