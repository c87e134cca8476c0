# syntax=docker/dockerfile:1
# One image for the API, the worker and the migration runner; docker-compose.yml chooses the command.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/prisma-generate.sh \
  && npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOMEROOM_ENV=production \
    STORAGE_DIR=/var/lib/homeroom/blobs \
    LOG_DIR=/var/log/homeroom
WORKDIR /app
# The code belongs to root and is read-only for the `node` user the processes run as; only the blob
# and log directories are writable.
RUN mkdir -p "$STORAGE_DIR" "$LOG_DIR" && chown node:node "$STORAGE_DIR" "$LOG_DIR"
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/bin ./bin
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
